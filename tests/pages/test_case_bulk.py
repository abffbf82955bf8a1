"""The case list's bulk acts (pages/cases/bulk.py): the form and its checkboxes for city staff offered bulk edges
only; the confirmation counting the cases (ticked, or every case of the filter); the act within the request with
its result page, or a job above ``BULK_ACT_IN_REQUEST_MAX``; one act for a confirmation sent twice; applicants
refused at the door."""
import re

import pytest
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.bulk import KIND
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import SEPARATION
from grants.core.models import AuditEvent
from grants.jobs.models import Job, JobStatus
from tests import factories
from tests.cases.steps import association_case, login, messages_of, to_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(programme_year, staff) -> list[GrantCase]:  # type: ignore[no-untyped-def]
    proxy = factories.UserFactory(username="proxy", role=Role.STAFF)
    return [to_verified(association_case(programme_year), proxy, staff) for _ in range(3)]


def _confirmation(client, data):  # type: ignore[no-untyped-def]
    response = client.post(reverse("case_bulk"), data)
    assert response.status_code == 200, messages_of(response)
    html = response.content.decode()
    return html, {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]
                  for name in ("form_key", "edge", "cases", "confirm")}


def test_the_list_offers_staff_the_bulk_form_with_their_own_edges_and_applicants_nothing(  # type: ignore[no-untyped-def]
        client, case, staff, approver, association_head) -> None:
    page = login(client, approver).get(reverse("case_list")).content.decode()
    assert 'id="case-bulk"' in page and f'name="case" value="{case.pk}" form="case-bulk"' in page
    assert '<option value="decide">交付決定する</option>' in page and 'value="verify"' not in page
    assert 'value="refuse"' not in page  # needs a reason per case
    page = login(client, association_head).get(reverse("case_list")).content.decode()
    assert 'id="case-bulk"' not in page and 'name="case"' not in page


def test_an_applicant_is_refused_at_the_door_and_nothing_is_done(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.post(reverse("case_bulk"), {"edge": "submit", "scope": "selected", "case": [case.pk]}
                       ).status_code == 403
    assert client.post(reverse("case_bulk"), {"confirm": "1", "edge": "submit", "cases": str(case.pk)}
                       ).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.DRAFT and not AuditEvent.objects.filter(action="submit").exists()


def test_a_bulk_decision_confirms_the_count_then_decides_and_sets_aside_the_deciders_own(  # type: ignore[no-untyped-def]
        client, programme_year, verified, staff) -> None:
    mover = factories.UserFactory(username="moved", role=Role.STAFF)
    own = to_verified(association_case(programme_year), factories.UserFactory(username="p2", role=Role.STAFF), mover)
    mover.role = Role.APPROVER
    mover.save()
    login(client, mover)
    html, form = _confirmation(client, {"edge": "decide", "scope": "filter", "filter": "status=verified"})
    assert "次の<strong>4件</strong>の案件について「交付決定する」" in html
    assert form["cases"] == ",".join(str(pk) for pk in sorted([own.pk, *(c.pk for c in verified)]))
    assert not GrantCase.objects.filter(status=Status.DECIDED).exists()  # the confirmation does nothing

    response = client.post(reverse("case_bulk"), form)
    assert response.status_code == 200
    assert messages_of(response) == ["3件を交付決定しました。1件は対象外にしました。"]
    page = response.content.decode()
    assert SEPARATION["verified_by"] in page and f'href="{reverse("case_detail", args=[own.pk])}"' in page
    assert set(GrantCase.objects.filter(pk__in=[c.pk for c in verified]).values_list("status", flat=True)) == {
        Status.DECIDED}

    again = client.post(reverse("case_bulk"), form)  # the same confirmation sent twice: one act
    assert again.status_code == 302 and messages_of(client.get(again["Location"])) == [
        "3件を交付決定しました。1件は対象外にしました。"]
    assert AuditEvent.objects.filter(action="decide").count() == 3


def test_only_the_ticked_cases_are_confirmed(client, verified, approver) -> None:  # type: ignore[no-untyped-def]
    login(client, approver)
    html, form = _confirmation(client, {"edge": "decide", "scope": "selected", "case": [verified[0].pk, "x"]})
    assert form["cases"] == str(verified[0].pk) and "次の<strong>1件</strong>" in html


def test_nothing_ticked_or_a_refused_edge_goes_back_to_the_list_with_the_reason(  # type: ignore[no-untyped-def]
        client, verified, approver, staff) -> None:
    login(client, approver)
    response = client.post(reverse("case_bulk"), {"edge": "decide", "scope": "selected", "filter": "status=verified"})
    assert response.status_code == 302 and response["Location"] == reverse("case_list") + "?status=verified"
    assert "対象の案件が選ばれていません。" in messages_of(client.get(response["Location"]))[0]
    for edge, actor in (("refuse", approver), ("decide", staff)):
        login(client, actor)
        response = client.post(reverse("case_bulk"), {"confirm": "1", "edge": edge,
                                                      "cases": ",".join(str(c.pk) for c in verified)})
        assert response.status_code == 302
        assert messages_of(client.get(response["Location"]))
    assert not GrantCase.objects.exclude(status=Status.VERIFIED).filter(pk__in=[c.pk for c in verified]).exists()


def test_above_the_threshold_the_act_is_a_job_whose_page_lists_the_result(  # type: ignore[no-untyped-def]
        client, verified, approver, settings, django_capture_on_commit_callbacks, run_worker) -> None:
    settings.BULK_ACT_IN_REQUEST_MAX = 2
    login(client, approver)
    _, form = _confirmation(client, {"edge": "decide", "scope": "filter", "filter": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("case_bulk"), form)
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert not GrantCase.objects.filter(status=Status.DECIDED).exists()  # nothing decided in the request
    again = client.post(reverse("case_bulk"), form)
    assert again["Location"] == reverse("job_detail", args=[job.pk]) and Job.objects.filter(kind=KIND).count() == 1
    assert client.get(reverse("case_bulk_result", args=[job.pk])).status_code == 404  # not run yet
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 3, 3)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "3件を交付決定しました。" in page and reverse("case_bulk_result", args=[job.pk]) in page
    result = client.get(reverse("case_bulk_result", args=[job.pk])).content.decode()
    assert "3件を交付決定しました。" in result and "行った案件（3件）" in result and "対象外" not in result
    assert AuditEvent.objects.filter(action="decide", actor=approver).count() == 3


def test_the_result_page_of_another_kind_of_job_is_not_found(client, staff) -> None:  # type: ignore[no-untyped-def]
    job = Job.objects.create(kind="ledger_csv", title="台帳", requested_by=staff)
    assert login(client, staff).get(reverse("case_bulk_result", args=[job.pk])).status_code == 404
