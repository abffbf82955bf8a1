"""Notice pages: one notice's PDF (heads only for their own cases), the list on the case page and batch
printing through the real django-tasks worker."""

import pytest
from django.urls import reverse

from grants.core.models import AuditEvent
from grants.jobs.models import Job, JobStatus
from grants.jobs.services import JobError, request_job
from grants.notices.models import NoticeKind
from grants.notices.services import issue_notice
from tests.cases.steps import login
from tests.jobs.worker import run_worker
from tests.reports.pdf_tools import page_count

pytestmark = pytest.mark.django_db


# The notices' case (tests/conftest.py notice_case) is this module's case: decided_case and refused_case build on it.
@pytest.fixture
def case(notice_case):  # type: ignore[no-untyped-def]
    return notice_case


@pytest.fixture
def decision(decided_case, approver):  # type: ignore[no-untyped-def]
    return issue_notice(case=decided_case, kind=NoticeKind.DECISION, actor=approver)


@pytest.fixture
def refusal(refused_case, approver):  # type: ignore[no-untyped-def]
    return issue_notice(case=refused_case, kind=NoticeKind.REFUSAL, actor=approver)


def test_head_gets_the_pdf_of_their_own_notice(client, decision, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    response = client.get(reverse("notice_pdf", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert AuditEvent.objects.for_object(decision).filter(action="download_notice_pdf",
                                                          actor=association_head).count() == 1


def test_head_gets_404_for_another_associations_notice(client, decision, refusal, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert client.get(reverse("notice_pdf", args=[refusal.pk])).status_code == 404
    assert client.get(reverse("notice_pdf", args=[999_999])).status_code == 404
    assert not AuditEvent.objects.filter(action="download_notice_pdf").exists()


def test_city_users_get_any_notice_and_anonymous_users_none(client, decision, refusal, auditor) -> None:  # type: ignore[no-untyped-def]
    url = reverse("notice_pdf", args=[refusal.pk])
    assert client.get(url).status_code == 302  # to the login page
    login(client, auditor)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_case_page_lists_the_notices_with_links(client, decision, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    page = client.get(reverse("case_detail", args=[decision.case_id])).content.decode()
    assert 'id="notices"' in page and decision.document_number in page
    assert reverse("notice_pdf", args=[decision.pk]) in page
    assert page.index('id="notices"') < page.index("処理の履歴")


def test_case_page_without_notices_has_no_list(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    assert 'id="notices"' not in client.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_programme_year_page_has_the_print_button_for_city_users(client, programme_year, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    page = client.get(reverse("programme_year", args=[programme_year.pk])).content.decode()
    assert "通知書を一括印刷する" in page and reverse("notices_print", args=[programme_year.pk]) in page


def test_batch_print_runs_in_the_worker_and_the_pdf_has_every_notice(client, decision, refusal, programme_year, staff, django_capture_on_commit_callbacks, tmp_path) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices_print", args=[programme_year.pk]))
    job = Job.objects.get(kind="notices_batch")
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.params == {"programme_year": programme_year.pk, "kind": None}
    assert job.status == JobStatus.QUEUED
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 2, 2, 100), job.message
    assert job.content_type == "application/pdf" and job.filename.endswith(".pdf")
    download = client.get(reverse("job_download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF-") and page_count(pdf, tmp_path) >= 2


def test_batch_print_of_one_kind(client, decision, refusal, programme_year, staff, django_capture_on_commit_callbacks, tmp_path) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notices_print", args=[programme_year.pk]), {"kind": NoticeKind.REFUSAL})
    run_worker()
    job = Job.objects.get(kind="notices_batch")
    assert (job.status, job.total, job.params["kind"]) == (JobStatus.DONE, 1, "refusal")
    assert "refusal" in job.filename


def test_batch_print_refusals(client, decision, programme_year, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    url = reverse("notices_print", args=[programme_year.pk])
    login(client, association_head)
    assert client.post(url).status_code == 403
    with pytest.raises(JobError):
        request_job(kind="notices_batch", actor=association_head, title="x",
                    params={"programme_year": programme_year.pk})
    client.logout()
    login(client, staff)
    assert client.get(url).status_code == 405
    response = client.post(url, {"kind": "reminder"})
    assert response.status_code == 302 and response["Location"] == reverse("programme_year", args=[programme_year.pk])
    response = client.post(url, {"kind": NoticeKind.PAYMENT}, follow=True)  # there is no payment notice yet
    assert "印刷する通知書がありません" in response.content.decode()
    assert client.post(reverse("notices_print", args=[999_999])).status_code == 404
    assert not Job.objects.exists()


def test_job_without_notices_fails_with_a_message(programme_year, staff, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="notices_batch", actor=staff, title="通知書",
                          params={"programme_year": programme_year.pk})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "対象の通知書がありません" in job.message
