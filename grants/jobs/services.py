"""Requesting background work."""
from django.db import transaction
from django.db.models import QuerySet

from grants.accounts.models import User
from grants.core.models import record_event

from .models import Job
from .registry import KINDS
from .tasks import run_job


class JobError(Exception):
    """The job cannot be requested; the message is in Japanese."""


def request_job(*, kind: str, actor: User, title: str, params: dict[str, object] | None = None) -> Job:
    """Record a job of ``kind`` for ``actor`` and queue it once the transaction commits.

    Raises ``JobError`` for an unknown kind or a user who may not request it."""
    job_kind = KINDS.get(kind)
    if job_kind is None:
        raise JobError("この処理は登録されていません。")
    if not job_kind.may_request(actor):
        raise JobError("この処理を依頼する権限がありません。")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params or {}, requested_by=actor)
        record_event(actor=actor, subject=job, action="request_job", note=title)
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def visible_jobs(user: User) -> QuerySet[Job]:
    """Jobs a user may see, of the kinds they may request now (a change of role takes effect at once): every
    such job for city staff, their own otherwise."""
    allowed = [name for name, k in KINDS.items() if k.may_request(user)]
    jobs = Job.objects.filter(kind__in=allowed)
    return jobs if user.is_city_user else jobs.filter(requested_by=user)
