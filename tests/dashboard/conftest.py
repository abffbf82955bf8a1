"""Fixtures of the dashboard tests come from tests/conftest.py (cases, personas, the browser)."""
