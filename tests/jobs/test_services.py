"""Background jobs run by the real django-tasks database worker: queued on commit, progress, file, access."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.jobs.models import Job, JobStatus
from grants.jobs.services import JobError, request_job
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_export_job_runs_in_worker_and_file_is_downloadable(client, programme_year, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳",
                          params={"programme_year": programme_year.pk})
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.percent) == (JobStatus.DONE, 100)
    client.login(username=auditor.username, password=PASSWORD)
    status = client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert status["status"] == "done"
    response = client.get(reverse("job_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "台帳" in book.sheetnames


def test_association_head_may_not_request_or_see_exports(client, programme_year, association_head, auditor, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(JobError):
        request_job(kind="programme_year_workbook", actor=association_head, title="x",
                    params={"programme_year": programme_year.pk})
    job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳",
                      params={"programme_year": programme_year.pk})
    client.login(username=association_head.username, password=PASSWORD)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_failed_job_keeps_its_message(programme_year, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳", params={"programme_year": 0})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "処理に失敗しました" in job.message
