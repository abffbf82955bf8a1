"""Background jobs run by the real django-tasks database worker: queued on commit, progress, file, access."""
import dataclasses
import io
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grants.accounts.models import Role
from grants.jobs.models import Job, JobStatus
from grants.jobs.registry import KINDS, JobRefused
from grants.jobs.services import JobError, request_job
from tests.cases.steps import login

pytestmark = pytest.mark.django_db


def test_export_job_runs_in_worker_and_file_is_downloadable(client, programme_year, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳",
                          params={"programme_year": programme_year.pk})
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.percent) == (JobStatus.DONE, 100)
    client.force_login(auditor)
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
    client.force_login(association_head)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_failed_job_keeps_its_message(programme_year, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳", params={"programme_year": 0})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "処理に失敗しました" in job.message


def test_regression_a_refusal_quoting_a_nul_byte_still_fails_the_job(programme_year, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    """A refusal quoting what the user sent (a NUL from a file) could not be stored on PostgreSQL, and the job
    stayed 処理中 for ever."""
    def refuse(job, progress, out):  # type: ignore[no-untyped-def]
        raise JobRefused("「AB\x00C」は登録されている団体の団体コードではありません。")

    kind = dataclasses.replace(KINDS["programme_year_workbook"], run=refuse)
    with mock.patch.dict(KINDS, {"programme_year_workbook": kind}):
        with django_capture_on_commit_callbacks(execute=True):
            job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳",
                              params={"programme_year": programme_year.pk})
        run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "「ABC」は登録されている団体の団体コードではありません。"


# Background jobs and exports attacked: heads on /jobs/, other users' job ids and files, a role change after
# the request, failed jobs, exports of years that do not exist, formula-looking and markup-shaped names in the
# CSV and the workbook, the fiscal-year workbook of an empty year.


@pytest.fixture
def done_job(programme_year, auditor, django_capture_on_commit_callbacks, run_worker):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=auditor, title="台帳",
                          params={"programme_year": programme_year.pk})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    return job


def test_head_lists_no_one_elses_job_and_cannot_fetch_it(client, association_head, done_job) -> None:  # type: ignore[no-untyped-def]
    login(client, association_head)
    page = client.get(reverse("job_list"))
    assert page.status_code in (200, 403)
    assert done_job.title not in page.content.decode() or page.status_code == 403
    for name in ("job_detail", "job_download"):
        assert client.get(reverse(name, args=[done_job.pk])).status_code == 404
    assert client.get(reverse("job_detail", args=[done_job.pk]), HTTP_ACCEPT="application/json").status_code == 404


@pytest.mark.parametrize("pk", [0, 999_999, 2**63 - 1, 10**30])
def test_unknown_job_ids_are_404(client, staff, pk) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.raise_request_exception = False
    assert client.get(f"/jobs/{pk}/download/").status_code == 404
    assert client.get(f"/jobs/{pk}/").status_code == 404


def test_regression_role_change_keeps_the_city_wide_workbook_downloadable(client, staff, programme_year, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (grants/jobs/services.py visible_jobs; grants/jobs/views.py job_download): a non-city user sees
    "their own" jobs whatever their kind, so a staff account that requested the auditor's workbook (every
    association's cases, amounts and audit trail) and is then turned into an 自治会長 account (role
    association_head) can still download it — and the notices batch PDF of every association — although
    neither the kind's ``may_request`` nor the head scoping allow it any more. Suggested fix: also require
    ``KINDS[job.kind].may_request(user)`` for a user's own jobs (i.e. filter ``kind__in=allowed`` for
    everyone)."""
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="programme_year_workbook", actor=staff, title="台帳",
                          params={"programme_year": programme_year.pk})
    run_worker()
    staff.role = Role.ASSOCIATION_HEAD
    staff.save()
    login(client, staff)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_city_users_share_jobs_by_design(client, staff, done_job) -> None:  # type: ignore[no-untyped-def]
    """Decision recorded: staff and auditors see every job of a kind they may request (visible_jobs)."""
    login(client, staff)
    assert client.get(reverse("job_download", args=[done_job.pk])).status_code == 200


def test_failed_job_has_no_download(client, auditor, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="ledger_csv", actor=auditor, title="x", params={"programme_year": 999_999})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    login(client, auditor)
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404
    status = client.get(reverse("job_detail", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert status["status"] == "failed" and status["percent"] < 100


@pytest.mark.parametrize("params", [{}, {"programme_year": "1 OR 1=1"}, {"programme_year": None},
                                    {"programme_year": [1, 2]}, {"fiscal_year": "abc"}])
def test_malformed_params_fail_the_job_without_a_file(auditor, django_capture_on_commit_callbacks, run_worker, params) -> None:  # type: ignore[no-untyped-def]
    kind = "fiscal_year_workbook" if "fiscal_year" in params else "programme_year_workbook"
    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind=kind, actor=auditor, title="x", params=params)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file


def test_unknown_kind_and_head_requests_are_refused(association_head, staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(JobError):
        request_job(kind="shell", actor=staff, title="x")
    for kind in ("programme_year_workbook", "fiscal_year_workbook", "ledger_csv", "notices_batch"):
        with pytest.raises(JobError):
            request_job(kind=kind, actor=association_head, title="x", params={})
