"""The machine of an evaluation assignment (評価の割当), as data on the rail (``grants.core.workflow``).

評価待ち (assigned) → 評価提出済 (submit: the assigned 評価委員, once they declared no conflict and scored every
criterion of the case's programme-year) · → 辞退（利益相反の申出） (decline: the assigned 評価委員, with the reason) ·
→ 割当取消 (withdraw: staff). Who sees an assignment: city users all of them, a 評価委員 their own, nobody else
(``DoesNotExist``: pages answer 404).
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.cases.labels import ACTION_LABELS
from grants.cases.models import GrantCase
from grants.competitive.panel import tied_organizations
from grants.core import workflow
from grants.core.models import ACTION_NAMES
from grants.core.workflow import Edge, Machine

from .models import Assignment, AssignmentStatus, Criterion


class EvaluationError(workflow.ActionRefused):
    """An act of evaluation is not allowed now or by this user, or its input is wrong (Japanese)."""


#: Why a tied evaluator may not evaluate (the tie found at the assignment, or recorded after it).
TIED = "この団体の役員・利用者として登録されているため、この案件は評価できません。利益相反を申し出て辞退してください。"


def is_tied(user: User, case: GrantCase) -> bool:
    """Whether ``user`` is or was an officer or user (代表者・会計・担当者) of the case's organisation: the panel's
    rule (``grants.competitive.panel.tied_organizations``), asked at the assignment and again at every act."""
    return tied_organizations(user).filter(organization_id=case.organization_id).exists()


def visible_assignments(user: Any) -> QuerySet[Assignment]:
    """Assignments ``user`` may see: every one for city users, their own for a 評価委員, none otherwise."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    if user.is_city_user:
        return Assignment.objects.all()
    if user.role == Role.EVALUATOR:
        return Assignment.objects.filter(evaluator=user)
    return Assignment.objects.none()


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


ASSIGNED = AssignmentStatus.ASSIGNED

ASSIGNMENT: Machine[Assignment] = workflow.register(Machine(
    name="evaluation_assignment", label="評価の割当", model="evaluation.Assignment",
    states=dict(AssignmentStatus.choices),
    edges=(
        Edge("submit", "評価を提出する", _s(ASSIGNED), AssignmentStatus.SUBMITTED, frozenset({Role.EVALUATOR}),
             stamps="submitted_at",
             guards=("own_assignment", "no_conflict_declared", "not_tied", "every_criterion_scored"),
             page="form", action="submit_evaluation", done="評価の提出",
             role_refusal="評価は割り当てられた評価委員が提出します。",
             state_refusal="この評価は「{state}」のため、提出できません。"),
        Edge("decline", "辞退する（利益相反の申出）", _s(ASSIGNED), AssignmentStatus.DECLINED,
             frozenset({Role.EVALUATOR}), note_required=True, guards=("own_assignment",), page="form",
             tone="secondary", action="decline_evaluation", done="評価の辞退（利益相反の申出）",
             role_refusal="辞退は割り当てられた評価委員が申し出ます。",
             note_refusal="辞退の理由（利益相反の内容）を入力してください。"),
        Edge("withdraw", "割当を取り消す", _s(ASSIGNED), AssignmentStatus.WITHDRAWN, frozenset({Role.STAFF}),
             tone="secondary", action="withdraw_evaluation", done="評価の割当の取消",
             role_refusal="評価の割当は協働推進課の担当者が取り消します。",
             state_refusal="この割当は「{state}」のため、取り消せません。"),
    ),
    visible=visible_assignments, parent="case", related=("case__programme_year", "evaluator"),
    # The rows are the assignment's own, not the case's: the group reads its case's history, and who evaluates it
    # (a 第三者評価 above all) is the city's to know, as the panel's rows are the member's seat's.
    error=EvaluationError,
))


# The audit trail names the assignment's acts in words (the audit admin, the case's evaluation page).
for _edge in ASSIGNMENT.edges:
    ACTION_LABELS.setdefault(_edge.audit_action, _edge.done)
    ACTION_NAMES.setdefault(_edge.audit_action, _edge.done)


@workflow.guard("own_assignment")
def _own(assignment: Assignment, user: Any) -> str | None:
    if user is not None and assignment.evaluator_id != user.pk:
        return "この評価は、割り当てられた評価委員だけが行えます。"
    return None


@workflow.guard("no_conflict_declared")
def _no_conflict(assignment: Assignment, user: Any) -> str | None:
    if assignment.conflict_declared is None:
        return "評価の前に、利益相反の有無を申告してください。"
    if assignment.conflict_declared:
        return "利益相反を申し出た案件は評価できません。辞退してください。"
    return None


@workflow.guard("not_tied")
def _not_tied(assignment: Assignment, user: Any) -> str | None:
    return TIED if is_tied(assignment.evaluator, assignment.case) else None


@workflow.guard("every_criterion_scored")
def _scored(assignment: Assignment, user: Any) -> str | None:
    criteria = Criterion.objects.filter(programme_year_id=assignment.case.programme_year_id)
    missing = criteria.exclude(pk__in=assignment.scores.values("criterion_id")).order_by("order")
    names = [c.name for c in missing]
    if names:
        return f"次の評価項目を採点してください: {'、'.join(names)}"
    if not criteria.exists():
        return "この事業・年度には評価項目がないため、評価できません。"
    return None
