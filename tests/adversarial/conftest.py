"""Reuse the case fixtures of tests/cases (a draft case of the head's association and another association's)."""
