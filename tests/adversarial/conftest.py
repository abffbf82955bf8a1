"""Reuse the case fixtures of tests/cases (a draft case of the head's association and another association's)."""
from tests.cases.conftest import case, other_case, ready_association  # noqa: F401
