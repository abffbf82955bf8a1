import pytest

from grants.cases.models import GrantCase
from grants.cases.services import apply_count
from tests import factories


@pytest.fixture
def ready_association(association):  # type: ignore[no-untyped-def]
    """An association with a bank account and a count of 120 households on the base date (April 1)."""
    factories.BankAccountFactory(organization=association)
    factories.count(association, programme_year_base_date(), 120)
    return association


def programme_year_base_date():  # type: ignore[no-untyped-def]
    return factories.BASE_DATE


@pytest.fixture
def case(programme_year, ready_association, association_head):  # type: ignore[no-untyped-def]
    """A draft case of 120 households: 10,000 + 120 × 500 = 70,000 yen."""
    case = GrantCase(programme_year=programme_year, organization=ready_association)
    apply_count(case, 120)
    case.save()
    return case


@pytest.fixture
def other_case(programme_year):  # type: ignore[no-untyped-def]
    other = factories.AssociationFactory(name="白石第1自治会")
    factories.BankAccountFactory(organization=other)
    factories.RepresentativeFactory(organization=other, name="別の 会長")
    case = GrantCase(programme_year=programme_year, organization=other)
    apply_count(case, 40)
    case.save()
    return case
