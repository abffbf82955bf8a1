"""Notices attacked: another association's PDF, a past head, huge ids, numbering under rolled-back acts,
applicant text shaped like HTML/CSS (nothing fetched, nothing rendered as markup), batch printing by a head
and the printed file downloaded by someone else."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases import services
from grants.jobs.models import Job, JobStatus
from grants.notices.models import Notice, NoticeKind
from grants.organizations.models import Representative
from tests.cases.steps import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_notice(other_case, staff, staff2, approver):  # type: ignore[no-untyped-def]
    services.submit_application(case_id=other_case.pk, actor=staff2)
    services.verify_application(case_id=other_case.pk, actor=staff)
    services.decide_grant(case_id=other_case.pk, actor=approver)
    return Notice.objects.get(case=other_case, kind=NoticeKind.DECISION)


def test_head_cannot_open_another_associations_notice(client, association_head, decided_case, other_notice) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    own = Notice.objects.get(case=decided_case)
    assert client.get(reverse("notice_pdf", args=[own.pk])).status_code == 200
    assert client.get(reverse("notice_pdf", args=[other_notice.pk])).status_code == 404


def test_former_head_loses_access_when_the_term_ends(client, association_head, decided_case) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.get(case=decided_case)
    Representative.objects.filter(user=association_head).update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    login(client, association_head)
    assert client.get(reverse("notice_pdf", args=[notice.pk])).status_code == 404


@pytest.mark.parametrize("pk", [0, 999_999, 2**31, 2**63 - 1, 2**63, 10**40])
def test_unknown_and_huge_notice_ids_are_404(client, staff, pk) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.raise_request_exception = False
    assert client.get(f"/notices/{pk}/pdf/").status_code == 404


def test_post_and_anonymous_are_refused(client, decided_case) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.get(case=decided_case)
    response = client.get(reverse("notice_pdf", args=[notice.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_head_cannot_request_batch_printing(client, association_head, decided_case, programme_year) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.post(reverse("notices_print", args=[programme_year.pk])).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.parametrize("kind", ["bogus", "decision' OR 1=1", "DECISION"])
def test_unknown_kind_queues_nothing(client, staff, decided_case, programme_year, kind) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.post(reverse("notices_print", args=[programme_year.pk]), {"kind": kind}).status_code == 302
    assert not Job.objects.exists()


def test_unknown_year_is_404(client, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    assert client.post(reverse("notices_print", args=[999_999])).status_code == 404
    assert client.get(reverse("notices_print", args=[1])).status_code == 405


def test_printed_batch_is_not_for_heads_but_for_other_city_users(client, staff, auditor, association_head, decided_case, programme_year, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices_print", args=[programme_year.pk]), {"kind": ""})
    job = Job.objects.get()
    assert response.url == reverse("job_detail", args=[job.pk])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    client.logout()
    login(client, association_head)  # their own association's notice is in it, but not only theirs
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    client.logout()
    login(client, auditor)  # by design every city user sees batch printing jobs
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 200
