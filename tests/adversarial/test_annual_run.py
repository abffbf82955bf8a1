"""Attacks on the annual run: double starts, steps after done, wrong users, runs overlapping."""

import pytest
from django.urls import reverse

from grants.cases.annual_run import advance_annual_run, run_to_completion, start_annual_run
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from tests import factories
from tests.cases.steps import login

pytestmark = pytest.mark.django_db
BASE = factories.BASE_DATE


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
