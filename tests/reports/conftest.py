"""Helpers for the export tests: associations ready for verification, and cases taken through the real
services (grants.cases.services, grants.ledger.services)."""

import pytest

from tests.reports.builders import open_case, ready_association, take_to_paid


@pytest.fixture
def paid_case(programme_year, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """The association 「=1+1」 (code 10-900, 120 households → 10,000 + 500 × 120 = 70,000 yen), paid."""
    organization = ready_association(name="=1+1", households=120, code="10-900")
    case = open_case(programme_year, organization, 120)
    return take_to_paid(case, staff=staff, approver=approver, finance=finance, finance2=finance2)


