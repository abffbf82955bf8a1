"""The selection of a call (採択): staff prepare it from the panel's ranking, within the call's budget, with a
reason for every 不採択; an approver who did not prepare it decides it, and every application of the call then
becomes 採択 or 不採択 (the case edges ``select`` / ``not_select``), each with its notice, in one act.

Errors: ``SelectionError`` (Japanese); ``Selection.DoesNotExist`` for a selection the user may not see (404).
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.cases.lifecycle import take
from grants.cases.models import GrantCase
from grants.core import workflow
from grants.core.models import AuditEvent, record_event
from grants.core.money import yen
from grants.core.workflow import Act, Edge, Machine

from .models import Call, ProjectPlan, Selection, SelectionLine, SelectionStatus
from .panel import Ranked, ranking
from .workflows import SCREENING


class SelectionError(workflow.ActionRefused):
    """The act on a selection is not allowed, or its input is wrong; the message is for the user, in Japanese."""


def visible_selections(user: User) -> QuerySet[Selection]:
    if not user.is_authenticated or not user.is_city_user:
        return Selection.objects.none()
    return Selection.objects.all()


SELECTION: Machine[Selection] = workflow.register(Machine(
    name="selection", label="採択", model="competitive.Selection",
    states=dict(SelectionStatus.choices),
    edges=(
        Edge("propose_selection", "採択案を決裁に回す", frozenset({SelectionStatus.DRAFT}), SelectionStatus.PROPOSED,
             frozenset({Role.STAFF}), records="prepared_by", stamps="proposed_at",
             effects=("check_selection_lines",), role_refusal="採択案の作成は担当職員のみが行えます。"),
        Edge("return_selection", "採択案を差し戻す", frozenset({SelectionStatus.PROPOSED}), SelectionStatus.DRAFT,
             frozenset({Role.APPROVER}), note_required=True, tone="secondary",
             role_refusal="採択案の差戻しは決裁者のみが行えます。"),
        Edge("decide_selection", "採択を決定する", frozenset({SelectionStatus.PROPOSED}), SelectionStatus.APPROVED,
             frozenset({Role.APPROVER}), ("prepared_by",), records="decided_by", stamps="decided_at",
             effects=("check_selection_lines",), then=("apply_selection",),
             role_refusal="採択の決定は決裁者のみが行えます。"),
    ),
    visible=lambda user: visible_selections(user), related=("call",), error=SelectionError,
    separation={"prepared_by": "採択案を作成した方は、同じ採択を決定できません。"},
    activities=(
        workflow.Activity("edit_selection", frozenset({SelectionStatus.DRAFT}), frozenset({Role.STAFF}),
                          "決裁に回した採択案は変更できません。"),
    ),
))


def _lines_refusal(selection: Selection) -> str | None:
    """Why the selection's lines cannot be decided (Japanese), or None (``rows_refusal`` on the saved lines)."""
    return rows_refusal(selection.call, list(selection.lines.select_related("case")))


def rows_refusal(call: Call, lines: list[SelectionLine]) -> str | None:
    """Why ``lines`` (each with its ``case``) cannot be the selection of ``call`` (Japanese), or None: every
    application in screening has a line, a 不採択 has its reason, a 採択 an amount of 1 yen up to what it
    applied for (申請額), and the selected amounts (whole yen) fit in the call's budget (予算額)."""
    in_screening = set(ProjectPlan.objects.filter(call=call, case__status=SCREENING).values_list("case_id", flat=True))
    if not lines and not in_screening:
        return "この募集には審査中の申請がないため、採択案を作れません。"
    missing = in_screening - {line.case_id for line in lines}
    if missing:
        return f"審査中の申請{len(missing)}件について、採択・不採択を決めてください。"
    for line in lines:
        if line.case_id not in in_screening:
            return f"「{line.case.project_title}」は審査中ではないため、採択案に含められません。"
        if line.selected and not 1 <= line.amount <= (line.case.applied_amount or 0):
            return (f"「{line.case.project_title}」の採択額: 1円以上、"
                    f"申請額 {yen(line.case.applied_amount)} 以下にしてください。")
        if not line.selected and not line.reason.strip():
            return f"「{line.case.project_title}」の不採択の理由を入力してください。"
    total = sum(line.amount for line in lines if line.selected)
    if total > call.budget:
        return f"採択額の合計 {yen(total)} が予算額 {yen(call.budget)} を超えています。"
    return None


def selection_of(call: Call) -> Selection | None:
    """The selection of ``call``, or None before staff first prepare it."""
    return Selection.objects.filter(call=call).select_related("prepared_by", "decided_by").first()


def last_return_note(selection: Selection) -> str:
    """The approver's note of the latest return of ``selection`` (差戻しの理由), or ""."""
    event = (AuditEvent.objects.for_object(selection).filter(action="return_selection").order_by("-pk").first())
    return event.note if event is not None else ""


@workflow.effect("check_selection_lines")
def _check_lines(act: Act[Selection]) -> None:
    refusal = _lines_refusal(act.obj)
    if refusal:
        raise SelectionError(refusal)


@workflow.effect("apply_selection")
def _apply(act: Act[Selection]) -> None:
    """Each application of the selection becomes 採択 or 不採択 on the case rail, with its notice, in this act."""
    for line in act.obj.lines.select_related("case").order_by("rank", "pk"):
        if line.selected:
            take(line.case_id, "select", actor=act.actor, part_of=act,
                 note=f"採択（採択額 {yen(line.amount)}）")
        else:
            take(line.case_id, "not_select", actor=act.actor, part_of=act, note=line.reason)


def _sent_refusal(case: GrantCase, *, lock: bool = False) -> str | None:
    """Why ``case`` may not be put to the panel now (Japanese), or None: its call's selection has gone to the
    approver or been decided, so an application accepted now would have no line in it (and, once decided, would
    stay 審査中 for ever). ``lock`` waits for a decision being taken on the selection's row."""
    plan = ProjectPlan.objects.filter(case=case).only("call_id").first()
    rows = Selection.objects.filter(call_id=plan.call_id) if plan is not None else Selection.objects.none()
    sel = (rows.select_for_update() if lock else rows).only("status").first()
    if sel is None or sel.status == SelectionStatus.DRAFT:
        return None
    if sel.status == SelectionStatus.PROPOSED:
        return "この募集の採択案は決裁に回っています。受け付けるには、先に採択案を差し戻してもらってください。"
    return "この募集の採択はすでに決定しているため、審査会に付すことはできません。"


@workflow.guard("selection_not_sent")
def _not_sent(case: GrantCase, user: Any) -> str | None:
    """The 受付 button is disabled, with the reason, once the call's selection has gone to the approver."""
    return _sent_refusal(case)


@workflow.effect("selection_not_sent")
def _not_sent_locked(act: Act[GrantCase]) -> None:
    """The same, on the locked selection row: a 受付 racing the decision waits for it and is then refused."""
    refusal = _sent_refusal(act.obj, lock=True)
    if refusal:
        raise SelectionError(refusal)


@workflow.effect("within_selected_amount")
def _within_selected(act: Act[GrantCase]) -> None:
    """The 審査 of a selected application (査定額, whole yen) stays within its 採択額: the selection reserved that
    much of the call's budget (予算額), and a higher 交付決定 would spend what other applications were refused for
    (GRANTS.md §3 step 2–3: 採択 then 交付決定, "possibly lower than applied for")."""
    line = (SelectionLine.objects.filter(case=act.obj, selected=True, selection__status=SelectionStatus.APPROVED)
            .only("amount").first())
    assessed = act.params.get("assessed_amount")
    if line is None or isinstance(assessed, bool) or not isinstance(assessed, int):
        return
    if assessed > line.amount:
        raise SelectionError(f"査定額: 採択額 {yen(line.amount)} を超える額にはできません"
                             "（採択額は募集の予算額の範囲で決定しています）。")


def prepare(*, call_id: int, actor: User, lines: list[dict[str, Any]]) -> Selection:
    """Write the selection (採択案) of call ``call_id`` from ``lines``, one per application in screening (each
    ``case_id``, ``selected``, ``amount`` in whole yen for a 採択, ``reason`` for a 不採択), with rank and
    weighted score from the panel's ranking. Replaces the lines of a draft; refused once proposed.

    Raises ``SelectionError`` (Japanese, naming the line or the amount) for a role other than staff, a
    selection already sent to the approver, an application missing or twice, an amount that is not 1 yen up to
    the amount applied for, a 不採択 without its reason, or selected amounts over the call's budget: nothing
    is written then. ``Call.DoesNotExist`` for a call the user may not see."""
    if actor.role != Role.STAFF:
        raise SelectionError("採択案の作成は担当職員のみが行えます。")
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        selection, _ = Selection.objects.get_or_create(call=call)
        selection = workflow.access(SELECTION, actor, selection.pk, lock=True)
        workflow.require(SELECTION, selection, actor, "edit_selection")
        rows = _rows(selection, {r.plan.case_id: r for r in ranking(call)}, lines)
        refusal = rows_refusal(call, rows)
        if refusal:
            raise SelectionError(refusal)
        selection.lines.all().delete()
        SelectionLine.objects.bulk_create(rows)
        chosen = [r for r in rows if r.selected]
        record_event(actor=actor, subject=call, action="prepare_selection",
                     note=f"採択案 {len(chosen)}件採択（{yen(sum(r.amount for r in chosen))}）・"
                          f"{len(rows) - len(chosen)}件不採択")
    return selection


def _rows(selection: Selection, ranked: dict[int, Ranked], lines: list[dict[str, Any]]) -> list[SelectionLine]:
    """The unsaved lines of ``selection`` from the posted ``lines``; ``SelectionError`` naming the line."""
    seen: set[int] = set()
    rows = []
    for number, data in enumerate(lines, start=1):
        case_id = data.get("case_id")
        if not isinstance(case_id, int) or case_id not in ranked or case_id in seen:
            raise SelectionError(f"{number}行目: この募集の審査中の申請を1回ずつ選んでください。")
        seen.add(case_id)
        selected = bool(data.get("selected"))
        amount = data.get("amount") if selected else 0
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise SelectionError(f"{number}行目 採択額: 0以上の整数（円）で入力してください。")
        r = ranked[case_id]
        rows.append(SelectionLine(selection=selection, case=r.plan.case, rank=r.rank, weighted_score=int(r.score),
                                  selected=selected, amount=amount,
                                  reason="" if selected else str(data.get("reason") or "").strip()))
    return rows
