"""The case fixtures (ready_association, case, other_case) live in tests/conftest.py, shared by every folder."""
