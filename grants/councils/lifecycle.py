"""The full lifecycle of a block or competitive grant case (GRANTS.md §3), used by the council grants:

交付申請 → 審査 (査定額, 交付の条件, 完了期限) → 交付決定 (commitment, notice, 概算払 orders from the year's
instalment plan) → 変更承認申請 (new amount and plan links) → 実績報告 → 実績審査 → 額の確定 (confirmed =
min(decided, amount justified by eligible actual costs)) → 精算払 or 返還命令 (加算金・延滞金) → 完了.

Every act goes through ``grants.cases.services._transition``: one transaction, the case row locked, the role
and separation of duties checked from ``flow.FLOW``, an audit row written. Errors: ``CaseActionError`` (Japanese
message for the user) and ``GrantCase.DoesNotExist`` for a case the user may not see.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from grants.accounts.models import User
from grants.cases.models import (
    ChangeRequest,
    ChangeStatus,
    GrantCase,
    PerformanceReport,
    RefundOrder,
    RefundReason,
    Status,
)
from grants.cases.permissions import access_case
from grants.cases.services import CaseActionError, _notice, _transition
from grants.core.fiscal import fiscal_year_bounds, wareki
from grants.core.models import record_event
from grants.core.money import yen
from grants.ledger.models import EntryKind, OrderKind, OrderStatus, PaymentOrder
from grants.ledger.services import LedgerError, adjust_commitment, post_entry

from .budget import MAX_LINE_AMOUNT, compute_amount, copy_lines, current_lines
from .checks import as_changed, eligible_lines, judged_plan, plan_in_force, run_checks

# Orders that are on their way to the bank: they must be paid (or withdrawn) before the amount is confirmed.
IN_FLIGHT = (OrderStatus.PREPARED, OrderStatus.APPROVED)


def _full(case: GrantCase) -> None:
    if case.programme_year.programme.lifecycle != "full":
        raise CaseActionError("この事業の案件には、この手続はありません。")


def _whole_yen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ledger(call: object) -> object:
    try:
        return call()  # type: ignore[operator]
    except LedgerError as exc:
        raise CaseActionError(str(exc)) from exc


# -- 交付申請 ------------------------------------------------------------------------------------------------

def save_application(
    *, case_id: int, actor: User, project_title: str, project_start: dt.date | None, project_end: dt.date | None
) -> GrantCase:
    """Record the application's project (事業名, 着手予定日, 完了予定日) while it is a draft."""
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        _full(case)
        if case.status != Status.DRAFT or actor.role not in ("association_head", "staff"):
            raise CaseActionError("提出前の申請でのみ、申請者または担当者が入力できます。")
        title = (project_title or "").strip()
        if not title or len(title) > 200:
            raise CaseActionError("事業名: 200文字以内で入力してください。")
        start, end = fiscal_year_bounds(case.programme_year.fiscal_year)
        for label, day in (("着手予定日", project_start), ("完了予定日", project_end)):
            if day is None or not start <= day <= end:
                raise CaseActionError(f"{label}: {wareki(start)}〜{wareki(end)}の日付を入力してください。")
        if project_start > project_end:
            raise CaseActionError("完了予定日: 着手予定日より後の日付にしてください。")
        case.project_title, case.project_start, case.project_end = title, project_start, project_end
        case.save(update_fields=["project_title", "project_start", "project_end"])
        record_event(actor=actor, subject=case, action="save_application",
                     note=f"{title} {project_start}〜{project_end}")
    return case


def submit(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付申請: within the application window, with the project and at least one expense line. Fixes the
    交付申請額 (``applied_amount``, whole yen) from the lines as entered."""

    def effect(case: GrantCase) -> None:
        rule, today = case.programme_year, timezone.localdate()
        if not rule.application_opens <= today <= rule.application_closes:
            raise CaseActionError(
                f"申請受付期間（{wareki(rule.application_opens)}〜{wareki(rule.application_closes)}）外のため提出できません。"
            )
        if not case.project_title or not case.project_start or not case.project_end:
            raise CaseActionError("事業名・着手予定日・完了予定日を入力してから提出してください。")
        lines = current_lines(case)
        if not any(line.kind == "expense" for line in lines):
            raise CaseActionError("収支予算書に支出の明細を1行以上入力してください。")
        applied = compute_amount(case, lines)
        case.applied_amount = applied.amount
        case.submitted_at = timezone.now()

    return _transition(case_id=case_id, action="submit", actor=actor, note=note, effect=effect)


def verify(
    *, case_id: int, actor: User, assessed_amount: int, conditions: str = "", completion_deadline: dt.date,
    note: str = "",
) -> GrantCase:
    """審査: every check passed (or was overridden with a second person's approval). Staff propose the amount
    (査定額, whole yen, at most the applied amount and at most what the eligible lines justify), the 交付の条件
    and the 完了期限 (inside the 年度). A lower amount than applied needs the reason in ``note``. Fixes the plan
    version the case is judged against."""

    def effect(case: GrantCase) -> None:
        failed = [r for r in run_checks(case, plan=plan_in_force(case)) if not r.ok]
        if failed:
            raise CaseActionError("要件を満たしていない項目があります: " + " / ".join(r.reason for r in failed))
        lines = current_lines(case)
        eligible = compute_amount(case, eligible_lines(case, lines, "b", plan_in_force(case)))
        case.computation, case.computed_amount = eligible.as_json(), eligible.amount
        ceiling = min(case.applied_amount or 0, eligible.amount)
        if not _whole_yen(assessed_amount) or not 1 <= assessed_amount <= ceiling:
            raise CaseActionError(
                f"査定額は1円以上、{yen(ceiling)}（申請額と対象経費による算定額の低い方）以下にしてください。")
        if assessed_amount < (case.applied_amount or 0) and not note.strip():
            raise CaseActionError("申請額より低い額で査定するときは、理由を備考に入力してください。")
        first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
        if completion_deadline is None or not first <= completion_deadline <= last:
            raise CaseActionError(f"完了期限は{wareki(first)}〜{wareki(last)}の日付にしてください。")
        case.assessed_amount = assessed_amount
        case.decision_conditions = (conditions or "").strip()
        case.completion_deadline = completion_deadline
        case.plan = plan_in_force(case)

    return _transition(case_id=case_id, action="verify", actor=actor, note=note, effect=effect)


def schedule_instalments(case: GrantCase, total: int, first_number: int = 1) -> list[PaymentOrder]:
    """概算払 orders for ``total`` yen from the programme-year's instalment plan: each instalment's share of the
    decided amount, rounded down to the yen, the last planned instalment taking the remainder of the planned
    total (各回円未満切捨て、端数は最終回で調整). Each order takes its instalment's planned date, or the day
    of the decision when that date has already passed (it is due at once). Shares adding up to more than 1 are
    refused. Nothing is scheduled for a plan without instalments: the whole amount is then paid at the 精算払."""
    from fractions import Fraction

    plan = list(case.programme_year.instalments.order_by("order"))
    if not plan:
        return []
    shares = [Fraction(i.share_numerator, i.share_denominator) for i in plan]
    if sum(shares) > 1:
        raise CaseActionError("概算払の計画の割合の合計が1を超えています。管理画面で計画を確認してください。")
    decided = case.decided_amount or 0
    planned_total = min(total, int(decided * sum(shares)))
    amounts = [int(decided * share) for share in shares]
    amounts[-1] = planned_total - sum(amounts[:-1])
    orders, number = [], first_number
    for instalment, amount in zip(plan, amounts, strict=True):
        if amount <= 0:
            continue
        orders.append(PaymentOrder.objects.create(
            case=case, kind=OrderKind.ADVANCE, number=number, label=f"概算払 {instalment.label}", amount=amount,
            pay_on=max(instalment.pay_on, timezone.localdate()),
        ))
        number += 1
    return orders


def decide(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """交付決定 at the assessed amount (交付決定額): commit it in the ledger (支出負担行為), schedule the 概算払
    orders and issue the 交付決定通知書 with the conditions and the completion deadline. The approver must
    not be the person who verified the case."""

    def effect(case: GrantCase) -> None:
        in_force = plan_in_force(case)
        if in_force is None or in_force.pk != case.plan_id:
            raise CaseActionError("審査の後に地域づくり計画が改定されました（または効力を失いました）。"
                                  "審査をやり直すため、差し戻してください。")
        case.decided_amount = case.assessed_amount
        case.decided_on = timezone.localdate()
        _ledger(lambda: post_entry(programme_year=case.programme_year, kind=EntryKind.COMMITMENT,
                                   amount=case.decided_amount, actor=actor, case=case,
                                   note=f"交付決定 {case.organization.name}"))

    def after(case: GrantCase) -> None:
        schedule_instalments(case, case.decided_amount or 0)
        _notice("decision", actor)(case)

    return _transition(case_id=case_id, action="decide", actor=actor, note=note, effect=effect, after=after)


# -- 変更承認申請 ------------------------------------------------------------------------------------------------

def start_change(*, case_id: int, actor: User, reason: str, requested_amount: int,
                 new_completion_deadline: dt.date | None = None) -> ChangeRequest:
    """Open a draft 変更承認申請, its budget lines copied from the current budget to be edited."""
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        _full(case)
        if case.status != Status.DECIDED or actor.role not in ("association_head", "staff"):
            raise CaseActionError("交付決定後（実績報告の前）に、申請者または担当者が変更承認申請を作成できます。")
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
        _carry_overrides(case, originals, copies)
        record_event(actor=actor, subject=case, action="start_change", note=f"変更後の申請額 {yen(requested_amount)}")
    return change


def _carry_overrides(case: GrantCase, originals: list, copies: list) -> None:
    """An approved override of a budget line also covers its unchanged copy in a change request (lines are never
    edited, only added or deleted, so the copy says exactly what was judged). The carried override keeps its
    author and approver and names the line it came from."""
    from grants.cases.models import EligibilityOverride

    approved = {o.check_code: o for o in case.overrides.filter(approved_by__isnull=False)}
    for original, copy in zip(originals, copies, strict=True):
        for code, override in approved.items():
            base, _, target = code.partition("@")
            if target == f"b{original.pk}":
                carried = EligibilityOverride.objects.create(
                    case=case, check_code=f"{base}@b{copy.pk}", actor=override.actor,
                    approved_by=override.approved_by, approved_at=override.approved_at,
                    justification=f"{override.justification}（変更前の明細 b{original.pk} の特例判断を引継ぎ）",
                )
                # ``at`` is set on insert: keep the day of the original judgment, which preceded its approval.
                EligibilityOverride.objects.filter(pk=carried.pk).update(at=override.at)


def _check_change_fields(case: GrantCase, reason: str, amount: int, deadline: dt.date | None) -> None:
    if not (reason or "").strip():
        raise CaseActionError("変更の理由を入力してください。")
    if not _whole_yen(amount) or not max(1, case.paid_amount) <= amount <= MAX_LINE_AMOUNT:
        raise CaseActionError(f"変更後の交付申請額は、支払済の額（{yen(case.paid_amount)}）以上、"
                              f"{yen(MAX_LINE_AMOUNT)}以下の整数にしてください。")
    first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
    if deadline is not None and not first <= deadline <= last:
        raise CaseActionError(f"変更後の完了期限は{wareki(first)}〜{wareki(last)}の日付にしてください。")


def _open_change(case: GrantCase, status: str) -> ChangeRequest:
    change = case.change_requests.select_for_update().filter(status=status).first()
    if change is None:
        raise CaseActionError("対象の変更承認申請がありません。")
    return change


def request_change(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """Submit the draft 変更承認申請 (before the change is carried out)."""

    def effect(case: GrantCase) -> None:
        change = _open_change(case, ChangeStatus.DRAFT)
        if not change.lines.filter(kind="expense").exists():
            raise CaseActionError("変更後の収支予算に支出の明細を1行以上入力してください。")
        change.status = ChangeStatus.PENDING
        change.save(update_fields=["status"])

    return _transition(case_id=case_id, action="request_change", actor=actor, note=note, effect=effect)


def check_change(*, case_id: int, actor: User, assessed_amount: int, note: str = "") -> GrantCase:
    """審査 of the change: the changed lines pass every check against the plan in force (the change may relink
    lines to a revised plan); staff propose the new amount (at most the requested amount and what the
    eligible lines justify, at least what has been paid)."""

    def effect(case: GrantCase) -> None:
        change = _open_change(case, ChangeStatus.PENDING)
        lines = list(change.lines.select_related("category", "plan_item", "purpose", "staff"))
        plan, judged = plan_in_force(case), as_changed(case, change)
        failed = [r for r in run_checks(judged, lines, "b", plan=plan) if not r.ok]
        if failed:
            raise CaseActionError("要件を満たしていない項目があります: " + " / ".join(r.reason for r in failed))
        justified = compute_amount(case, eligible_lines(judged, lines, "b", plan)).amount
        ceiling = min(change.requested_amount, justified)
        if not _whole_yen(assessed_amount) or not max(1, case.paid_amount) <= assessed_amount <= ceiling:
            raise CaseActionError(
                f"査定額は支払済の額（{yen(case.paid_amount)}）以上、{yen(ceiling)}（変更後の申請額と対象経費による"
                "算定額の低い方）以下にしてください。"
            )
        _within_started_advances(case, assessed_amount)
        change.assessed_amount = assessed_amount
        change.save(update_fields=["assessed_amount"])

    return _transition(case_id=case_id, action="check_change", actor=actor, note=note, effect=effect)


def _within_started_advances(case: GrantCase, amount: int) -> None:
    """Refuse a changed amount below the advances paid or on their way to the bank (drafted or approved orders):
    the live orders of a case never exceed its decided amount."""
    in_flight = sum(case.payment_orders.filter(status__in=IN_FLIGHT).values_list("amount", flat=True))
    if in_flight and amount < case.paid_amount + in_flight:
        raise CaseActionError(
            f"支払手続中の概算払（{yen(in_flight)}）があるため、変更後の額は支払済の額と合わせた"
            f"{yen(case.paid_amount + in_flight)}以上にしてください（または支出命令の差戻しの後に行ってください）。"
        )


def _reschedule(case: GrantCase) -> None:
    """After a change of the decided amount, re-plan the advances not yet started. The plan's total becomes
    the new decided amount × the plan's shares (円未満切捨て), less what was already paid or is on its way;
    it is spread over the dates of the cancelled scheduled orders in proportion to their old amounts (rounded
    down, the remainder on the last)."""
    from fractions import Fraction

    scheduled = list(case.payment_orders.filter(status=OrderStatus.SCHEDULED, kind=OrderKind.ADVANCE))
    if not scheduled:
        return
    case.payment_orders.filter(pk__in=[o.pk for o in scheduled]).update(status=OrderStatus.CANCELLED)
    started = sum(o.amount for o in case.payment_orders.filter(status__in=[*IN_FLIGHT, OrderStatus.PAID]))
    shares = sum((Fraction(i.share_numerator, i.share_denominator) for i in case.programme_year.instalments.all()),
                 Fraction(0))
    remaining = int((case.decided_amount or 0) * min(shares, Fraction(1))) - started
    old_total = sum(o.amount for o in scheduled)
    if remaining <= 0 or old_total <= 0:
        return
    amounts = [o.amount * remaining // old_total for o in scheduled]
    amounts[-1] = remaining - sum(amounts[:-1])
    number = _next_order_number(case)
    for order, amount in zip(scheduled, amounts, strict=True):
        if amount > 0:
            PaymentOrder.objects.create(case=case, kind=OrderKind.ADVANCE, number=number, label=order.label,
                                        amount=amount, pay_on=order.pay_on)
            number += 1


def approve_change(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """変更交付決定: the decided amount becomes the assessed amount (the ledger commitment moves by the
    difference), the change's lines become the budget, the plan version is the one in force, the scheduled
    advances are re-planned, and the 変更交付決定通知書 is issued."""
    holder: dict[str, ChangeRequest] = {}

    def effect(case: GrantCase) -> None:
        change = _open_change(case, ChangeStatus.PENDING)
        if change.assessed_amount is None:
            raise CaseActionError("変更の査定額がありません。")
        _within_started_advances(case, change.assessed_amount)
        _ledger(lambda: adjust_commitment(case=case, amount=change.assessed_amount, actor=actor,
                                          note=f"変更交付決定 {case.organization.name}"))
        change.status, change.decided_amount = ChangeStatus.APPROVED, change.assessed_amount
        change.decided_by, change.decided_at = actor, timezone.now()
        change.save(update_fields=["status", "decided_amount", "decided_by", "decided_at"])
        case.decided_amount = change.assessed_amount
        case.assessed_amount = change.assessed_amount
        if change.new_completion_deadline:
            case.completion_deadline = change.new_completion_deadline
        case.plan = plan_in_force(case) or case.plan
        holder["change"] = change

    def after(case: GrantCase) -> None:
        _reschedule(case)
        from grants.notices.services import NoticeError, issue_notice

        try:
            issue_notice(case=case, kind="change_decision", actor=actor, subject_key=f"change-{holder['change'].pk}")
        except NoticeError as exc:
            raise CaseActionError(str(exc)) from exc

    return _transition(case_id=case_id, action="approve_change", actor=actor, note=note, effect=effect, after=after)


def reject_change(*, case_id: int, actor: User, note: str) -> GrantCase:
    """Do not approve the change (変更不承認), with the reason; the decision stays as it was."""

    def effect(case: GrantCase) -> None:
        change = case.change_requests.select_for_update().filter(status=ChangeStatus.PENDING).first()
        if change is None:
            raise CaseActionError("審査中の変更承認申請がありません。")
        change.status, change.decided_by, change.decided_at = ChangeStatus.REJECTED, actor, timezone.now()
        change.save(update_fields=["status", "decided_by", "decided_at"])

    return _transition(case_id=case_id, action="reject_change", actor=actor, note=note, effect=effect)


# -- 実績報告 ------------------------------------------------------------------------------------------------------

def save_report(*, case_id: int, actor: User, narrative: str, completed_on: dt.date) -> PerformanceReport:
    """Write (or rewrite) the 実績報告's narrative and completion date while the case is decided."""
    with transaction.atomic():
        case = access_case(actor, case_id, for_update=True)
        _full(case)
        if case.status != Status.DECIDED or actor.role not in ("association_head", "staff"):
            raise CaseActionError("交付決定後、実績報告の提出前に、申請者または担当者が入力できます。")
        if not (narrative or "").strip():
            raise CaseActionError("事業の実施状況を入力してください。")
        first, last = fiscal_year_bounds(case.programme_year.fiscal_year)
        if completed_on is None or not (case.decided_on or first) <= completed_on <= last:
            raise CaseActionError(f"事業完了日は交付決定日から{wareki(last)}までの日付にしてください。")
        if completed_on > timezone.localdate():
            raise CaseActionError("事業完了日に未来の日付は入力できません。")
        report, _ = PerformanceReport.objects.update_or_create(
            case=case, defaults={"narrative": narrative.strip(), "completed_on": completed_on, "updated_by": actor}
        )
        record_event(actor=actor, subject=case, action="save_report", note=f"事業完了日 {completed_on}")
    return report


def submit_report(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """提出 of the 実績報告 (with at least one expense line). Advances not yet started are withdrawn: what is
    still owed is paid at the 精算払 after 額の確定."""

    def effect(case: GrantCase) -> None:
        report = PerformanceReport.objects.filter(case=case).first()
        if report is None or not report.lines.filter(kind="expense").exists():
            raise CaseActionError("実績報告の概要と、収支決算の支出の明細を入力してから提出してください。")
        if case.change_requests.filter(status__in=[ChangeStatus.DRAFT, ChangeStatus.PENDING]).exists():
            raise CaseActionError("作成中または審査中の変更承認申請があります。先に取り下げるか決裁を受けてください。")
        report.submitted_at = timezone.now()
        report.save(update_fields=["submitted_at"])
        case.payment_orders.filter(status=OrderStatus.SCHEDULED).update(status=OrderStatus.CANCELLED)

    return _transition(case_id=case_id, action="submit_report", actor=actor, note=note, effect=effect)


def return_report(*, case_id: int, actor: User, note: str) -> GrantCase:
    """差戻し of the 実績報告, with the reason; the council corrects and submits again."""

    def effect(case: GrantCase) -> None:
        case.justified_amount, case.justification_computation = None, {}
        PerformanceReport.objects.filter(case=case).update(submitted_at=None)

    return _transition(case_id=case_id, action="return_report", actor=actor, note=note, effect=effect)


def report_checks(case: GrantCase) -> list:
    """The checks of the 実績報告's expense lines (against the plan version the case was judged against)."""
    report = PerformanceReport.objects.filter(case=case).first()
    if report is None:
        return []
    lines = list(report.lines.select_related("category", "plan_item", "purpose", "staff"))
    return run_checks(case, lines, "r", plan=judged_plan(case))


def verify_report(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """実績審査: every report line passed its checks (or was overridden with approval); records the amount the
    eligible actual costs justify under the year's rule (``justified_amount``, whole yen)."""

    def effect(case: GrantCase) -> None:
        failed = [r for r in report_checks(case) if not r.ok]
        if failed:
            raise CaseActionError("要件を満たしていない明細があります: " + " / ".join(r.reason for r in failed))
        lines = list(case.report.lines.select_related("category", "plan_item", "purpose", "staff"))
        result = compute_amount(case, eligible_lines(case, lines, "r", judged_plan(case)))
        case.justified_amount, case.justification_computation = result.amount, result.as_json()

    return _transition(case_id=case_id, action="verify_report", actor=actor, note=note, effect=effect)


def confirm(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """額の確定: confirmed = min(decided, justified) (GRANTS.md §3 step 7). The commitment falls to the confirmed
    amount (or to what was paid, until the refund comes back); the 額の確定通知書 is issued; then a 精算払 order is
    scheduled for what is still owed, or a 返還命令 is issued for advances above the confirmed amount; a case
    with nothing owed either way is closed at once. Refused while a payment is on its way to the bank."""

    def effect(case: GrantCase) -> None:
        _refuse_unsettled_payments(case, "支払の完了後に額を確定してください。")
        if case.justified_amount is None:
            raise CaseActionError("実績による算定額がありません。実績報告の審査をやり直してください。")
        confirmed = min(case.decided_amount or 0, case.justified_amount)
        net_paid = case.paid_amount - case.refunded_amount
        _ledger(lambda: adjust_commitment(case=case, amount=max(confirmed, net_paid), actor=actor,
                                          note=f"額の確定 {case.organization.name}"))
        case.confirmed_amount, case.confirmed_on = confirmed, timezone.localdate()

    def after(case: GrantCase) -> None:
        from grants.notices.services import NoticeError, issue_notice

        try:
            issue_notice(case=case, kind="confirmation", actor=actor, confirmed_amount=case.confirmed_amount)
        except NoticeError as exc:
            raise CaseActionError(str(exc)) from exc
        _settle(case, actor, RefundReason.CONFIRMATION, "精算払")

    return _transition(case_id=case_id, action="confirm", actor=actor, note=note, effect=effect, after=after)


def cancel(*, case_id: int, actor: User, note: str, kept_amount: int = 0) -> GrantCase:
    """取消 of the decision (false application, misuse, breach of conditions), with the reason: the amount the
    grant keeps becomes ``kept_amount`` yen (0 for a full cancellation; 一部取消 otherwise, at most the decided
    amount), scheduled advances are withdrawn, the commitment falls, and what was paid above it is ordered back
    with 加算金 (返還命令). Refused while a payment is on its way to the bank."""

    def effect(case: GrantCase) -> None:
        if not _whole_yen(kept_amount) or not 0 <= kept_amount <= (case.decided_amount or 0):
            raise CaseActionError(
                f"取消後に残す額は0円以上、交付決定額（{yen(case.decided_amount)}）以下にしてください。")
        _refuse_unsettled_payments(case, "支払の完了後か差戻しの後に取り消してください。")
        case.payment_orders.filter(status=OrderStatus.SCHEDULED).update(status=OrderStatus.CANCELLED)
        case.change_requests.filter(status__in=[ChangeStatus.DRAFT, ChangeStatus.PENDING]).update(
            status=ChangeStatus.REJECTED)
        net_paid = case.paid_amount - case.refunded_amount
        _ledger(lambda: adjust_commitment(case=case, amount=max(kept_amount, net_paid), actor=actor,
                                          note=f"交付決定の取消 {case.organization.name}"))
        case.confirmed_amount, case.confirmed_on = kept_amount, timezone.localdate()

    def after(case: GrantCase) -> None:
        _settle(case, actor, RefundReason.CANCELLATION, "精算払（一部取消後）")

    return _transition(case_id=case_id, action="cancel", actor=actor, note=note, effect=effect, after=after)


def _next_order_number(case: GrantCase) -> int:
    return (case.payment_orders.order_by("-number").values_list("number", flat=True).first() or 0) + 1


def _refuse_unsettled_payments(case: GrantCase, then: str) -> None:
    """額の確定 and 取消 count what was paid: refused while an order is on its way to the bank, or while the bank
    has not reported a transfer of the case (a returned transfer would change what was paid). ``then`` says
    when to try again."""
    from grants.ledger.models import BatchItem, ItemResult

    if case.payment_orders.filter(status__in=IN_FLIGHT).exists():
        raise CaseActionError(f"振込の済んでいない支出命令があります。{then}")
    if BatchItem.objects.filter(case=case, result=ItemResult.SENT).exists():
        raise CaseActionError("銀行の振込結果がまだ記録されていない支払があります。結果の記録後に行ってください。")


def _settle(case: GrantCase, actor: User, refund_reason: str, settlement_label: str) -> None:
    """After 額の確定 or 取消 (in its transaction): schedule a 精算払 order for what is still owed, order back
    what was paid above the amount the grant keeps (返還命令), or close the case when nothing is owed."""
    owed = (case.confirmed_amount or 0) - (case.paid_amount - case.refunded_amount)
    if owed > 0:
        PaymentOrder.objects.create(case=case, kind=OrderKind.SETTLEMENT, number=_next_order_number(case),
                                    label=settlement_label, amount=owed, pay_on=timezone.localdate())
    elif owed < 0:
        from .refunds import order_refund

        order_refund(case=case, actor=actor, principal=-owed, reason=refund_reason)
    else:
        close_if_settled(case=case, actor=actor)


def settled(case: GrantCase) -> str | None:
    """Why the case cannot be closed yet (Japanese), or None when everything is settled."""
    if case.confirmed_amount is None:
        return "額が確定していません。"
    if case.payment_orders.filter(status__in=[OrderStatus.SCHEDULED, *IN_FLIGHT]).exists():
        return "支払の済んでいない支出命令があります。"
    from grants.ledger.models import BatchItem, ItemResult

    if BatchItem.objects.filter(case=case, result=ItemResult.SENT).exists():
        # A transfer the bank may still return: a closed case could not take the return back.
        return "銀行の振込結果がまだ記録されていない支払があります。"
    order = RefundOrder.objects.filter(case=case).first()
    if order is not None and order.status != "settled":
        return "返還金の納付が済んでいません。"
    if case.paid_amount - case.refunded_amount != case.confirmed_amount:
        return "支払額（返還分を除く）が確定額と一致しません。"
    return None


def close(*, case_id: int, actor: User, note: str = "") -> GrantCase:
    """完了: the confirmed amount is paid (net of refunds) and any refund with its charges is settled."""

    def effect(case: GrantCase) -> None:
        why = settled(case)
        if why:
            raise CaseActionError(f"まだ完了にできません：{why}")
        case.closed_on = timezone.localdate()

    return _transition(case_id=case_id, action="close", actor=actor, note=note, effect=effect)


def close_if_settled(*, case: GrantCase, actor: User) -> None:
    """Close a confirmed case whose money is settled (called after the last payment or refund, or by the 額の確定
    or 取消 itself when nothing is owed either way; same transaction). The closing is part of ``actor``'s act
    and recorded under their name: it does not need the role of the ``close`` edge (an approver who confirms
    or cancels closes the case too)."""
    case.refresh_from_db()
    if case.status in (Status.CONFIRMED, Status.CANCELLED) and settled(case) is None:
        locked = GrantCase.objects.select_for_update().get(pk=case.pk)
        from_state = locked.status
        locked.close()
        locked.closed_on = timezone.localdate()
        locked.save()
        record_event(actor=actor, subject=locked, action="close", from_state=from_state, to_state=locked.status,
                     note="精算・返還の完了により完了")
        case.refresh_from_db()
