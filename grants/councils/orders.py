"""Payment orders of full-lifecycle cases (支出命令: 概算払 instalments and the 精算払), GRANTS.md §3 step 5.

An order is drafted (起票) by staff or finance, approved by a finance user who did not draft it, then goes to
the bank in a payment batch like any other payment (``grants.ledger.batches``). The sum of a case's live
orders never exceeds its decided amount, and the ledger refuses any payment above the case's net commitment.

Errors: ``CaseActionError`` (Japanese), ``PaymentOrder.DoesNotExist`` for an order the user may not see.
"""
import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, Status
from grants.cases.permissions import access_case
from grants.cases.services import CaseActionError
from grants.core.models import record_event
from grants.core.money import yen
from grants.ledger.models import EntryKind, ItemResult, LedgerEntry, OrderKind, OrderStatus, PaymentOrder
from grants.ledger.services import LedgerError, post_entry

# Advances are paid while the decision stands and before the 実績報告; the 精算払 after 額の確定.
ADVANCE_STATES = frozenset({Status.DECIDED, Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED})
LIVE = (OrderStatus.PREPARED, OrderStatus.APPROVED, OrderStatus.PAID)


def _locked(actor: User, order_id: int) -> tuple[GrantCase, PaymentOrder]:
    """Lock the order's case (visibility checked as for the case), then the order."""
    case_id = PaymentOrder.objects.values_list("case_id", flat=True).get(pk=order_id)
    try:
        case = access_case(actor, case_id, for_update=True)
    except GrantCase.DoesNotExist as exc:
        raise PaymentOrder.DoesNotExist from exc
    return case, PaymentOrder.objects.select_for_update().get(pk=order_id)


def _act(order: PaymentOrder, case: GrantCase, actor: User, action: str, before: str, note: str = "") -> None:
    record_event(actor=actor, subject=case, action=action, from_state=before, to_state=order.status,
                 note=f"{order.label} {yen(order.amount)} {note}".strip())


def prepare_order(*, order_id: int, actor: User, note: str = "") -> PaymentOrder:
    """起票: the order is due for payment. Advances only while the decision stands and before the 実績報告;
    the 精算払 only after 額の確定. The live orders of the case must stay within its decided amount (confirmed
    amount after 額の確定), and the council needs an account on file."""
    if actor.role not in (Role.STAFF, Role.FINANCE):
        raise CaseActionError("支出命令を起票する権限がありません。")
    with transaction.atomic():
        case, order = _locked(actor, order_id)
        if order.status != OrderStatus.SCHEDULED:
            raise CaseActionError(f"この支出命令は「{order.get_status_display()}」のため起票できません。")
        if order.kind == OrderKind.ADVANCE and case.status not in ADVANCE_STATES:
            raise CaseActionError("概算払は、交付決定後、実績報告の提出前にのみ起票できます。")
        if order.kind == OrderKind.SETTLEMENT and case.status not in (Status.CONFIRMED, Status.CANCELLED):
            raise CaseActionError("精算払は、額の確定後にのみ起票できます。")
        if case.organization.current_bank_account() is None:
            raise CaseActionError("振込先の口座が登録されていないため、支出命令を起票できません。")
        ceiling = case.confirmed_amount if case.confirmed_amount is not None else (case.decided_amount or 0)
        live = case.payment_orders.filter(status__in=LIVE).aggregate(total=Sum("amount"))["total"] or 0
        net_live = live - case.refunded_amount
        if net_live + order.amount > ceiling:
            raise CaseActionError(
                f"支出命令の合計が{'確定額' if case.confirmed_amount is not None else '交付決定額'}（{yen(ceiling)}）"
                f"を超えます（起票済・支払済 {yen(net_live)}、今回 {yen(order.amount)}）。"
            )
        before = order.status
        order.status, order.prepared_by, order.prepared_at = OrderStatus.PREPARED, actor, timezone.now()
        order.save(update_fields=["status", "prepared_by", "prepared_at"])
        _act(order, case, actor, "prepare_order", before, note)
    return order


def approve_order(*, order_id: int, actor: User, note: str = "") -> PaymentOrder:
    """支出承認 by a finance user who did not draft the order."""
    if actor.role != Role.FINANCE:
        raise CaseActionError("支出の承認は会計課の職員のみが行えます。")
    with transaction.atomic():
        case, order = _locked(actor, order_id)
        if order.status != OrderStatus.PREPARED:
            raise CaseActionError(f"この支出命令は「{order.get_status_display()}」のため承認できません。")
        if order.prepared_by_id == actor.pk:
            raise CaseActionError("支出命令を起票した方は、同じ支出を承認・差戻しできません。")
        before = order.status
        order.status, order.approved_by, order.approved_at = OrderStatus.APPROVED, actor, timezone.now()
        order.save(update_fields=["status", "approved_by", "approved_at"])
        _act(order, case, actor, "approve_order", before, note)
    return order


def reject_order(*, order_id: int, actor: User, note: str) -> PaymentOrder:
    """差戻し of a drafted order, or of an approved one that is in no live payment batch (not yet batched, or its
    transfer returned by the bank), back to 予定, with the reason; finance, not the drafter. An advance sent back
    once the 実績報告 is in is withdrawn (取りやめ) like the other advances not yet started: what is still owed is
    paid at the 精算払."""
    if actor.role != Role.FINANCE:
        raise CaseActionError("支出命令の差戻しは会計課の職員のみが行えます。")
    if not (note or "").strip():
        raise CaseActionError("理由を入力してください。")
    with transaction.atomic():
        case, order = _locked(actor, order_id)
        if order.status not in (OrderStatus.PREPARED, OrderStatus.APPROVED):
            raise CaseActionError(f"この支出命令は「{order.get_status_display()}」のため差し戻せません。")
        if order.prepared_by_id == actor.pk:
            raise CaseActionError("支出命令を起票した方は、同じ支出を承認・差戻しできません。")
        if order.batch_items.exclude(result=ItemResult.RETURNED).exists():
            raise CaseActionError("振込バッチに入っている支出命令は差し戻せません。"
                                  "振込バッチを取り消すか、銀行の振込結果を記録してください。")
        before = order.status
        withdrawn = order.kind == OrderKind.ADVANCE and case.status not in ADVANCE_STATES
        order.status = OrderStatus.CANCELLED if withdrawn else OrderStatus.SCHEDULED
        order.prepared_by, order.prepared_at, order.approved_by, order.approved_at = None, None, None, None
        order.save(update_fields=["status", "prepared_by", "prepared_at", "approved_by", "approved_at"])
        _act(order, case, actor, "reject_order", before, note)
    return order


def record_order_paid(*, order_id: int, actor: User, paid_on: dt.date) -> LedgerEntry:
    """Post the order's payment (支出) dated ``paid_on`` — called by the payment-batch approval. The case is
    not closed here: the bank may still return the transfer; it closes when the bank's 振込完了 is recorded
    (``grants.ledger.batches.record_transfer_result``)."""
    with transaction.atomic():
        case, order = _locked(actor, order_id)
        if order.status != OrderStatus.APPROVED:
            raise CaseActionError(f"{order.label}は支出承認済ではありません。")
        try:
            entry = post_entry(programme_year=case.programme_year, kind=EntryKind.PAYMENT, amount=order.amount,
                               actor=actor, case=case, entry_date=paid_on,
                               note=f"{order.label} {case.organization.name}"[:200])
        except LedgerError as exc:
            raise CaseActionError(str(exc)) from exc
        before = order.status
        order.status, order.paid_on = OrderStatus.PAID, paid_on
        order.save(update_fields=["status", "paid_on"])
        case.paid_amount += order.amount
        case.paid_on = paid_on
        case.save(update_fields=["paid_amount", "paid_on"])
        _act(order, case, actor, "record_order_paid", before)
    return entry


def return_order_transfer(*, order_id: int, actor: User, payment: LedgerEntry, note: str) -> PaymentOrder:
    """The bank returned the order's transfer: reverse its payment and put the order back to 支出承認済, to be
    paid again once the account is corrected. Refused for a closed case."""
    with transaction.atomic():
        case, order = _locked(actor, order_id)
        if order.status != OrderStatus.PAID or payment.case_id != case.pk or payment.kind != EntryKind.PAYMENT:
            raise CaseActionError("この支出命令の支出の仕訳ではありません。")
        if case.status == Status.CLOSED:
            raise CaseActionError("完了した案件の振込は返却として記録できません。")
        try:
            post_entry(programme_year=case.programme_year, kind=EntryKind.REVERSAL, amount=0, actor=actor,
                       reverses=payment, case_reversal=True, note=f"振込返却 {note}"[:200])
        except LedgerError as exc:
            raise CaseActionError(str(exc)) from exc
        before = order.status
        order.status, order.paid_on = OrderStatus.APPROVED, None
        order.save(update_fields=["status", "paid_on"])
        case.paid_amount -= payment.amount
        case.save(update_fields=["paid_amount"])
        _act(order, case, actor, "return_order_transfer", before, note)
    return order
