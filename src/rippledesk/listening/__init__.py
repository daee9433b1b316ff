"""Listening: mentions of the business in places not addressed to it (feeds, searches)."""
