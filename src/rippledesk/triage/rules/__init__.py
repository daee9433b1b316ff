"""Automation rules: when an event happens, if conditions hold, then act.

See docs/automation.md.
"""
