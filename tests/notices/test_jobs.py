"""The batch printing job of a programme-year's notices (grants/notices/jobs.py) with parameters it cannot use."""
import pytest

from grants.jobs.models import JobStatus

pytestmark = pytest.mark.django_db


def test_job_of_a_deleted_notice_kind_param_fails_cleanly(staff, programme_year, decided_case, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    from grants.jobs.services import request_job

    with django_capture_on_commit_callbacks(execute=True):
        job = request_job(kind="notices_batch", actor=staff, title="x",
                          params={"programme_year": programme_year.pk, "kind": "<script>"})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
