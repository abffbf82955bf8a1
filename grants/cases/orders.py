"""Payment orders (支出命令, GRANTS.md §3 step 5): every payment of a case is one. A formula grant has one for its
whole amount (交付金), scheduled by the decision; a full-lifecycle case has its 概算払 instalments (from the
year's plan) and, after 額の確定, its 精算払.

An order is drafted (起票) by staff or finance, approved by a finance user who did not draft it, then goes to
the bank in a payment batch (``grants.cases.batches``). The live orders of a case never exceed its decided
(or confirmed) amount, and the ledger refuses any payment above the case's net commitment.

In a workflow whose case states follow its payment (``Workflow.payment_mirror``: the formula grant), the case's
own edges take the order's: the order then moves as part of the case's act, which the case's audit row records.

Errors: ``CaseActionError`` (Japanese), ``PaymentOrder.DoesNotExist`` for an order the user may not see.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import is_day
from grants.core.money import yen
from grants.core.workflow import SYSTEM, Act, Edge, Machine
from grants.ledger.models import (
    BatchItem,
    EntryKind,
    ItemResult,
    LedgerEntry,
    OrderKind,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
)
from grants.ledger.services import post_entry

from .models import GrantCase
from .rules import rule_for_case
from .workflows import WORKFLOWS, CaseActionError, workflow_of

# Orders on their way to the bank: they must be paid (or sent back) before the amount is confirmed.
IN_FLIGHT = (OrderStatus.PREPARED, OrderStatus.APPROVED)
# Orders whose payment is posted: sent to the bank (振込予定, until its result) or paid (振込完了).
POSTED = (OrderStatus.SENT, OrderStatus.PAID)
LIVE = (*IN_FLIGHT, *POSTED)
STAFF_OR_FINANCE = frozenset({Role.STAFF, Role.FINANCE})
PAID_ON_NEEDED = "支払日を指定してください。"
PAYMENT_NEEDED = "返却された振込の支出の仕訳を指定してください。"
FINANCE = frozenset({Role.FINANCE})


def _visible(user: Any) -> QuerySet[PaymentOrder]:
    return PaymentOrder.objects.filter(case__in=GrantCase.objects.visible_to(user))


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


PAYMENT_ORDER: Machine[PaymentOrder] = workflow.register(Machine(
    name="payment_order", label="支出命令", model="ledger.PaymentOrder",
    states=dict(OrderStatus.choices),
    edges=(
        Edge("prepare_order", "起票する", _s(OrderStatus.SCHEDULED), OrderStatus.PREPARED, STAFF_OR_FINANCE,
             records="prepared_by", stamps="prepared_at", effects=("order_payable",), page="form",
             role_refusal="支出命令を起票する権限がありません。",
             state_refusal="この支出命令は「{state}」のため起票できません。"),
        Edge("approve_order", "承認する", _s(OrderStatus.PREPARED), OrderStatus.APPROVED, FINANCE, ("prepared_by",),
             records="approved_by", stamps="approved_at", page="form",
             role_refusal="支出の承認は会計課の職員のみが行えます。",
             state_refusal="この支出命令は「{state}」のため承認できません。"),
        Edge("reject_order", "差し戻す", _s(OrderStatus.PREPARED, OrderStatus.APPROVED), OrderStatus.SCHEDULED,
             FINANCE, ("prepared_by",), note_required=True, effects=("order_not_in_batch", "clear_order_approvals"),
             page="form", tone="secondary", role_refusal="支出命令の差戻しは会計課の職員のみが行えます。",
             state_refusal="この支出命令は「{state}」のため差し戻せません。"),
        # An advance sent back once the 実績報告 is in is withdrawn (what is owed is paid at the 精算払).
        Edge("reject_order_withdrawn", "差し戻す（取りやめ）", _s(OrderStatus.PREPARED, OrderStatus.APPROVED),
             OrderStatus.CANCELLED, FINANCE, ("prepared_by",), note_required=True, action="reject_order",
             effects=("order_not_in_batch", "clear_order_approvals"), page="",
             role_refusal="支出命令の差戻しは会計課の職員のみが行えます。",
             state_refusal="この支出命令は「{state}」のため差し戻せません。"),
        Edge("record_order_paid", "支払の記録", _s(OrderStatus.APPROVED), OrderStatus.SENT,
             frozenset({*FINANCE, SYSTEM}), effects=("post_order_payment",), page="",
             state_refusal="{obj.label}は支出承認済ではありません。", needs=("paid_on",),
             needs_refusal=PAID_ON_NEEDED),
        Edge("confirm_order_transfer", "振込完了", _s(OrderStatus.SENT), OrderStatus.PAID,
             frozenset({*FINANCE, SYSTEM}), effects=("order_transfer_confirmed",), page="",
             state_refusal="この支出命令は「{state}」のため、振込完了を記録できません。"),
        Edge("return_order_transfer", "振込の返却", _s(OrderStatus.SENT), OrderStatus.APPROVED,
             frozenset({*FINANCE, SYSTEM}), note_required=True, effects=("reverse_order_payment",), page="",
             state_refusal="この支出命令の支出の仕訳ではありません。", needs=("payment",),
             needs_refusal=PAYMENT_NEEDED),
        Edge("withdraw_order", "取りやめ", _s(OrderStatus.SCHEDULED), OrderStatus.CANCELLED, frozenset({SYSTEM}),
             page=""),
    ),
    visible=_visible, parent="case", related=("case",), error=CaseActionError,
    separation={"prepared_by": "支出命令を起票した方は、同じ支出を承認・差戻しできません。"},
    subject=lambda order: order.case,
    note=lambda order, note: f"{order.label} {yen(order.amount)} {note}".strip(),
))


# The ledger's word for a payment: a formula grant's is 支出 (as before orders), an advance or 精算払 its label.
ENTRY_WORD: dict[str, str] = {OrderKind.WHOLE: "支出"}


def next_number(case: GrantCase) -> int:
    return (case.payment_orders.order_by("-number").values_list("number", flat=True).first() or 0) + 1


def live_total(case: GrantCase) -> int:
    """Orders drafted, approved or paid, whole yen."""
    return case.payment_orders.filter(status__in=LIVE).aggregate(total=Sum("amount"))["total"] or 0


# -- the order's own effects -----------------------------------------------------------------------------------

@workflow.effect("order_payable")
def _payable(act: Act[PaymentOrder]) -> None:
    """起票: an order of a kind the case's workflow pays in its state (概算払 while the decision stands and before
    the 実績報告; the 精算払 after 額の確定), to an account on file, within the decided (or confirmed) amount."""
    order, case = act.obj, act.obj.case
    machine = workflow_of(case).machine
    if not workflow.may(machine, case, act.actor, f"{order.kind}_payment"):
        raise CaseActionError(machine.activity(f"{order.kind}_payment").refusal)
    if case.organization.current_bank_account() is None:
        raise CaseActionError("振込先の口座が登録されていないため、支出命令を起票できません。")
    ceiling = case.confirmed_amount if case.confirmed_amount is not None else (case.decided_amount or 0)
    net_live = live_total(case) - case.refunded_amount
    if net_live + order.amount > ceiling:
        raise CaseActionError(
            f"支出命令の合計が{'確定額' if case.confirmed_amount is not None else '交付決定額'}（{yen(ceiling)}）"
            f"を超えます（起票済・支払済 {yen(net_live)}、今回 {yen(order.amount)}）。"
        )


@workflow.effect("order_not_in_batch")
def _not_in_batch(act: Act[PaymentOrder]) -> None:
    if act.obj.batch_items.exclude(result=ItemResult.RETURNED).exists():
        raise CaseActionError("振込バッチに入っている支出命令は差し戻せません。"
                              "振込バッチを取り消すか、銀行の振込結果を記録してください。")


@workflow.effect("clear_order_approvals")
def _clear(act: Act[PaymentOrder]) -> None:
    order = act.obj
    order.prepared_by, order.prepared_at, order.approved_by, order.approved_at = None, None, None, None


def _within(act: Act[Any], model: type[Any], pk: int) -> bool:
    """Whether ``act`` is part of an act on the ``model`` row ``pk`` (a payment batch's approval, an item's
    bank result)."""
    outer = act.parent
    while outer is not None:
        if isinstance(outer.obj, model) and outer.obj.pk == pk:
            return True
        outer = outer.parent
    return False


@workflow.effect("post_order_payment")
def _post(act: Act[PaymentOrder]) -> None:
    """Post the order's payment (支出) dated ``params["paid_on"]`` and add it to the case's paid amount. The case
    is not closed here: the bank may still return the transfer."""
    order, case = act.obj, act.obj.case
    paid_on = act.params["paid_on"]
    if not is_day(paid_on):
        raise CaseActionError(PAID_ON_NEEDED)
    item = order.batch_items.exclude(result=ItemResult.RETURNED).first()
    if item is not None and not _within(act, PaymentBatch, item.batch_id):
        raise CaseActionError(
            f"この支払は振込バッチ（{item.batch_id}）に入っています。振込バッチの承認で支払われます。")
    entry = post_entry(programme_year=case.programme_year, kind=EntryKind.PAYMENT, amount=order.amount,
                       actor=act.actor, case=case, entry_date=paid_on,
                       note=f"{ENTRY_WORD.get(order.kind, order.label)} {case.organization.name}"[:200])
    order.paid_on = paid_on
    case.paid_amount += order.amount
    case.paid_on = paid_on
    case.save(update_fields=["paid_amount", "paid_on"])
    act.memo["entry"] = entry


@workflow.effect("order_transfer_confirmed")
def _confirmed(act: Act[PaymentOrder]) -> None:
    """The bank reported the transfer done (振込完了): an order sent in a payment batch is confirmed only by that
    item's result, recorded on the batch's page."""
    item = act.obj.batch_items.exclude(result=ItemResult.RETURNED).first()
    if item is not None and not _within(act, BatchItem, item.pk):
        raise CaseActionError(f"振込バッチ（{item.batch_id}）で送金した振込の結果は、振込バッチの画面で銀行の結果として"
                              "記録してください。")


@workflow.effect("reverse_order_payment")
def _reverse(act: Act[PaymentOrder]) -> None:
    """The bank returned the transfer: reverse its payment entry (``params["payment"]``); the order is approved
    again, to be paid once the account is corrected. Refused for a closed case."""
    order, case = act.obj, act.obj.case
    payment = act.params["payment"]
    if not isinstance(payment, LedgerEntry) or payment.case_id != case.pk or payment.kind != EntryKind.PAYMENT:
        raise CaseActionError("この支出命令の支出の仕訳ではありません。")
    item = BatchItem.objects.filter(payment_entry=payment).first()
    if item is not None and not _within(act, BatchItem, item.pk):
        raise CaseActionError(f"振込バッチ（{item.batch_id}）で送金した振込の返却は、振込バッチの画面で銀行の結果として"
                              "記録してください。")
    if case.status in workflow_of(case).closed:
        raise CaseActionError("完了した案件の振込は返却として記録できません。")
    post_entry(programme_year=case.programme_year, kind=EntryKind.REVERSAL, amount=0, actor=act.actor,
               reverses=payment, case_reversal=True, note=f"振込返却 {act.note}"[:200])
    order.paid_on = None
    case.paid_amount -= payment.amount
    case.paid_on = None
    case.save(update_fields=["paid_amount", "paid_on"])


# -- taking an order's edge ------------------------------------------------------------------------------------

def take(order_id: int, edge: str, *, actor: User, note: str = "", params: dict[str, Any] | None = None,
         part_of: Act[Any] | None = None) -> PaymentOrder:
    """Take ``edge`` on order ``order_id``: through the case's own edge when its workflow mirrors the order
    (the order then moves inside the case's act), else on the order itself. An order of a mirroring workflow
    takes no edge the case does not take for it (refused after the visibility check)."""
    case_id = PaymentOrder.objects.values_list("case_id", flat=True).get(pk=order_id)
    flow = workflow_of(GrantCase.objects.select_related("programme_year__programme").get(pk=case_id))
    case_edge = flow.payment_mirror.get(edge)
    if case_edge is None and flow.payment_mirror:
        # The order moves only inside its case's acts: an edge the case does not take would leave the case
        # behind its order (a withdrawn order under a case still waiting for its payment).
        if part_of is None:
            workflow.access(PAYMENT_ORDER, actor, order_id)
        raise CaseActionError("この支出命令は、案件の手続（支出命令の起票・承認・差戻し）から扱ってください。")
    if case_edge is None:
        return workflow.perform(PAYMENT_ORDER, order_id, edge, actor=actor, note=note, params=params,
                                part_of=part_of)
    workflow.perform(flow.machine, case_id, case_edge, actor=actor, note=note, params={**(params or {}),
                     "order_id": order_id}, part_of=part_of)
    return PaymentOrder.objects.get(pk=order_id)


def prepare_order(*, order_id: int, actor: User, note: str = "") -> PaymentOrder:
    """起票 of an order (see ``order_payable``)."""
    return take(order_id, "prepare_order", actor=actor, note=note)


def approve_order(*, order_id: int, actor: User, note: str = "") -> PaymentOrder:
    """支出承認 by a finance user who did not draft the order."""
    return take(order_id, "approve_order", actor=actor, note=note)


def reject_order(*, order_id: int, actor: User, note: str) -> PaymentOrder:
    """差戻し of a drafted order, or of an approved one in no live payment batch (not yet batched, or its transfer
    returned by the bank), back to 予定, with the reason; finance, not the drafter. An order of a kind its case
    no longer pays (an advance once the 実績報告 is in) is withdrawn (取りやめ) instead."""
    order = PaymentOrder.objects.select_related("case__programme_year__programme").get(pk=order_id)
    flow = workflow_of(order.case)
    # A workflow whose case follows its order sends the order back with the case (its own reject edge);
    # otherwise the order is withdrawn when its case no longer pays its kind.
    paid_now = "reject_order" in flow.payment_mirror or workflow.may(flow.machine, order.case, actor,
                                                                     f"{order.kind}_payment")
    return take(order_id, "reject_order" if paid_now else "reject_order_withdrawn", actor=actor, note=note)


def record_order_paid(*, order_id: int, actor: User, paid_on: dt.date, note: str = "",
                      part_of: Act[Any] | None = None) -> LedgerEntry:
    """Post the order's payment (支出) dated ``paid_on``: what a payment batch's approval does for each of its
    orders. Returns the payment entry."""
    order = take(order_id, "record_order_paid", actor=actor, note=note, params={"paid_on": paid_on},
                 part_of=part_of)
    return LedgerEntry.objects.filter(case_id=order.case_id, kind=EntryKind.PAYMENT,
                                      reversed_by__isnull=True).latest("pk")


def confirm_order_transfer(*, order_id: int, actor: User, note: str = "",
                           part_of: Act[Any] | None = None) -> PaymentOrder:
    """The bank reported the order's transfer done (振込完了): the order is paid (支払済)."""
    return take(order_id, "confirm_order_transfer", actor=actor, note=note, part_of=part_of)


def return_order_transfer(*, order_id: int, actor: User, payment: LedgerEntry, note: str,
                          part_of: Act[Any] | None = None) -> PaymentOrder:
    """The bank returned the order's transfer: reverse its payment; the order is approved again."""
    return take(order_id, "return_order_transfer", actor=actor, note=note, params={"payment": payment},
                part_of=part_of)


# -- the single order of a formula grant, moved by the case's edges --------------------------------------------

def _whole_order(case: GrantCase, act: Act[GrantCase]) -> PaymentOrder:
    order_id = act.params.get("order_id")
    orders = case.payment_orders.filter(kind=OrderKind.WHOLE).exclude(status=OrderStatus.CANCELLED)
    order = orders.filter(pk=order_id).first() if order_id else orders.order_by("-number").first()
    if order is None:
        raise CaseActionError("この案件の支出命令がありません。")
    return order


def _with_case(edge: str) -> workflow.Effect:
    def move(act: Act[GrantCase]) -> None:
        order = _whole_order(act.obj, act)
        workflow.perform(PAYMENT_ORDER, order.pk, edge, actor=act.actor, note=act.note, params=act.params,
                         part_of=act, record=False)
        act.obj.refresh_from_db(fields=["paid_amount", "paid_on"])

    return move


workflow.effect("prepare_whole_payment")(_with_case("prepare_order"))
workflow.effect("approve_whole_payment")(_with_case("approve_order"))
workflow.effect("pay_whole_payment")(_with_case("record_order_paid"))
workflow.effect("confirm_whole_payment")(_with_case("confirm_order_transfer"))
workflow.effect("return_whole_payment")(_with_case("return_order_transfer"))


@workflow.effect("reject_whole_payment")
def _reject_whole(act: Act[GrantCase]) -> None:
    _with_case("reject_order")(act)
    act.obj.payment_prepared_by = None


@workflow.effect("schedule_whole_payment")
def _schedule_whole(act: Act[GrantCase]) -> None:
    """The decision of a formula grant schedules its one payment order, for the whole decided amount."""
    case = act.obj
    if case.decided_amount:
        PaymentOrder.objects.create(case=case, kind=OrderKind.WHOLE, number=next_number(case), label="交付金",
                                    amount=case.decided_amount, pay_on=timezone.localdate())


# -- the 概算払 plan -----------------------------------------------------------------------------------------------

def schedule_instalments(case: GrantCase, total: int, first_number: int = 1) -> list[PaymentOrder]:
    """概算払 orders for ``total`` yen from the instalment plan of the case's rule (its decision's version): each
    instalment's share of the decided amount, rounded down to the yen, the last planned instalment taking the
    remainder of the planned total (各回円未満切捨て、端数は最終回で調整). Each order takes its instalment's
    planned date, or the day of the decision when that date has already passed (it is due at once). Shares adding
    up to more than 1 are refused. Nothing is scheduled for a plan without instalments: the whole amount is then
    paid at the 精算払."""
    plan = sorted(rule_for_case(case).instalments.all(), key=lambda i: i.order)  # the decision's version
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


@workflow.effect("schedule_instalments")
def _schedule(act: Act[GrantCase]) -> None:
    schedule_instalments(act.obj, act.obj.decided_amount or 0)


def withdraw_scheduled(case: GrantCase, act: Act[Any], *, kind: str | None = None) -> list[PaymentOrder]:
    """取りやめ of the case's orders not yet drafted (of ``kind``, or all), each by its own transition within
    ``act`` and with its own audit row."""
    scheduled = case.payment_orders.filter(status=OrderStatus.SCHEDULED)
    if kind:
        scheduled = scheduled.filter(kind=kind)
    withdrawn = list(scheduled.order_by("number"))
    for order in withdrawn:
        workflow.perform(PAYMENT_ORDER, order.pk, "withdraw_order", actor=act.actor, part_of=act)
    return withdrawn


@workflow.effect("reschedule_advances")
def _reschedule(act: Act[GrantCase]) -> None:
    """After a change of the decided amount, re-plan the advances not yet started. The plan's total becomes
    the new decided amount × the plan's shares (円未満切捨て), less what was already paid or is on its way;
    it is spread over the dates of the withdrawn orders in proportion to their old amounts (rounded down, the
    remainder on the last)."""
    case = act.obj
    scheduled = withdraw_scheduled(case, act, kind=OrderKind.ADVANCE)
    if not scheduled:
        return
    started = sum(o.amount for o in case.payment_orders.filter(status__in=[*IN_FLIGHT, *POSTED]))
    shares = sum((Fraction(i.share_numerator, i.share_denominator) for i in rule_for_case(case).instalments.all()),
                 Fraction(0))
    remaining = int((case.decided_amount or 0) * min(shares, Fraction(1))) - started
    old_total = sum(o.amount for o in scheduled)
    if remaining <= 0 or old_total <= 0:
        return
    amounts = [o.amount * remaining // old_total for o in scheduled]
    amounts[-1] = remaining - sum(amounts[:-1])
    number = next_number(case)
    for order, amount in zip(scheduled, amounts, strict=True):
        if amount > 0:
            PaymentOrder.objects.create(case=case, kind=OrderKind.ADVANCE, number=number, label=order.label,
                                        amount=amount, pay_on=order.pay_on)
            number += 1


# -- reads ------------------------------------------------------------------------------------------------------

def orders_of_their_own() -> QuerySet[PaymentOrder]:
    """Orders that move on their own (not the single order of a workflow whose case states follow it): the ones
    listed as orders on the pages and in the work queues."""
    mirrored = [code for code, flow in WORKFLOWS.items() if flow.payment_mirror]
    return PaymentOrder.objects.exclude(case__programme_year__programme__workflow__in=mirrored)


def payable_now() -> Q:
    """Orders whose case's workflow pays their kind in the case's present state (an advance while the decision
    stands and before the 実績報告, the 精算払 after 額の確定)."""
    condition = Q(pk__in=[])
    for code, flow in WORKFLOWS.items():
        for activity in flow.machine.activities:
            kind = activity.name.removesuffix("_payment")
            if activity.name.endswith("_payment") and kind in OrderKind.values:
                condition |= Q(case__programme_year__programme__workflow=code, kind=kind,
                               case__status__in=activity.states)
    return condition
