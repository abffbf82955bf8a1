"""Assigning 評価委員 to closed cases (評価の割当) and their declaration of conflicts of interest (利益相反の申告).

Staff (協働推進課 担当) assign an active user of the role 評価委員 to a case that is closed (完了), choosing 相互評価
or 第三者評価. Refused (``EvaluationError``, Japanese): a case not closed, a programme-year without 評価項目, an
evaluator tied to the case's organisation — one of its officers or users, now or before, the same rule as the
panel's (``grants.competitive.panel.tied_organizations``) —, an evaluator already assigned to the case (whatever
became of that assignment: one per case and evaluator). Staff withdraw an assignment not yet submitted (the rail's
``withdraw``).

The evaluator declares, once, a conflict or none before the case and the score form are shown: a conflict
declines the assignment (the rail's ``decline``, with the reason); none lets them score (``grants.evaluation
.scoring``). An evaluator sees only their own assignments (``machines.visible_assignments``); a declined or
withdrawn one no longer opens its case (``open_assignment``: ``Assignment.DoesNotExist``, pages answer 404).
"""
from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.labels import ACTION_LABELS
from grants.cases.models import GrantCase
from grants.core import workflow
from grants.core.models import ACTION_NAMES, record_event

from .machines import ASSIGNMENT, TIED, EvaluationError, is_tied
from .models import Assignment, AssignmentStatus, Criterion, EvaluationKind

# The audit rows of this module and of ``scoring`` and ``publication``, in words.
_LABELS = {"assign_evaluator": "評価委員の割当", "declare_no_conflict": "利益相反なしの申告",
           "save_evaluation_draft": "評価の下書きの保存", "decide_evaluation_publication": "評価結果の公表の決定"}
ACTION_LABELS.update(_LABELS)
ACTION_NAMES.update(_LABELS)

#: The state of a case that may be evaluated (完了).
CLOSED = "closed"
#: The longest reason of a declared conflict, in characters.
REASON_MAX = 300
#: The note of the rail's ``decline`` (the reason itself is kept on the assignment, not in the case's history).
DECLINE_NOTE = "利益相反の申出による辞退"


def evaluators() -> QuerySet[User]:
    """The users staff may assign: active, of the role 評価委員, by name."""
    return User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("display_name", "username")


def assignment_refusal(case: GrantCase) -> str | None:
    """Why no evaluator may be assigned to ``case`` now (Japanese), or None."""
    if case.status != CLOSED:
        return "評価委員は、完了した案件にだけ割り当てられます。"
    if not Criterion.objects.filter(programme_year_id=case.programme_year_id).exists():
        return ("この事業・年度には評価項目がないため、評価委員を割り当てられません。"
                "評価項目を管理画面で登録してください。")
    return None


# What else an assignment does, in its transaction (the notifications app writes the evaluator's お知らせ, mailed
# after the commit): registered at start-up by the layers above (``on_assign``), which this one does not import.
_ON_ASSIGN: list[Callable[[Assignment, User], None]] = []


def on_assign(listener: Callable[[Assignment, User], None]) -> None:
    """Call ``listener(assignment, actor)`` after each new assignment, inside its transaction."""
    if listener not in _ON_ASSIGN:
        _ON_ASSIGN.append(listener)


def assign(*, case_id: int, evaluator_id: int, kind: str, actor: User) -> Assignment:
    """Assign 評価委員 ``evaluator_id`` to evaluate closed case ``case_id`` (``kind``: ``peer`` 相互評価 or
    ``third_party`` 第三者評価), as staff ``actor``. The case row is locked: two staff assigning at once land one
    after the other. Raises ``EvaluationError`` (Japanese) for the refusals of the module docstring and
    ``GrantCase.DoesNotExist`` for a case that does not exist."""
    if actor.role != Role.STAFF:
        raise EvaluationError("評価委員の割当は協働推進課の担当者が行います。")
    if kind not in EvaluationKind.values:
        raise EvaluationError("評価の種類: 相互評価か第三者評価を選んでください。")
    with transaction.atomic():
        case = GrantCase.objects.select_for_update().select_related("organization").get(pk=case_id)
        refusal = assignment_refusal(case)
        if refusal:
            raise EvaluationError(refusal)
        evaluator = evaluators().filter(pk=evaluator_id).first()
        if evaluator is None:
            raise EvaluationError("評価委員: 評価委員として登録された利用者を選んでください。")
        # The roles differ (staff never holds 評価委員), so the person who assigns never evaluates.
        assert evaluator.pk != actor.pk, "an evaluator assigned by themselves"
        if is_tied(evaluator, case):
            raise EvaluationError(f"評価委員: {evaluator}さんは{case.organization}の役員・利用者"
                                  "（現在または過去）のため、この案件を評価できません。")
        if Assignment.objects.filter(case=case, evaluator=evaluator).exists():
            raise EvaluationError(f"評価委員: {evaluator}さんは、この案件に既に割り当てられています。")
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(case=case, evaluator=evaluator, kind=kind, assigned_by=actor)
        except IntegrityError as exc:  # the same evaluator, assigned by someone else a moment before
            raise EvaluationError(f"評価委員: {evaluator}さんは、この案件に既に割り当てられています。") from exc
        # On the assignment, not the case: the group reads its case's history, and who evaluates it is the city's.
        record_event(actor=actor, subject=assignment, action="assign_evaluator",
                     note=f"{case.reference} {case.organization}：{evaluator}に{assignment.get_kind_display()}を依頼")
        for listener in _ON_ASSIGN:
            listener(assignment, actor)
    return assignment


def withdraw(*, assignment_id: int, actor: User, note: str = "") -> Assignment:
    """Withdraw assignment ``assignment_id`` (割当取消: staff, only while 評価待ち); the rail's ``withdraw``."""
    return workflow.perform(ASSIGNMENT, assignment_id, "withdraw", actor=actor, note=note)


def my_assignments(user: User) -> QuerySet[Assignment]:
    """The assignments of 評価委員 ``user``, newest first, with their cases; none for anyone else."""
    if not user.is_authenticated or user.role != Role.EVALUATOR:
        return Assignment.objects.none()
    return (Assignment.objects.filter(evaluator=user)
            .select_related("case__programme_year__programme", "case__organization").order_by("-assigned_at", "-pk"))


def open_assignment(user: User, assignment_id: int) -> Assignment:
    """The assignment ``assignment_id`` of 評価委員 ``user`` while it is theirs to work on or read: 評価待ち or
    提出済. ``Assignment.DoesNotExist`` otherwise (another's, declined, withdrawn, missing alike)."""
    return my_assignments(user).filter(
        status__in=(AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)).get(pk=assignment_id)


def declare(*, assignment_id: int, actor: User, conflicted: bool, reason: str = "") -> Assignment:
    """Record 評価委員 ``actor``'s declaration on their assignment, once: ``conflicted`` with ``reason`` (at most
    300 characters) declines it (the rail's ``decline``; they no longer see the case); none lets them score.
    Declaring none again changes nothing and returns the assignment as it is; a conflict declared after none
    (found once the case was read) still declines it, while 評価待ち. None is refused to an evaluator tied to the
    group (``machines.is_tied``, asked again here: a tie may be recorded after the assignment). Raises
    ``EvaluationError`` for a missing or long reason or an assignment not 評価待ち; ``Assignment.DoesNotExist``
    for one not theirs."""
    reason = (reason or "").strip()
    if conflicted and not reason:
        raise EvaluationError("利益相反の内容: 利益相反があるときは、その内容を入力してください。")
    if len(reason) > REASON_MAX:
        raise EvaluationError(f"利益相反の内容: {REASON_MAX}文字以内で入力してください。")
    with transaction.atomic():
        assignment = locked_own_assignment(actor, assignment_id)
        if assignment.conflict_declared is not None and not (conflicted and assignment.conflict_declared is False):
            return assignment  # the same answer again (a double click): the first declaration stands
        # A conflict found after declaring none (once the case was read) is still declared: it declines.
        if not conflicted and is_tied(actor, assignment.case):
            raise EvaluationError(TIED)
        if not workflow.leaves(ASSIGNMENT, assignment, "submit"):
            raise EvaluationError(f"この割当は「{assignment.get_status_display()}」のため、申告できません。")
        if conflicted:
            # The reason stays on the assignment (the city reads it on the case's evaluation page); the rail's audit
            # row, the assignment's, says only that a conflict was declared.
            return workflow.perform(ASSIGNMENT, assignment.pk, "decline", actor=actor, note=DECLINE_NOTE,
                                    effect=lambda act: _record_conflict(act, reason))
        assignment.conflict_declared = False
        assignment.declared_at = timezone.now()
        assignment.save(update_fields=["conflict_declared", "declared_at"])
        record_event(actor=actor, subject=assignment, action="declare_no_conflict",
                     note=f"{assignment.case.reference}：利益相反なし")
    return assignment


def _record_conflict(act: workflow.Act[Assignment], reason: str) -> None:
    act.obj.conflict_declared = True
    act.obj.conflict_reason = reason
    act.obj.declared_at = timezone.now()


def locked_own_assignment(actor: User, assignment_id: int) -> Assignment:
    """Assignment ``assignment_id`` of 評価委員 ``actor``, its case and its row locked (inside a transaction);
    ``Assignment.DoesNotExist`` when it is not theirs."""
    if actor.role != Role.EVALUATOR:
        raise Assignment.DoesNotExist("評価の割当が見つかりません。")
    assignment = workflow.access(ASSIGNMENT, actor, assignment_id, lock=True)
    if assignment.evaluator_id != actor.pk:
        raise Assignment.DoesNotExist("評価の割当が見つかりません。")
    return assignment
