"""Reads for the pages (``grants.cases.querysets``): the programme-year's count of cases per state lists the
states of the programme's own workflow, in its order."""
import pytest

from grants.cases.models import GrantCase, Status
from grants.cases.querysets import status_counts
from grants.cases.workflows import FORMULA, FULL
from grants.programmes.models import Programme, ProgrammeYear
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_formula_grant_counts_its_cases_in_the_formula_workflows_states(programme_year: ProgrammeYear) -> None:
    GrantCase.objects.create(programme_year=programme_year, organization=factories.AssociationFactory(),
                             status=Status.SUBMITTED)
    counts = status_counts(programme_year)
    assert [value for value, _, _ in counts] == list(FORMULA.machine.states)
    assert ("submitted", "申請済（審査待ち）", 1) in counts
    assert "change_requested" not in {value for value, _, _ in counts}  # a state of the full lifecycle only


def test_a_full_programme_counts_in_the_full_workflows_states(programme_year: ProgrammeYear) -> None:
    full = Programme.objects.create(code="full-x", name="協議会の交付金", recipient_kind="kyogikai", workflow="full")
    year = ProgrammeYear.objects.create(programme=full, fiscal_year=programme_year.fiscal_year,
                                        base_date=programme_year.base_date,
                                        application_opens=programme_year.application_opens,
                                        application_closes=programme_year.application_closes)
    assert [value for value, _, _ in status_counts(year)] == list(FULL.machine.states)
    assert "payment_prepared" not in {value for value, _, _ in status_counts(year)}
