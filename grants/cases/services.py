"""The acts on a grant case that pages and tests call by name, each taking an edge of the case's workflow through
the one rail (``grants.core.workflow.perform``: the case row locked, the user's permission and the edge
checked, the effects, the move, an audit row, all in one transaction), and the acts that change a case
without changing its state (the household count, overrides of failed checks).

Errors: ``GrantCase.DoesNotExist`` when the case is missing or not the user's (answer 404);
``CaseActionError`` with a Japanese message when the act is not allowed now or by this user.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from grants.accounts.models import User
from grants.core import workflow
from grants.core.models import record_event
from grants.ledger.models import LedgerEntry
from grants.organizations.models import (
    MAX_HOUSEHOLDS,
    CountSource,
    HouseholdCount,
    OrganizationFigure,
    format_figure,
)
from grants.programmes.engine import load_rule

from . import checks, lifecycle
from .figures import computed, formula_inputs, measures_used
from .models import EligibilityOverride, GrantCase
from .workflows import CaseActionError, workflow_for_case, workflow_of

__all__ = ["CaseActionError", "act", "submit_application", "return_application", "verify_application",
           "decide_grant", "refuse_grant", "prepare_payment", "approve_payment", "reject_payment",
           "record_payment", "confirm_transfer", "return_transfer", "apply_count", "correct_household_count",
           "correct_figure", "override_check",
           "approve_override", "reject_override"]


def act(*, case_id: int, edge: str, actor: User, note: str = "", **params: Any) -> GrantCase:
    """Take ``edge`` of the case's workflow with the act's input ``params``. An edge the workflow does not have
    is refused (after the visibility check: a case the user may not see is not found)."""
    return lifecycle.take(case_id, edge, actor=actor, note=note, **params)


def submit_application(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Submit the application: a formula grant's 申請書兼請求書 (needs the count on the base date) or a 交付申請
    with its 収支予算書, within the programme-year's application window (申請受付期間, inclusive)."""
    return act(case_id=case_id, edge="submit", actor=actor, note=note)


def return_application(*, case_id: int, actor: User, note: str) -> GrantCase:
    """Send the application back to the applicant (差戻し) with the reason in ``note``."""
    return act(case_id=case_id, edge="return_to_applicant", actor=actor, note=note)


def verify_application(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Mark the application checked (審査) once every eligibility check passed or was overridden. A workflow whose
    審査 needs an assessment refuses it here: its form gives the amount (``lifecycle.verify``)."""
    return act(case_id=case_id, edge="verify", actor=actor, note=note)


def decide_grant(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付決定: fix ``decided_amount`` (交付決定額, yen), commit it in the ledger (支出負担行為), schedule its
    payment orders and issue the 交付決定通知書 with its document number. Refused when the budget would be
    exceeded; the approver must not be the person who verified the case."""
    return act(case_id=case_id, edge="decide", actor=actor, note=note)


def refuse_grant(*, case_id: int, actor: User, note: str) -> GrantCase:
    """不交付決定, with the reason in ``note``, and its 不交付決定通知書. Nothing is committed."""
    return act(case_id=case_id, edge="refuse", actor=actor, note=note)


def prepare_payment(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Draft the payment order (支出命令) of a formula grant, for the decided amount."""
    return act(case_id=case_id, edge="prepare_payment", actor=actor, note=note)


def approve_payment(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Approve the payment order; finance only, never the person who drafted it."""
    return act(case_id=case_id, edge="approve_payment", actor=actor, note=note)


def reject_payment(*, case_id: int, actor: User, note: str) -> GrantCase:
    """Send the payment order back to be redrafted, with the reason in ``note``."""
    return act(case_id=case_id, edge="reject_payment", actor=actor, note=note)


def record_payment(*, case_id: int, actor: User, note: str = "", paid_on: dt.date | None = None) -> GrantCase:
    """Post the payment (支出) of a formula grant's approved order, dated ``paid_on`` (the transfer date; today by
    default). The payment-batch approval does it for each payment of the batch."""
    return act(case_id=case_id, edge="record_paid", actor=actor, note=note, paid_on=paid_on or timezone.localdate())


def confirm_transfer(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """The bank reported the transfer of a payment posted outside a payment batch done (振込完了): the case is
    paid (支払済). A batch's transfer is confirmed by its result on the batch's page."""
    return act(case_id=case_id, edge="confirm_transfer", actor=actor, note=note)


def return_transfer(*, case_id: int, actor: User, payment: LedgerEntry, note: str) -> GrantCase:
    """The bank returned the transfer (組戻し・振込不能): reverse its payment entry and put the case back in the
    payment queue (支出承認済), so that it can be paid again once the account is corrected."""
    return act(case_id=case_id, edge="return_transfer", actor=actor, note=note, payment=payment)


# -- acts that do not change the state -------------------------------------------------------------------------

def apply_count(case: GrantCase, households: int | None) -> None:
    """Set the case's count and its computation snapshot from the programme-year's rule and the figures on file
    for its base date (人口, 面積 … where the rule uses them); no amount while the count or a needed figure is
    missing (no save)."""
    case.household_count = households
    case.computation, case.computed_amount = {}, None
    if households is None:
        return
    rule = load_rule(case.programme_year_id)
    inputs = formula_inputs(rule, [case.organization_id])[case.organization_id]
    result = computed(rule, {**inputs, "households": households})
    if result is not None:
        case.computation, case.computed_amount = result.as_json(), result.amount


def _case_for_correction(case_id: int, actor: User, refusal: str) -> GrantCase:
    """The case, locked, whose count or figures ``actor`` may correct now (``correct_count``); ``refusal`` when its
    workflow states no count (its amount comes from budget lines). Call inside a transaction."""
    flow = workflow_for_case(case_id)
    case = workflow.access(flow.machine, actor, case_id, lock=True)
    if not flow.takes_count:
        raise CaseActionError(refusal)
    workflow.require(flow.machine, case, actor, "correct_count")
    return case


def correct_household_count(*, case_id: int, actor: User, households: int, reason: str) -> GrantCase:
    """Correct the member households on the base date (世帯数の訂正) before submission, with a reason.

    Writes a new ``HouseholdCount`` (the old one stays as history), recomputes the amount and records who
    changed what. Raises ``CaseActionError`` for a negative count, an empty reason, a submitted case or a
    workflow whose application states no count."""
    if isinstance(households, bool) or not isinstance(households, int) or not 0 <= households <= MAX_HOUSEHOLDS:
        raise CaseActionError(f"世帯数は0以上{MAX_HOUSEHOLDS:,}以下の整数で入力してください。")
    if not reason.strip():
        raise CaseActionError("訂正の理由を入力してください。")
    with transaction.atomic():
        case = _case_for_correction(case_id, actor, "この事業の案件には、世帯数の届出はありません。")
        before = case.household_count
        HouseholdCount.objects.create(
            organization=case.organization, base_date=case.programme_year.base_date, households=households,
            source=CountSource.CORRECTION, reason=reason, recorded_by=actor,
        )
        apply_count(case, households)
        case.save()
        record_event(actor=actor, subject=case, action="correct_household_count",
                     note=f"世帯数 {before if before is not None else '未届'} → {households}：{reason}")
    return case


def correct_figure(*, case_id: int, actor: User, measure_code: str, value: Decimal, reason: str) -> GrantCase:
    """Correct a figure the case's rule uses (人口, 面積 … on the base date) before submission, with a reason.

    Writes a new ``OrganizationFigure`` with source 訂正 (the old one stays as history), recomputes the amount
    and records who changed what. ``value``: ≥ 0, with at most the measure's decimal places. Raises
    ``CaseActionError`` for a figure the rule does not use, a bad value, an empty reason, a submitted case or a
    workflow whose application states no count."""
    if not reason.strip():
        raise CaseActionError("訂正の理由を入力してください。")
    with transaction.atomic():
        case = _case_for_correction(case_id, actor, "この事業の案件には、算定に使う数値の届出はありません。")
        rule = load_rule(case.programme_year_id)
        measure = next((m for m in measures_used(rule) if m.code == measure_code), None)
        if measure is None:
            raise CaseActionError("この事業の交付額の算定には、その数値を使いません。")
        problem = (measure.check_value(value) if isinstance(value, Decimal)
                   else f"{measure.name}を数で入力してください。")
        if problem:
            raise CaseActionError(problem)
        before = formula_inputs(rule, [case.organization_id])[case.organization_id].get(measure.code)
        OrganizationFigure.objects.create(
            organization=case.organization, measure=measure, base_date=rule.base_date, value=value,
            source=CountSource.CORRECTION, note=reason, recorded_by=actor,
        )
        apply_count(case, case.household_count)
        case.save()
        was = format_figure(before, measure) if before is not None else "未届"
        record_event(actor=actor, subject=case, action="correct_figure",
                     note=f"{measure.name} {was} → {format_figure(value, measure)}：{reason}")
    return case


def _valid_override(case: GrantCase, check_code: str) -> bool:
    """Whether ``check_code`` may be overridden: a check of the programme, or where overrides need approval, a
    check that failed at the case's present stage (a line's code names the line)."""
    if workflow_of(case).overrides_need_approval:
        return any(r.code == check_code and not r.passed for r in checks.run_checks(case))
    return check_code in checks.check_labels(case)


def override_check(*, case_id: int, actor: User, check_code: str, justification: str) -> EligibilityOverride:
    """Pass a failed eligibility check with a recorded justification (staff only, while the application, a
    change or a 実績報告 is examined). In a workflow whose overrides need approval it counts only after a second
    person approves it (``approve_override``)."""
    if not justification.strip():
        raise CaseActionError("特例とする理由を入力してください。")
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if flow.overrides_need_approval:
            workflow.require(flow.machine, case, actor, "override")
            if not _valid_override(case, check_code):
                raise CaseActionError("確認項目が正しくないか、その項目は要件を満たしています。")
        else:
            if not _valid_override(case, check_code):
                raise CaseActionError("確認項目が正しくありません。")
            workflow.require(flow.machine, case, actor, "override")
        if case.overrides.filter(check_code=check_code).exists():
            raise CaseActionError("この項目はすでに特例判断されています。")
        override = EligibilityOverride.objects.create(
            case=case, check_code=check_code, justification=justification, actor=actor
        )
        record_event(actor=actor, subject=case, action="override_check",
                     note=f"{checks.override_label(case, check_code)}：{justification}")
    return override


def _pending_override(case: GrantCase, override_id: int, actor: User) -> EligibilityOverride:
    # The workflow's activity says who may judge an override, and in which states (never, where an override
    # counts as made).
    workflow.require(workflow_of(case).machine, case, actor, "approve_override")
    override = EligibilityOverride.objects.select_for_update().filter(pk=override_id, case=case).first()
    if override is None:
        raise CaseActionError("特例判断が見つかりません。")
    return override


def approve_override(*, case_id: int, override_id: int, actor: User) -> EligibilityOverride:
    """Second person's approval of an override (特例判断の承認): another staff member or an approver, never its
    author (the database refuses it too). Only then does the override count where approval is needed."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        override = _pending_override(case, override_id, actor)
        if override.approved_by_id is not None:
            raise CaseActionError("この特例判断はすでに承認されています。")
        if override.actor_id == actor.pk:
            raise CaseActionError("特例判断をした方は、同じ判断を承認できません。別の職員が承認してください。")
        override.approved_by, override.approved_at = actor, timezone.now()
        override.save(update_fields=["approved_by", "approved_at"])
        label = checks.override_label(case, override.check_code)
        record_event(actor=actor, subject=case, action="approve_override",
                     note=f"特例判断の承認（{label}）：{override.justification}")
    return override


def reject_override(*, case_id: int, override_id: int, actor: User, note: str) -> None:
    """Second person's refusal of an override not yet approved (特例判断の却下), with the reason: the override is
    removed and the check fails again; the audit trail keeps the override's reason, its author and the refusal.
    Staff or an approver other than its author; its author may also withdraw it."""
    if not (note or "").strip():
        raise CaseActionError("却下の理由を入力してください。")
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        override = _pending_override(case, override_id, actor)
        if override.approved_by_id is not None:
            raise CaseActionError("承認済みの特例判断は却下できません。")
        label = checks.override_label(case, override.check_code)
        what = f"{label}、判断者 {override.actor}、理由「{override.justification}」"
        record_event(actor=actor, subject=case, action="reject_override",
                     note=f"特例判断の却下（{what}）：{note.strip()}")
        override.delete()
