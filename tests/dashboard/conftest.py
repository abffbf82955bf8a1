"""Fixtures of the dashboard tests: the case fixtures of tests/cases (the browser fixtures come from tests/conftest.py)."""
import os

# Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

