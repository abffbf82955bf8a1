"""The task the worker runs for every job (django-tasks, database backend)."""
import tempfile

from django.core.files import File
from django.db.models import F
from django_tasks import task

from grants.core import workflow

from .machines import JOB
from .models import Job
from .registry import KINDS, JobRefused

# Progress is written at most this often (units), so a million-row export does not write a million times.
PROGRESS_EVERY = 5_000


@task()
def run_job(job_id: int) -> None:
    """Run job ``job_id``: mark it running, call its kind's function with a progress callback, keep the file.
    Any error marks the job failed with its message; the exception is re-raised for the worker's log."""
    try:
        job = workflow.perform(JOB, job_id, "start_job", actor=None)
    except workflow.ActionRefused:
        return  # already taken by another worker, or cancelled
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
            if filename:
                out.seek(0)
                job.file.save(filename, File(out), save=False)
        Job.objects.filter(pk=job_id).update(file=job.file.name or "", filename=filename, content_type=content_type,
                                             done=F("total"))
        workflow.perform(JOB, job_id, "finish_job", actor=None, note=filename or job.title[:200])
    except JobRefused as exc:
        _fail(job_id, str(exc))
    except Exception as exc:
        _fail(job_id, f"処理に失敗しました: {exc}")
        raise


def _fail(job_id: int, message: str) -> None:
    """Mark the job failed with ``message`` (its first line on the audit row). Characters a database cannot store
    (NUL, which PostgreSQL refuses in text) are dropped first, so that recording the failure cannot fail and leave
    the job 処理中 for ever."""
    message = message.replace("\x00", "")
    Job.objects.filter(pk=job_id).update(message=message)
    workflow.perform(JOB, job_id, "fail_job", actor=None, note=(message.splitlines() or [""])[0][:200])
