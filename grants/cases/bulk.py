"""Bulk acts on grant cases (一括の手続): one edge of the case workflows taken on many cases, as if one by one.

Staff verify, decide, draft the payment orders of and approve about 770 cases a year. ``bulk_perform`` takes one
edge on each case of a list through the same service a case page's button uses (``services.act``, hence
``grants.core.workflow.perform``), each case in its own transaction: each gets its own audit row, ledger
posting, notice and お知らせ, and separation of duties holds per case (the 決裁者 who verified one case is refused
that case alone). A case the rail refuses (its role, separation of duties, its state, a failed check, the budget,
a case the actor may not see) is set aside with the rail's reason and nothing is written for it; the others go on.

Only an edge a page offers as a plain button, needing neither a note nor typed input, and not one of the
applicant's own steps (a submission on the group's behalf needs the group's paper, case by case), may be taken
in bulk (``bulk_edges``); and only by city staff. A large selection runs in the background worker as a job
(``queue_bulk_act``, the ``case_bulk_act`` kind): the job keeps the result, and its page links to it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.urls import reverse

from grants.accounts.models import Role, User
from grants.core.wording import past_polite
from grants.core.workflow import ActionRefused, Edge
from grants.jobs.models import Job
from grants.jobs.registry import JobKind, JobRefused, Progress, city_users_only, register
from grants.jobs.services import request_job

from . import services
from .models import GrantCase
from .workflows import WORKFLOWS, CaseActionError

KIND = "case_bulk_act"
NOT_FOUND = "案件が見つかりません。"
CITY_ONLY = "一括の手続は市の職員のみが行えます。"
NOT_BULK = "この手続は一括では行えません。案件の画面から1件ずつ行ってください。"
NO_ROLE = "この操作を行う権限がありません。"
NOTHING = "対象の案件が選ばれていません。"
INACTIVE = "依頼した利用者のアカウントが無効になったため、一括の手続は行っていません。"


def _bulkable(edge: Edge) -> bool:
    """A plain button on the case page that needs nothing typed, taken by the city (not the applicant's step)."""
    return (edge.page == "button" and not edge.note_required and not edge.needs
            and Role.ASSOCIATION_HEAD not in edge.roles)


def bulk_edges(user: User) -> dict[str, str]:
    """The edges ``user``'s role may take in bulk, by name, with their label (the first workflow's wording): what
    the case list's bulk form offers. Empty for anyone but city staff."""
    if not user.is_authenticated or not user.is_city_user:
        return {}
    found: dict[str, str] = {}
    for flow in WORKFLOWS.values():
        for edge in flow.machine.edges:
            if _bulkable(edge) and user.role in edge.roles:
                found.setdefault(edge.name, edge.label)
    return found


def bulk_label(edge: str, user: User) -> str:
    """The label of ``edge`` when ``user`` may take it in bulk; ``CaseActionError`` with the reason otherwise."""
    if not user.is_authenticated or not user.is_city_user:
        raise CaseActionError(CITY_ONLY)
    labels = bulk_edges(user)
    if edge in labels:
        return labels[edge]
    if any(_bulkable(e) for flow in WORKFLOWS.values() for e in flow.machine.edges if e.name == edge):
        raise CaseActionError(NO_ROLE)
    raise CaseActionError(NOT_BULK)


@dataclass(frozen=True)
class SetAside:
    """A case the act left aside, with the rail's reason (Japanese)."""

    case_id: int
    reason: str


@dataclass
class BulkResult:
    """What a bulk act did: ``done`` the ids of the cases acted on, ``set_aside`` the others with their reason."""

    edge: str
    label: str
    done: list[int] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.set_aside)

    def message(self) -> str:
        """「32件を交付決定しました。2件は対象外にしました。」 (「支出を承認しました（32件）。」 for a label with its
        own object)."""
        verb = past_polite(self.label)
        if not self.done:
            text = f"「{self.label}」を行った案件はありません。"
        elif "を" in verb:
            text = f"{verb}（{len(self.done)}件）。"
        else:
            text = f"{len(self.done)}件を{verb}。"
        if self.set_aside:
            text += f"{len(self.set_aside)}件は対象外にしました。"
        return text

    def as_json(self) -> dict[str, Any]:
        return {"edge": self.edge, "label": self.label, "done": self.done,
                "set_aside": [[s.case_id, s.reason] for s in self.set_aside]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BulkResult:
        return cls(edge=str(data["edge"]), label=str(data["label"]), done=[int(pk) for pk in data["done"]],
                   set_aside=[SetAside(int(pk), str(reason)) for pk, reason in data["set_aside"]])


def bulk_perform(*, edge: str, case_ids: Iterable[int], actor: User,
                 progress: Callable[[int, int], None] | None = None) -> BulkResult:
    """Take ``edge`` on each case of ``case_ids`` (in the order of their ids, each once) as ``actor``, each in its
    own transaction through ``services.act`` — exactly the act of the case page's button. A refusal of the rail
    sets the case aside with its reason and writes nothing for it. Raises ``CaseActionError`` (nothing done) for
    an actor who is not city staff or an edge that may not be taken in bulk (``bulk_label``).
    ``progress(done, total)`` is called as the cases are taken."""
    label = bulk_label(edge, actor)
    ids = sorted({int(pk) for pk in case_ids})
    result = BulkResult(edge=edge, label=label)
    for number, pk in enumerate(ids, start=1):
        if number > 1:
            # A long act (a job of 770 cases takes minutes) reads its actor again before each case: a role taken
            # away or an account closed meanwhile acts on no further case, as a new request would be refused.
            actor.refresh_from_db(fields=["role", "is_active"])
        if not actor.is_active:
            result.set_aside.append(SetAside(pk, INACTIVE))
            continue
        try:
            services.act(case_id=pk, edge=edge, actor=actor)
        except GrantCase.DoesNotExist:
            result.set_aside.append(SetAside(pk, NOT_FOUND))
        except ActionRefused as exc:
            result.set_aside.append(SetAside(pk, str(exc)))
        else:
            result.done.append(pk)
        if progress is not None:
            progress(number, len(ids))
    return result


# -- in the background -----------------------------------------------------------------------------------------

def queue_bulk_act(*, edge: str, case_ids: Iterable[int], actor: User) -> Job:
    """Queue the bulk act of ``edge`` on ``case_ids`` as ``actor`` for the worker. Raises ``CaseActionError`` at
    once for what ``bulk_perform`` would refuse as a whole (nothing queued)."""
    label = bulk_label(edge, actor)
    ids = sorted({int(pk) for pk in case_ids})
    if not ids:
        raise CaseActionError(NOTHING)
    return request_job(kind=KIND, actor=actor, title=f"一括の手続: {label}（{len(ids):,}件）",
                       params={"edge": edge, "cases": ids})


def _bulk_act(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    step = max(1, len(job.params["cases"]) // 50)

    def report(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            progress(done, total)

    if not job.requested_by.is_active:  # the account was closed since the request: it acts no more
        raise JobRefused(INACTIVE)
    try:
        result = bulk_perform(edge=job.params["edge"], case_ids=job.params["cases"], actor=job.requested_by,
                              progress=report)
    except CaseActionError as exc:  # the requester's role changed since: nothing done
        raise JobRefused(str(exc)) from exc
    Job.objects.filter(pk=job.pk).update(params={**job.params, "result": result.as_json()},
                                         message=result.message())
    return "", ""


def job_result(job: Job) -> BulkResult | None:
    """The result a bulk job kept, or None while it runs (or for a job of another kind)."""
    data = job.params.get("result") if job.kind == KIND else None
    return BulkResult.from_json(data) if data else None


def _result(job: Job) -> tuple[str, str] | None:
    return ("結果（行った案件と対象外の案件）を開く", reverse("case_bulk_result", args=[job.pk])) \
        if job.params.get("result") else None


BULK_ACT = register(JobKind(KIND, "案件の一括の手続", _bulk_act, city_users_only, result=_result))
