"""The acts of a case's lifecycle (GRANTS.md §3), as the effects the workflows' edges name
(``grants.cases.workflows``), and the services that take those edges with their input.

交付申請 (a formula grant's 申請書兼請求書 with its household count, or a 収支予算書) → 審査 (the checks; 査定額,
交付の条件 and 完了期限 in the full lifecycle) → 交付決定 (commitment, notice, payment orders) → 変更承認申請 →
実績報告 → 実績審査 → 額の確定 (confirmed = min(decided, what the eligible actual costs justify)) → 精算払 or
返還命令 (加算金・延滞金) → 完了, and 取消.

Every act goes through ``grants.core.workflow.perform``: one transaction, the case row locked, the role and
separation of duties checked from the workflow's edge, the effects below, an audit row. Errors:
``CaseActionError`` (Japanese message for the user) and ``GrantCase.DoesNotExist`` for a case the user may not
see.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, TypeGuard

from django.db import transaction
from django.utils import timezone

from grants.accounts.models import User
from grants.core import workflow
from grants.core.fiscal import fiscal_year_bounds, is_day, wareki
from grants.core.models import record_event
from grants.core.money import yen
from grants.core.workflow import Act
from grants.ledger.models import BatchItem, EntryKind, ItemResult, OrderKind, PaymentOrder
from grants.ledger.services import adjust_commitment, post_entry

from . import checks
from .budget import MAX_LINE_AMOUNT, compute_amount, copy_lines, current_lines
from .figures import case_inputs, computed
from .machines import CHANGE_REQUEST
from .models import ChangeRequest, ChangeStatus, EligibilityOverride, GrantCase, PerformanceReport, RefundReason
from .orders import IN_FLIGHT, next_number, withdraw_scheduled
from .refunds import order_refund
from .rules import pin_rule_version, rule_for_case
from .settlement import close_if_settled
from .workflows import CaseActionError, workflow_for_case

effect = workflow.effect


def _whole_yen(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def take(case_id: int, edge: str, *, actor: User, note: str = "", part_of: Act[Any] | None = None,
         **params: Any) -> GrantCase:
    """Take ``edge`` of the case's workflow on case ``case_id`` as ``actor``, with the act's input ``params``. An
    edge the workflow does not have is refused (after the visibility check: a case the user may not see is not
    found)."""
    machine = workflow_for_case(case_id).machine
    if edge not in {e.name for e in machine.edges}:
        workflow.access(machine, actor, case_id)
        raise CaseActionError("この事業の案件には、この手続はありません。")
    return workflow.perform(machine, case_id, edge, actor=actor, note=note, params=params, part_of=part_of)


# -- 交付申請 ---------------------------------------------------------------------------------------------------

@effect("require_count")
def _require_count(act: Act[GrantCase]) -> None:
    if act.obj.household_count is None:
        raise CaseActionError("基準日の世帯数を入力してから提出してください。")
    if act.obj.computed_amount is None:
        # A figure the rule uses besides the households (人口, 面積 …) is missing: the case page names it.
        raise CaseActionError("交付額の算定に使う数値（人口・面積など）がそろっていません。"
                              "入力してから提出してください。")


@effect("within_application_window")
def _window(act: Act[GrantCase]) -> None:
    """申請受付期間 (inclusive), data of the programme-year."""
    rule, today = act.obj.programme_year, timezone.localdate()
    if not rule.application_opens <= today <= rule.application_closes:
        raise CaseActionError(
            f"申請受付期間（{wareki(rule.application_opens)}〜{wareki(rule.application_closes)}）外のため提出できません。"
        )


@effect("stamp_submitted")
def _stamp_submitted(act: Act[GrantCase]) -> None:
    act.obj.submitted_at = timezone.now()


@effect("require_project")
def _require_project(act: Act[GrantCase]) -> None:
    case = act.obj
    if not case.project_title or not case.project_start or not case.project_end:
        raise CaseActionError("事業名・着手予定日・完了予定日を入力してから提出してください。")


@effect("fix_applied_amount")
def _fix_applied(act: Act[GrantCase]) -> None:
    """The 交付申請額 (``applied_amount``, whole yen), from the lines as entered; at least one expense line."""
    lines = current_lines(act.obj)
    if not any(line.kind == "expense" for line in lines):
        raise CaseActionError("収支予算書に支出の明細を1行以上入力してください。")
    act.obj.applied_amount = compute_amount(act.obj, lines).amount


def save_application(
    *, case_id: int, actor: User, project_title: str, project_start: dt.date | None, project_end: dt.date | None
) -> GrantCase:
    """Record the application's project (事業名, 着手予定日, 完了予定日) while it is a draft."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if not flow.budget_lines:
            raise CaseActionError("この事業の案件には、この手続はありません。")
        workflow.require(flow.machine, case, actor, "edit_application")
        title = (project_title or "").strip()
        if not title or len(title) > 200:
            raise CaseActionError("事業名: 200文字以内で入力してください。")
        start, end = fiscal_year_bounds(case.programme_year.fiscal_year)
        for label, day in (("着手予定日", project_start), ("完了予定日", project_end)):
            if not is_day(day) or not start <= day <= end:
                raise CaseActionError(f"{label}: {wareki(start)}〜{wareki(end)}の日付を入力してください。")
        assert project_start is not None and project_end is not None
        if project_start > project_end:
            raise CaseActionError("完了予定日: 着手予定日より後の日付にしてください。")
        case.project_title, case.project_start, case.project_end = title, project_start, project_end
        case.save(update_fields=["project_title", "project_start", "project_end"])
        record_event(actor=actor, subject=case, action="save_application",
                     note=f"{title} {project_start}〜{project_end}")
    return case


def submit(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付申請 (or the 申請書兼請求書 of a formula grant), within the application window."""
    return take(case_id, "submit", actor=actor, note=note)


# -- 審査 and 交付決定 ---------------------------------------------------------------------------------------------

def _left_out(case: GrantCase, stage: checks.Stage) -> str:
    """The lines left out of the eligible cost at ``stage``, with their reasons, for a refusal of the amount
    (「対象外として補助対象経費から除いた明細：記念品（「交際費」は…）」), or ""."""
    left_out = checks.excluded_lines(case, stage)
    named = [f"{line.description}（{' '.join(left_out[line.pk])}）"
             for line in stage.lines or [] if line.pk in left_out]
    return f"対象外として補助対象経費から除いた明細：{'、'.join(named)}" if named else ""


def _refuse_failed(case: GrantCase, results: list[checks.CheckResult], what: str = "項目") -> None:
    """Refuse a review that ``results`` stop (``checks.review_refusals``): an ineligible line does not, unless the
    programme says so; it is left out of the eligible cost, which the amounts are computed from."""
    refusals = checks.review_refusals(case, results)
    if refusals:
        raise CaseActionError(f"要件を満たしていない{what}があります: " + " / ".join(refusals))


@effect("require_checks")
def _require_checks(act: Act[GrantCase]) -> None:
    """Every organisation's check of the stage passed or was overridden (with a second person's approval where
    needed), and no override waits for its approval; an ineligible line is left out (``_refuse_failed``)."""
    _refuse_failed(act.obj, checks.run_checks(act.obj))


@effect("assess")
def _assess(act: Act[GrantCase]) -> None:
    """審査 of a 交付申請: staff propose the amount (査定額, whole yen, at most the applied amount and at most what
    the eligible lines justify), the 交付の条件 and the 完了期限 (inside the 年度). A lower amount than applied
    needs the reason in the note. The providers keep what the assessment relied on (the plan version)."""
    case, params = act.obj, act.params
    stage = checks.stage_of(case, "application")
    eligible = compute_amount(case, checks.eligible_lines(case, stage))
    case.computation, case.computed_amount = eligible.as_json(), eligible.amount
    ceiling = min(case.applied_amount or 0, eligible.amount)
    assessed = params.get("assessed_amount")
    if not _whole_yen(assessed) or not 1 <= assessed <= ceiling:
        raise CaseActionError(
            f"査定額は1円以上、{yen(ceiling)}（申請額と対象経費による算定額の低い方）以下にしてください。"
            + _left_out(case, stage))
    # Below the ceiling needs the reason; down to it, the reasons are the left-out lines' own (checks.excluded_lines).
    if assessed < ceiling and not act.note.strip():
        raise CaseActionError("申請額より低い額で査定するときは、理由を備考に入力してください。")
    first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
    deadline = params.get("completion_deadline")
    if not is_day(deadline) or not first <= deadline <= last:
        raise CaseActionError(f"完了期限は{wareki(first)}〜{wareki(last)}の日付にしてください。")
    conditions = params.get("conditions") or ""
    if not isinstance(conditions, str):
        raise CaseActionError("交付の条件は文章で入力してください。")
    case.assessed_amount = assessed
    case.decision_conditions = conditions.strip()
    case.completion_deadline = deadline
    checks.assessed(case)


def verify(
    *, case_id: int, actor: User, assessed_amount: int, conditions: str = "", completion_deadline: dt.date | None,
    note: str = "",
) -> GrantCase:
    """審査 with the assessment (see ``assess``)."""
    return take(case_id, "verify", actor=actor, note=note, assessed_amount=assessed_amount, conditions=conditions,
                completion_deadline=completion_deadline)


@effect("before_decision")
def _before_decision(act: Act[GrantCase]) -> None:
    reason = checks.before_decision(act.obj)
    if reason:
        raise CaseActionError(reason)


@effect("decide_at_computed")
def _decide_computed(act: Act[GrantCase]) -> None:
    """A formula grant is decided at its amount under the rule's current version (交付決定額 = 算定額): the amount is
    computed again from the case's count and figures with that version, so that a rule revised after the case was
    computed (a new 上限額) decides at the revised amount, and the history says so. Refused when a figure the rule
    needs is missing."""
    case = act.obj
    pin_rule_version(case, act.actor)
    result = computed(rule_for_case(case), case_inputs(case))
    if result is None:
        raise CaseActionError("算定に必要な世帯数などの数値がそろっていないため、交付決定できません。")
    if result.amount != case.computed_amount:
        record_event(actor=act.actor, subject=case, action="recompute_at_decision",
                     note=f"交付基準の改正により算定額を計算し直しました（{yen(case.computed_amount)} → "
                          f"{yen(result.amount)}）。")
        case.computation, case.computed_amount = result.as_json(), result.amount
    case.decided_amount, case.decided_on = result.amount, timezone.localdate()


@effect("decide_at_assessed")
def _decide_assessed(act: Act[GrantCase]) -> None:
    """交付決定 at the assessed amount (査定額), under the rule's current version: every later computation of the
    case (変更, 額の確定, 概算払, 返還) uses that version (``rules.rule_for_case``). Refused when the rule was revised
    after the 審査 so that the eligible lines now justify less than the assessed amount (the case is returned and
    assessed again)."""
    case = act.obj
    pin_rule_version(case, act.actor)
    eligible = compute_amount(case, checks.eligible_lines(case, checks.stage_of(case, "application")))
    if (case.assessed_amount or 0) > eligible.amount:
        raise CaseActionError(
            f"審査の後に交付基準が改正され、対象経費による算定額が{yen(eligible.amount)}になりました。査定額"
            f"{yen(case.assessed_amount)}はこれを超えるため、交付決定できません。申請者へ差し戻し、審査をやり直して"
            "ください。")
    case.decided_amount, case.decided_on = case.assessed_amount, timezone.localdate()


@effect("commit_decision")
def _commit(act: Act[GrantCase]) -> None:
    """The decision is a commitment against the budget (支出負担行為): refused above what the budget has left."""
    case = act.obj
    post_entry(programme_year=case.programme_year, kind=EntryKind.COMMITMENT, amount=case.decided_amount or 0,
               actor=act.actor, case=case, note=f"交付決定 {case.organization.name}")


@effect("refuse_decision")
def _refuse(act: Act[GrantCase]) -> None:
    act.obj.decided_amount, act.obj.decided_on = 0, timezone.localdate()


def decide(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付決定 at the computed (formula) or assessed (full) amount: the commitment, the payment orders and the
    交付決定通知書. The approver must not be the person who verified the case."""
    return take(case_id, "decide", actor=actor, note=note)


# -- 変更承認申請 --------------------------------------------------------------------------------------------------

def _check_change_fields(case: GrantCase, reason: str, amount: int, deadline: dt.date | None) -> None:
    if not (reason or "").strip():
        raise CaseActionError("変更の理由を入力してください。")
    if not _whole_yen(amount) or not max(1, case.paid_amount) <= amount <= MAX_LINE_AMOUNT:
        raise CaseActionError(f"変更後の交付申請額は、支払済の額（{yen(case.paid_amount)}）以上、"
                              f"{yen(MAX_LINE_AMOUNT)}以下の整数にしてください。")
    first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
    if deadline is not None and (not is_day(deadline) or not first <= deadline <= last):
        raise CaseActionError(f"変更後の完了期限は{wareki(first)}〜{wareki(last)}の日付にしてください。")


def start_change(*, case_id: int, actor: User, reason: str, requested_amount: int,
                 new_completion_deadline: dt.date | None = None) -> ChangeRequest:
    """Open a draft 変更承認申請, its budget lines copied from the current budget to be edited."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if not flow.budget_lines:
            raise CaseActionError("この事業の案件には、この手続はありません。")
        workflow.require(flow.machine, case, actor, "start_change")
        if case.change_requests.filter(status__in=[ChangeStatus.DRAFT, ChangeStatus.PENDING]).exists():
            raise CaseActionError("作成中または審査中の変更承認申請がすでにあります。")
        _check_change_fields(case, reason, requested_amount, new_completion_deadline)
        change = ChangeRequest.objects.create(
            case=case, reason=reason.strip(), requested_amount=requested_amount,
            new_completion_deadline=new_completion_deadline, requested_by=actor,
            previous_amount=case.decided_amount,
        )
        originals = current_lines(case)
        copies = copy_lines(originals, case=case, change_request=change)
        carry_overrides(case, originals, copies)
        record_event(actor=actor, subject=case, action="start_change", note=f"変更後の申請額 {yen(requested_amount)}")
    return change


def withdraw_change(*, case_id: int, actor: User, note: str = "") -> ChangeRequest:
    """取下げ of the case's draft 変更承認申請 (before it is submitted) by its applicant or the staff: the draft and
    its lines stay on record as 取下げ, the case stays 交付決定 and a new change may be drafted. Raises
    ``CaseActionError`` when there is no draft; ``DoesNotExist`` for a case the actor may not see."""
    flow = workflow_for_case(case_id)
    case = workflow.access(flow.machine, actor, case_id)
    change = case.change_requests.filter(status=ChangeStatus.DRAFT).first()
    if change is None:
        raise CaseActionError("取り下げられる作成中の変更承認申請はありません。")
    note = note.strip() or f"変更承認申請（変更後の申請額 {yen(change.requested_amount)}）を取下げ"
    return workflow.perform(CHANGE_REQUEST, change.pk, "withdraw_change", actor=actor, note=note)


def carry_overrides(case: GrantCase, originals: list[Any], copies: list[Any]) -> None:
    """An approved override of a budget line also covers its unchanged copy in a change request (lines are never
    edited, only added or deleted, so the copy says exactly what was judged). The carried override keeps its
    author and approver and names the line it came from."""
    approved = {o.check_code: o for o in case.overrides.filter(approved_by__isnull=False)}
    for original, copy in zip(originals, copies, strict=True):
        for code, override in approved.items():
            base, _, target = code.partition("@")
            if target == f"b{original.pk}":
                carried = EligibilityOverride.objects.create(
                    case=case, check_code=f"{base}@b{copy.pk}", actor=override.actor,
                    approved_by=override.approved_by, approved_at=override.approved_at,
                    justification=f"{override.justification}（変更前の明細「{original.description}」の特例判断を引継ぎ）",
                )
                # ``at`` is set on insert: keep the day of the original judgment, which preceded its approval.
                EligibilityOverride.objects.filter(pk=carried.pk).update(at=override.at)


def _open_change(case: GrantCase, status: str) -> ChangeRequest:
    change = case.change_requests.select_for_update().filter(status=status).first()
    if change is None:
        raise CaseActionError("対象の変更承認申請がありません。")
    return change


def _move_change(act: Act[GrantCase], change: ChangeRequest, edge: str) -> None:
    workflow.perform(CHANGE_REQUEST, change.pk, edge, actor=act.actor, part_of=act, record=False)


@effect("submit_change")
def _submit_change(act: Act[GrantCase]) -> None:
    """Submit the draft 変更承認申請 (before the change is carried out): at least one expense line."""
    change = _open_change(act.obj, ChangeStatus.DRAFT)
    if not change.lines.filter(kind="expense").exists():
        raise CaseActionError("変更後の収支予算に支出の明細を1行以上入力してください。")
    _move_change(act, change, "submit_change")


def request_change(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    return take(case_id, "request_change", actor=actor, note=note)


def _within_started_advances(case: GrantCase, amount: int) -> None:
    """Refuse a changed amount below the advances paid or on their way to the bank (drafted or approved orders):
    the live orders of a case never exceed its decided amount."""
    in_flight = sum(case.payment_orders.filter(status__in=IN_FLIGHT).values_list("amount", flat=True))
    if in_flight and amount < case.paid_amount + in_flight:
        raise CaseActionError(
            f"支払手続中の概算払（{yen(in_flight)}）があるため、変更後の額は支払済の額と合わせた"
            f"{yen(case.paid_amount + in_flight)}以上にしてください（または支出命令の差戻しの後に行ってください）。"
        )


@effect("check_change")
def _check_change(act: Act[GrantCase]) -> None:
    """審査 of the change: the changed lines pass every check against the stage's basis (the plan in force: a
    change may relink lines to a revised plan); staff propose the new amount (at most the requested amount and
    what the eligible lines justify, at least what has been paid)."""
    case = act.obj
    change = _open_change(case, ChangeStatus.PENDING)
    stage = checks.stage_of(case, "change")
    _refuse_failed(case, checks.run_checks(case, stage))
    justified = compute_amount(case, checks.eligible_lines(case, stage)).amount
    ceiling = min(change.requested_amount, justified)
    assessed = act.params.get("assessed_amount")
    if not _whole_yen(assessed) or not max(1, case.paid_amount) <= assessed <= ceiling:
        raise CaseActionError(
            f"査定額は支払済の額（{yen(case.paid_amount)}）以上、{yen(ceiling)}（変更後の申請額と対象経費による"
            "算定額の低い方）以下にしてください。" + _left_out(case, stage)
        )
    _within_started_advances(case, assessed)
    change.assessed_amount = assessed
    change.save(update_fields=["assessed_amount"])


def check_change(*, case_id: int, actor: User, assessed_amount: int, note: str = "") -> GrantCase:
    return take(case_id, "check_change", actor=actor, note=note, assessed_amount=assessed_amount)


@effect("approve_change")
def _approve_change(act: Act[GrantCase]) -> None:
    """変更交付決定: the decided amount becomes the assessed amount (the ledger commitment moves by the
    difference), the change's lines become the budget, the providers take the change's basis, and the
    変更交付決定通知書 follows (after the advances not yet started are re-planned)."""
    case = act.obj
    change = _open_change(case, ChangeStatus.PENDING)
    if change.assessed_amount is None:
        raise CaseActionError("変更の査定額がありません。")
    _within_started_advances(case, change.assessed_amount)
    adjust_commitment(case=case, amount=change.assessed_amount, actor=act.actor,
                      note=f"変更交付決定 {case.organization.name}")
    change.decided_amount = change.assessed_amount
    change.save(update_fields=["decided_amount"])
    _move_change(act, change, "approve_change")
    case.decided_amount = change.assessed_amount
    case.assessed_amount = change.assessed_amount
    if change.new_completion_deadline:
        case.completion_deadline = change.new_completion_deadline
    checks.change_approved(case)
    act.memo["notice:change_decision"] = {"subject_key": f"change-{change.pk}"}


def approve_change(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    return take(case_id, "approve_change", actor=actor, note=note)


@effect("reject_change")
def _reject_change(act: Act[GrantCase]) -> None:
    """Do not approve the change (変更不承認): the decision stays as it was."""
    change = act.obj.change_requests.select_for_update().filter(status=ChangeStatus.PENDING).first()
    if change is None:
        raise CaseActionError("審査中の変更承認申請がありません。")
    _move_change(act, change, "reject_change")


def reject_change(*, case_id: int, actor: User, note: str) -> GrantCase:
    return take(case_id, "reject_change", actor=actor, note=note)


# -- 実績報告 -------------------------------------------------------------------------------------------------------

def save_report(*, case_id: int, actor: User, narrative: str, completed_on: dt.date | None) -> PerformanceReport:
    """Write (or rewrite) the 実績報告's narrative and completion date while the case is decided."""
    flow = workflow_for_case(case_id)
    with transaction.atomic():
        case = workflow.access(flow.machine, actor, case_id, lock=True)
        if not flow.budget_lines:
            raise CaseActionError("この事業の案件には、この手続はありません。")
        workflow.require(flow.machine, case, actor, "write_report")
        if not (narrative or "").strip():
            raise CaseActionError("事業の実施状況を入力してください。")
        first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
        if not is_day(completed_on) or not (case.decided_on or first) <= completed_on <= last:
            raise CaseActionError(f"事業完了日は交付決定日から{wareki(last)}までの日付にしてください。")
        if completed_on > timezone.localdate():
            raise CaseActionError("事業完了日に未来の日付は入力できません。")
        report, _ = PerformanceReport.objects.update_or_create(
            case=case, defaults={"narrative": narrative.strip(), "completed_on": completed_on, "updated_by": actor}
        )
        record_event(actor=actor, subject=case, action="save_report", note=f"事業完了日 {wareki(completed_on)}")
    return report


@effect("submit_report")
def _submit_report(act: Act[GrantCase]) -> None:
    """提出 of the 実績報告 (with at least one expense line), no change under way. Advances not yet started are
    withdrawn: what is still owed is paid at the 精算払 after 額の確定."""
    case = act.obj
    report = PerformanceReport.objects.filter(case=case).first()
    if report is None or not report.lines.filter(kind="expense").exists():
        raise CaseActionError("実績報告の概要と、収支決算の支出の明細を入力してから提出してください。")
    if case.change_requests.filter(status__in=[ChangeStatus.DRAFT, ChangeStatus.PENDING]).exists():
        raise CaseActionError("作成中または審査中の変更承認申請があります。先に取り下げるか決裁を受けてください。")
    report.submitted_at = timezone.now()
    report.save(update_fields=["submitted_at"])
    withdraw_scheduled(case, act)


def submit_report(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    return take(case_id, "submit_report", actor=actor, note=note)


@effect("return_report")
def _return_report(act: Act[GrantCase]) -> None:
    """差戻し of the 実績報告: the council corrects and submits again."""
    act.obj.justified_amount, act.obj.justification_computation = None, {}
    PerformanceReport.objects.filter(case=act.obj).update(submitted_at=None)


def return_report(*, case_id: int, actor: User, note: str) -> GrantCase:
    return take(case_id, "return_report", actor=actor, note=note)


def report_checks(case: GrantCase) -> list[checks.CheckResult]:
    """The checks of the 実績報告's expense lines."""
    if not PerformanceReport.objects.filter(case=case).exists():
        return []
    return checks.run_checks(case, checks.stage_of(case, "report"))


@effect("verify_report")
def _verify_report(act: Act[GrantCase]) -> None:
    """実績審査: every report line passed its checks (or was overridden with approval); records the amount the
    eligible actual costs justify under the year's rule (``justified_amount``, whole yen)."""
    case = act.obj
    _refuse_failed(case, report_checks(case), "明細")
    result = compute_amount(case, checks.eligible_lines(case, checks.stage_of(case, "report")))
    case.justified_amount, case.justification_computation = result.amount, result.as_json()


def verify_report(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    return take(case_id, "verify_report", actor=actor, note=note)


# -- 額の確定, 取消, 精算 and 完了 -------------------------------------------------------------------------------------

def _refuse_unsettled_payments(case: GrantCase, then: str) -> None:
    """額の確定 and 取消 count what was paid: refused while an order is on its way to the bank, or while the bank
    has not reported a transfer of the case (a returned transfer would change what was paid). ``then`` says
    when to try again."""
    if case.payment_orders.filter(status__in=IN_FLIGHT).exists():
        raise CaseActionError(f"振込の済んでいない支出命令があります。{then}")
    if BatchItem.objects.filter(case=case, result=ItemResult.SENT).exists():
        raise CaseActionError("銀行の振込結果がまだ記録されていない支払があります。結果の記録後に行ってください。")


@effect("confirm_amount")
def _confirm(act: Act[GrantCase]) -> None:
    """額の確定: confirmed = min(decided, justified) (GRANTS.md §3 step 7). The commitment falls to the confirmed
    amount (or to what was paid, until the refund comes back). Refused while a payment is on its way."""
    case = act.obj
    _refuse_unsettled_payments(case, "支払の完了後に額を確定してください。")
    if case.justified_amount is None:
        raise CaseActionError("実績による算定額がありません。実績報告の審査をやり直してください。")
    confirmed = min(case.decided_amount or 0, case.justified_amount)
    net_paid = case.paid_amount - case.refunded_amount
    adjust_commitment(case=case, amount=max(confirmed, net_paid), actor=act.actor,
                      note=f"額の確定 {case.organization.name}")
    case.confirmed_amount, case.confirmed_on = confirmed, timezone.localdate()
    act.memo["notice:confirmation"] = {"confirmed_amount": confirmed}


def confirm(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    return take(case_id, "confirm", actor=actor, note=note)


@effect("cancel_decision")
def _cancel(act: Act[GrantCase]) -> None:
    """取消 of the decision (false application, misuse, breach of conditions): the amount the grant keeps
    becomes ``params["kept_amount"]`` yen (0 for a full cancellation; 一部取消 otherwise, at most the decided
    amount), scheduled advances are withdrawn, an open change is dropped and the commitment falls."""
    case, kept = act.obj, act.params.get("kept_amount", 0)
    if not _whole_yen(kept) or not 0 <= kept <= (case.decided_amount or 0):
        raise CaseActionError(f"取消後に残す額は0円以上、交付決定額（{yen(case.decided_amount)}）以下にしてください。")
    _refuse_unsettled_payments(case, "支払の完了後か差戻しの後に取り消してください。")
    withdraw_scheduled(case, act)
    for change in case.change_requests.filter(status__in=[ChangeStatus.DRAFT, ChangeStatus.PENDING]):
        _move_change(act, change, "drop_change")
    net_paid = case.paid_amount - case.refunded_amount
    adjust_commitment(case=case, amount=max(kept, net_paid), actor=act.actor,
                      note=f"交付決定の取消 {case.organization.name}")
    case.confirmed_amount, case.confirmed_on = kept, timezone.localdate()


def cancel(*, case_id: int, actor: User, note: str, kept_amount: int = 0) -> GrantCase:
    return take(case_id, "cancel", actor=actor, note=note, kept_amount=kept_amount)


def _settle(act: Act[GrantCase], refund_reason: str, settlement_label: str) -> None:
    """After 額の確定 or 取消 (in its transaction): schedule a 精算払 order for what is still owed, order back
    what was paid above the amount the grant keeps (返還命令), or close the case when nothing is owed."""
    case = act.obj
    owed = (case.confirmed_amount or 0) - (case.paid_amount - case.refunded_amount)
    if owed > 0:
        PaymentOrder.objects.create(case=case, kind=OrderKind.SETTLEMENT, number=next_number(case),
                                    label=settlement_label, amount=owed, pay_on=timezone.localdate())
    elif owed < 0:
        order_refund(case=case, actor=act.actor, principal=-owed, reason=refund_reason)
    else:
        close_if_settled(case=case, actor=act.actor, part_of=act)


effect("settle_after_confirmation")(lambda act: _settle(act, RefundReason.CONFIRMATION, "精算払"))
effect("settle_after_cancellation")(lambda act: _settle(act, RefundReason.CANCELLATION, "精算払（一部取消後）"))


def close(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """完了: the confirmed amount is paid (net of refunds) and any refund with its charges is settled."""
    return take(case_id, "close", actor=actor, note=note)
