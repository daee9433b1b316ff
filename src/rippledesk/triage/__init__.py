"""Triage: the order conversations are answered in, and who answers them."""
