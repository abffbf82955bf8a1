"""Fixtures of the export tests (their steps in tests/reports/builders.py): a paid case whose association's name
looks like a formula, and associations whose names a spreadsheet would run or read as markup."""

import pytest

from grants.organizations.models import Organization
from tests.reports.builders import FORMULAS, MARKUP, open_case, ready_association, take_to_paid


@pytest.fixture
def paid_case(programme_year, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """The association 「=1+1」 (code 10-900, 120 households → 10,000 + 500 × 120 = 70,000 yen), paid."""
    organization = ready_association(name="=1+1", households=120, code="10-900")
    case = open_case(programme_year, organization, 120)
    return take_to_paid(case, staff=staff, approver=approver, finance=finance, finance2=finance2)


@pytest.fixture
def hostile_cases(programme_year, staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    """An association for each of FORMULAS and MARKUP (set after creation, as no form would let it through), each
    with a draft case; the first three paid. Returns the names."""
    names = FORMULAS + MARKUP
    for i, name in enumerate(names):
        org = ready_association(name=f"tmp{i}", households=10, code=f"20-{i:03d}")
        Organization.objects.filter(pk=org.pk).update(name=name)
        case = open_case(programme_year, Organization.objects.get(pk=org.pk), 10)
        if i < 3:
            take_to_paid(case, staff=staff, approver=approver, finance=finance, finance2=finance2)
    return names
