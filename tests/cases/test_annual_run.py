"""The annual run: every association gets one case; re-running creates nothing twice; imports all or nothing."""

import pytest

from grants.cases.annual_run import advance_annual_run, run_to_completion, start_annual_run
from grants.cases.models import GrantCase
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.organizations.models import HouseholdCount
from tests import factories

pytestmark = pytest.mark.django_db
BASE = factories.BASE_DATE


@pytest.fixture
def associations():  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(5)
    for n, org in enumerate(orgs[:4]):
        factories.count(org, BASE, 10 * (n + 1))
    return orgs


def test_run_creates_one_case_per_association_with_computed_amounts(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    run = advance_annual_run(run_id=run.pk, actor=staff, chunk_size=2)
    assert (run.status, run.processed, run.total, run.created_count) == ("running", 2, 5, 2)
    run = run_to_completion(run_id=run.pk, actor=staff)
    assert (run.status, run.processed, run.created_count, run.missing_count_count) == ("done", 5, 5, 1)
    amounts = list(GrantCase.objects.order_by("organization__code").values_list("household_count", "computed_amount"))
    assert amounts == [(10, 15_000), (20, 20_000), (30, 25_000), (40, 30_000), (None, None)]
    assert AuditEvent.objects.filter(action="create").count() == 5


def test_running_twice_creates_nothing_twice(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    again = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    assert (again.created_count, again.existing_count) == (0, 5)
    assert GrantCase.objects.count() == 5


def test_imported_counts_take_precedence_over_file(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    counts = {associations[0].code: 99, associations[4].code: 7}
    run = start_annual_run(programme_year=programme_year, actor=staff, counts=counts, source="取込み: x.csv")
    run_to_completion(run_id=run.pk, actor=staff)
    by_code = dict(GrantCase.objects.values_list("organization__code", "household_count"))
    assert (by_code[associations[0].code], by_code[associations[4].code]) == (99, 7)
    assert HouseholdCount.objects.filter(source="import").count() == 2


def test_only_staff_may_run(programme_year, associations, approver) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CaseActionError):
        start_annual_run(programme_year=programme_year, actor=approver)
    assert not GrantCase.objects.exists()


def test_inactive_and_other_kinds_are_left_out(programme_year, associations, staff) -> None:  # type: ignore[no-untyped-def]
    associations[0].is_active = False
    associations[0].save()
    factories.AssociationFactory(kind="kyogikai")
    run = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    assert (run.total, run.created_count) == (4, 4)
