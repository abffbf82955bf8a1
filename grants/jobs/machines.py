"""The machine of a background job (``grants.core.workflow``): queued → running → done or failed, taken by the
worker (the system), each step on the audit trail."""
from typing import Any

from django.db.models import QuerySet

from grants.core import workflow
from grants.core.workflow import SYSTEM, Edge, Machine

from .models import Job, JobStatus


def _any(user: Any) -> QuerySet[Job]:
    return Job.objects.all()


WORKER = frozenset({SYSTEM})

JOB: Machine[Job] = workflow.register(Machine(
    name="job", label="バックグラウンド処理", model="jobs.Job",
    states=dict(JobStatus.choices),
    edges=(
        Edge("start_job", "開始", frozenset({JobStatus.QUEUED}), JobStatus.RUNNING, WORKER, stamps="started_at",
             page=""),
        Edge("finish_job", "完了", frozenset({JobStatus.RUNNING}), JobStatus.DONE, WORKER, stamps="finished_at",
             page=""),
        Edge("fail_job", "失敗", frozenset({JobStatus.RUNNING}), JobStatus.FAILED, WORKER, stamps="finished_at",
             page=""),
    ),
    visible=_any,
))
