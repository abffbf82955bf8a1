"""The household-count import as a background job (``household_import``), for a file too large to be read
within the upload's request (``HOUSEHOLD_IMPORT_BACKGROUND_BYTES``).

The page keeps the uploaded file (``queue_household_import``) and queues the job; the worker reads and checks
every row (``imports.parse_household_counts``, progress per row) and, only when the whole file is right, opens
the annual run with its counts (``annual_run.start_annual_run``) — all or nothing, as the import in the request.
A file with errors fails the job with the errors, one a line; the job page shows them, or the link to the run.
The kept file is deleted once the job has read it. Staff only, as the annual run.
"""
from __future__ import annotations

import os
import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.jobs.models import Job
from grants.jobs.registry import JobKind, JobRefused, Progress, register
from grants.jobs.services import request_job
from grants.organizations.models import Measure
from grants.programmes.models import ProgrammeYear

from .annual_run import eligible_organizations, start_annual_run
from .imports import ImportRejected, parse_household_counts
from .workflows import CaseActionError

KIND = "household_import"
REFUSED = "ファイルを取り込めませんでした。次の誤りを直してから、もう一度取り込んでください（何も登録していません）。"


def counts_source(name: str, count: int) -> str:
    """The run's 「世帯数の出所」: 「取込み: counts.xlsx（770件）」, the name cut to fit."""
    shown = name if len(name) <= 120 else name[:117] + "…"
    return f"取込み: {shown}（{count}件）"


def queue_household_import(*, programme_year: ProgrammeYear, actor: User, name: str, data: bytes) -> Job:
    """Keep ``data`` (the uploaded file called ``name``) and queue its import for ``programme_year``. Raises
    ``JobError`` for a user who may not import (the file is then not kept)."""
    ext = os.path.splitext(name)[1].lower()[:10]
    path = default_storage.save(f"imports/{uuid.uuid4().hex}{ext}", ContentFile(data))
    shown = name if len(name) <= 60 else name[:57] + "…"
    try:
        return request_job(kind=KIND, actor=actor, title=f"世帯数の取込み（{programme_year}）: {shown}",
                           params={"programme_year": programme_year.pk, "path": path, "name": name})
    except Exception:
        default_storage.delete(path)
        raise


def _household_import(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    path = job.params["path"]
    try:
        with default_storage.open(path, "rb") as kept:
            data = kept.read()
    finally:
        default_storage.delete(path)
    year = ProgrammeYear.objects.select_related("programme").get(pk=job.params["programme_year"])
    codes = set(eligible_organizations(year).values_list("code", flat=True))
    try:
        parsed = parse_household_counts(job.params["name"], data, codes, list(Measure.objects.all()), progress)
        run = start_annual_run(programme_year=year, actor=job.requested_by, counts=parsed.counts,
                               source=counts_source(job.params["name"], len(parsed.counts)),
                               figures=parsed.figures)
    except ImportRejected as exc:
        raise JobRefused("\n".join([REFUSED, *exc.errors])) from exc
    except (CaseActionError, workflow.ActionRefused) as exc:
        raise JobRefused(str(exc)) from exc
    Job.objects.filter(pk=job.pk).update(
        params={**job.params, "annual_run": run.pk},
        message=f"{len(parsed.counts):,}団体の世帯数を取り込み、年次一括作成を開始しました。",
    )
    return "", ""


def _result(job: Job) -> tuple[str, str] | None:
    run = job.params.get("annual_run")
    return ("年次一括作成の画面を開く", reverse("annual_run", args=[run])) if run else None


def _staff(user: User) -> bool:
    return user.is_authenticated and user.role == Role.STAFF


HOUSEHOLD_IMPORT = register(JobKind(KIND, "世帯数の取込み", _household_import, _staff, result=_result))
