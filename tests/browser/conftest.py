"""The browser fixtures (browser, page, check_a11y) live in tests/conftest.py, shared with other folders."""
