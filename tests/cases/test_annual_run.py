"""The annual run: every association gets one case; re-running creates nothing twice; imports all or nothing."""
import pytest
from django.urls import reverse

from grants.cases.annual_run import advance_annual_run, run_to_completion, start_annual_run
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login

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


# Attacks on the annual run: double starts, steps after done, wrong users, runs overlapping.


@pytest.fixture
def orgs():  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(3)
    for org in orgs:
        factories.count(org, BASE, 10)
    return orgs


def test_step_after_done_changes_nothing(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    run = run_to_completion(run_id=start_annual_run(programme_year=programme_year, actor=staff).pk, actor=staff)
    login(client, staff)
    for _ in range(3):
        data = client.post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json").json()
        assert (data["status"], data["created"], data["processed"]) == ("done", 3, 3)
    assert GrantCase.objects.count() == 3
    assert AuditEvent.objects.filter(action="create").count() == 3


@pytest.mark.parametrize("role", ["approver", "finance", "auditor"])
def test_other_city_roles_cannot_start_or_step(client, programme_year, orgs, staff, role) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    user = factories.UserFactory(username=f"u-{role}", role=role)
    login(client, user)
    response = client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    assert "担当者のみが実行できます" in response.content.decode()
    assert client.post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json").status_code == 403
    client.post(reverse("annual_run_step", args=[run.pk]))
    assert AnnualRun.objects.count() == 1 and not GrantCase.objects.exists()


def test_step_needs_post_and_unknown_run_is_404(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    run = start_annual_run(programme_year=programme_year, actor=staff)
    login(client, staff)
    assert client.get(reverse("annual_run_step", args=[run.pk])).status_code == 405
    assert client.post(reverse("annual_run_step", args=[run.pk + 999])).status_code == 404


def test_double_click_on_start_opens_one_run_and_creates_nothing_twice(client, programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    second = client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "on_file"})
    assert "一括作成が処理中です" in second.content.decode()
    run = AnnualRun.objects.get()
    run_to_completion(run_id=run.pk, actor=staff)
    assert GrantCase.objects.count() == 3
    assert AuditEvent.objects.filter(action="create").count() == 3


def test_overlapping_run_is_refused_and_counts_stay_those_of_the_first(programme_year, orgs, staff) -> None:  # type: ignore[no-untyped-def]
    """Was a bug: a second run could start while the first was running, and the first run's later chunks read
    the second file's counts. Now the second start is refused while the first is open."""
    a, b, c = orgs
    run1 = start_annual_run(programme_year=programme_year, actor=staff,
                            counts={a.code: 100, b.code: 100, c.code: 100}, source="取込み: 第1版.csv")
    advance_annual_run(run_id=run1.pk, actor=staff, chunk_size=1)  # creates A only
    with pytest.raises(CaseActionError, match="処理中"):
        start_annual_run(programme_year=programme_year, actor=staff, counts={b.code: 5}, source="取込み: 第2版.csv")
    run_to_completion(run_id=run1.pk, actor=staff)
    created_by_run1 = dict(GrantCase.objects.values_list("organization__code", "household_count"))
    assert created_by_run1 == {a.code: 100, b.code: 100, c.code: 100}


# Attacks on scoping and roles: another association's data, ended terms, wrong roles, separation of duties.


def test_auditor_cannot_step_a_run(client, programme_year, staff, auditor) -> None:  # type: ignore[no-untyped-def]
    factories.AssociationFactory()
    run = start_annual_run(programme_year=programme_year, actor=staff)
    response = login(client, auditor).post(reverse("annual_run_step", args=[run.pk]), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not GrantCase.objects.exists()
