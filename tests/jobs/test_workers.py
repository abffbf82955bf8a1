"""Several job workers on one queue (production runs `manage.py db_worker` on more than one host, all on the same
database): they take jobs side by side, and no job runs twice.

Two threads, each with its own database connection, run the real django-tasks worker loop (its ``Worker``, as
`db_worker --batch` does) over jobs of a counting kind registered for the test only. A worker claims a task with
``SELECT … FOR UPDATE SKIP LOCKED`` and marks it running in the same transaction; ``run_job`` then moves the job
from 待機中 to 処理中 under its row lock (``workflow.perform(start_job)``), so even a job queued twice runs once.
Runs on PostgreSQL only: SQLite has no row locks (it locks the whole database, one worker at a time)."""
import threading
from collections import Counter
from typing import IO
from unittest import mock

import pytest
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from grants.core.models import AuditEvent
from grants.jobs.models import Job, JobStatus
from grants.jobs.registry import KINDS, JobKind, Progress
from grants.jobs.services import request_job
from grants.jobs.tasks import run_job
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

JOBS = 20


class CountingKind:
    """A job kind that counts each run of each job. The first job each worker runs waits (up to 30 s) until the
    other worker is running one too: the two are then busy at the same moment, and each has taken at least one. A
    worker that took the whole queue alone would break the wait, and that job would fail."""

    def __init__(self) -> None:
        self.runs: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.both_busy = threading.Barrier(2, timeout=30)
        self.waited = threading.local()

    def run(self, job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
        with self.lock:
            self.runs[job.pk] += 1
        if not getattr(self.waited, "done", False):
            self.waited.done = True
            self.both_busy.wait()
        progress(1, 1)
        return "", ""


@pytest.fixture
def counting():  # type: ignore[no-untyped-def]
    kind = CountingKind()
    job_kind = JobKind("test_counting", "件数を数える処理（試験用）", kind.run, lambda user: user.is_city_user)
    with mock.patch.dict(KINDS, {job_kind.name: job_kind}):
        yield kind


def _worker(worker_id: str) -> None:
    """The loop of `manage.py db_worker --batch --no-startup-delay --worker-id <worker_id>`: until the queue is
    empty."""
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id=worker_id, excluded_queue_names=[]).run()


def _run_two_workers() -> None:
    outcomes = run_together(lambda: _worker("host-a"), lambda: _worker("host-b"))
    assert outcomes == [None, None], outcomes


def test_two_workers_take_jobs_side_by_side_and_run_each_once(counting, staff) -> None:  # type: ignore[no-untyped-def]
    jobs = [request_job(kind="test_counting", actor=staff, title=f"処理 {i}") for i in range(JOBS)]
    assert DBTaskResult.objects.filter(status="READY").count() == JOBS  # queued at commit, nothing run yet

    _run_two_workers()

    assert counting.runs == Counter({job.pk: 1 for job in jobs})
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    for job in jobs:
        assert AuditEvent.objects.for_object(job).filter(action="start_job").count() == 1
        assert AuditEvent.objects.for_object(job).filter(action="finish_job").count() == 1
    tasks = list(DBTaskResult.objects.all())
    assert {task.status for task in tasks} == {"SUCCESSFUL"}
    assert all(len(task.worker_ids) == 1 for task in tasks)  # each task claimed by one worker, once
    taken = Counter(task.worker_ids[0] for task in tasks)
    assert set(taken) == {"host-a", "host-b"} and sum(taken.values()) == JOBS, taken


def test_a_job_queued_twice_runs_once_whichever_workers_take_its_two_tasks(counting, staff) -> None:  # type: ignore[no-untyped-def]
    """A second task for the same job (queued again by hand, or a worker that died after its claim and had the task
    reset) finds the job no longer 待機中 and does nothing: ``run_job``'s guard."""
    jobs = [request_job(kind="test_counting", actor=staff, title=f"処理 {i}") for i in range(JOBS)]
    for job in jobs:
        run_job.enqueue(job.pk)
    assert DBTaskResult.objects.filter(status="READY").count() == 2 * JOBS

    _run_two_workers()

    assert counting.runs == Counter({job.pk: 1 for job in jobs})
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    for job in jobs:
        assert AuditEvent.objects.for_object(job).filter(action="start_job").count() == 1
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == 2 * JOBS and {task.status for task in tasks} == {"SUCCESSFUL"}
    assert {task.worker_ids[0] for task in tasks} == {"host-a", "host-b"}
