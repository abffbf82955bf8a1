"""The task the worker runs for every job (django-tasks, database backend)."""
import tempfile

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .models import Job, JobStatus
from .registry import KINDS

# Progress is written at most this often (units), so a million-row export does not write a million times.
PROGRESS_EVERY = 5_000


@task()
def run_job(job_id: int) -> None:
    """Run job ``job_id``: mark it running, call its kind's function with a progress callback, keep the file.
    Any error marks the job failed with its message; the exception is re-raised for the worker's log."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.QUEUED:
            return  # already taken by another worker, or cancelled
        job.status, job.started_at = JobStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    last = [0]

    def progress(done: int, total: int | None = None) -> None:
        if total is not None:
            Job.objects.filter(pk=job_id).update(total=total, done=min(done, total))
            last[0] = done
        elif done - last[0] >= PROGRESS_EVERY:
            Job.objects.filter(pk=job_id).update(done=done)
            last[0] = done

    try:
        with tempfile.TemporaryFile() as out:
            filename, content_type = KINDS[job.kind].run(job, progress, out)
            out.seek(0)
            job.file.save(filename, File(out), save=False)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.DONE, finished_at=timezone.now(), file=job.file.name, filename=filename,
            content_type=content_type, done=F("total"),
        )
    except Exception as exc:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), message=f"処理に失敗しました: {exc}"
        )
        raise
