"""返還命令 and the receipt of refunds (戻入), with 加算金 and 延滞金 (GRANTS.md §3 steps 7–8; penalties.py).

Errors: ``CaseActionError`` with a Japanese message; nothing is written when one is raised.
"""
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import is_day, wareki
from grants.core.models import record_event
from grants.core.money import yen
from grants.ledger.models import EntryKind, LedgerEntry
from grants.ledger.services import adjust_commitment, post_entry

from .machines import REFUND_ORDER
from .models import GrantCase, RefundOrder, RefundReason, RefundReceipt, RefundStatus
from .penalties import Charges, charges
from .rules import rule_for_case
from .settlement import close_if_settled
from .workflows import CaseActionError, workflow_for_case


def advances_received(case: GrantCase) -> list[tuple[dt.date, int]]:
    """The payments the council received (date, yen), reversed transfers left out."""
    return list(
        LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT, reversed_by__isnull=True)
        .values_list("entry_date", "amount")
    )


def order_refund(
    *, case: GrantCase, actor: User, principal: int, reason: str = RefundReason.CONFIRMATION
) -> RefundOrder:
    """Issue the 返還命令 for ``principal`` yen (called by 額の確定 or 取消, inside its transaction): due
    ``refund_due_days`` days from today counted by ``refund_due_counting`` (翌日起算 by default:
    ``ProgrammeYear.refund_due_on``), with the year's rates copied onto the order (加算金 only for a
    cancellation), and its 返還命令書.

    A case has at most one order of its 額の確定 or 取消 and one of its 消費税仕入控除税額 (``reason``
    ``TAX_CREDIT``, ordered after the 報告 is confirmed); the notice of each is told apart by its ``subject_key``
    (``RefundOrder.notice_key``)."""
    rule = rule_for_case(case)  # the rates of the version the case was decided under
    today = timezone.localdate()
    surcharge = rule.surcharge_rate if reason == RefundReason.CANCELLATION else Decimal("0")
    order = RefundOrder.objects.create(
        case=case, principal=principal, reason=reason, ordered_on=today,
        due_on=rule.refund_due_on(today), surcharge_rate=surcharge, late_rate=rule.late_rate,
        penalty_rounding_unit=rule.penalty_rounding_unit, ordered_by=actor,
    )
    record_event(actor=actor, subject=case, action="order_refund",
                 note=f"返還命令 {yen(principal)}（納期限 {wareki(order.due_on)}）")
    workflow.issue_notice(case, "refund_order", actor, subject_key=order.notice_key)
    return order


def charges_on(order: RefundOrder, on: dt.date) -> Charges:
    """What is owed on ``on`` (principal unpaid, 加算金 and 延滞金 accrued, whole yen), before any payment made
    on that day is counted."""
    receipts = list(order.receipts.all())
    return charges(
        principal=order.principal, advances=advances_received(order.case), due_on=order.due_on,
        surcharge_rate=order.surcharge_rate, late_rate=order.late_rate,
        repayments=[(r.received_on, r.principal_part) for r in receipts], on=on,
        rounding_unit=order.penalty_rounding_unit,
    )


def outstanding(order: RefundOrder, on: dt.date) -> dict[str, int]:
    """Amounts still due on ``on``: principal, 加算金 and 延滞金 accrued less what was paid towards them."""
    owed = charges_on(order, on)
    receipts = list(order.receipts.all())
    return {
        "principal": owed.principal_unpaid,
        "surcharge": max(0, owed.surcharge - sum(r.surcharge_part for r in receipts)),
        "late": max(0, owed.late - sum(r.late_part for r in receipts)),
    }


def record_refund_receipt(
    *, case_id: int, actor: User, amount: int, received_on: dt.date
) -> RefundReceipt:
    """Record a payment of ``amount`` yen received on ``received_on`` against the case's 返還命令 (finance only).

    The amount goes to the principal first (posted to the ledger as a refund, 戻入, and the commitment falls to
    the confirmed amount as the advance comes back), then to the 加算金 and the 延滞金 accrued up to that day.
    A payment above everything owed is refused. When nothing is owed any more the order is settled and the case
    closed.

    When the case has two orders waiting (that of the 額の確定 and that of the 消費税仕入控除税額), the payment
    goes to the older one first.

    The same form sent twice (a double click) records one payment: the page runs this through
    ``grants.core.once``; two real payments of the same amount come from two forms and are both recorded."""
    if actor.role != Role.FINANCE:
        raise CaseActionError("返還金の納付は会計課の職員のみが記録できます。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise CaseActionError("納付額は1円以上の整数で入力してください。")
    today = timezone.localdate()
    with transaction.atomic():
        case = workflow.access(workflow_for_case(case_id).machine, actor, case_id, lock=True)
        orders = list(RefundOrder.objects.select_for_update().filter(case=case).order_by("pk"))
        order = next((o for o in orders if o.status != RefundStatus.SETTLED), None)
        if order is None:
            raise CaseActionError("納付を待っている返還命令はありません。")
        if not is_day(received_on) or not order.ordered_on <= received_on <= today:
            raise CaseActionError(f"納付日は返還命令日（{wareki(order.ordered_on)}）から本日までの日付にしてください。")
        last = order.receipts.order_by("-received_on").first()
        if last is not None and received_on < last.received_on:
            raise CaseActionError("納付日は、前回の納付日より前にはできません。")
        due = outstanding(order, received_on)
        total_due = due["principal"] + due["surcharge"] + due["late"]
        if amount > total_due:
            raise CaseActionError(
                f"納付額が、{wareki(received_on)}時点で納付すべき額（{yen(total_due)}）を超えています。")
        principal_part = min(amount, due["principal"])
        rest = amount - principal_part
        surcharge_part = min(rest, due["surcharge"])
        late_part = rest - surcharge_part
        entry = None
        if principal_part:
            try:
                entry = post_entry(programme_year=case.programme_year, kind=EntryKind.REFUND, amount=principal_part,
                                   actor=actor, case=case, entry_date=received_on,
                                   note=f"返還金の戻入 {case.organization.name}")
                case.refunded_amount += principal_part
                adjust_commitment(case=case, amount=max(case.confirmed_amount or 0,
                                                        case.paid_amount - case.refunded_amount),
                                  actor=actor, note=f"返還による減額 {case.organization.name}")
            except workflow.ActionRefused as exc:
                raise CaseActionError(str(exc)) from exc
            case.save(update_fields=["refunded_amount"])
        receipt = RefundReceipt.objects.create(
            order=order, received_on=received_on, principal_part=principal_part, surcharge_part=surcharge_part,
            late_part=late_part, ledger_entry=entry, recorded_by=actor,
        )
        record_event(actor=actor, subject=case, action="record_refund_receipt",
                     note=f"返還金の納付 {yen(amount)}（元金 {yen(principal_part)}、加算金 {yen(surcharge_part)}、"
                          f"延滞金 {yen(late_part)}）")
        if not any(outstanding(order, received_on).values()):
            workflow.perform(REFUND_ORDER, order.pk, "settle_refund", actor=actor)
            close_if_settled(case=case, actor=actor)
    return receipt
