"""Payment batches (振込バッチ): finance gathers approved payment orders, a second finance user approves the
batch, which posts the payments and keeps the 総合振込 file; the bank's result is then recorded per payment.
Every item of a batch is a payment order (``grants.cases.orders``), whatever the programme.

Errors: ``BatchError`` with a Japanese message; nothing is written when one is raised.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.db.models import Q, QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.fiscal import wareki
from grants.core.models import record_event
from grants.core.workflow import SYSTEM, Act, ActionRefused, Edge, Machine
from grants.ledger import transfers
from grants.ledger.models import (
    BatchItem,
    BatchStatus,
    ItemResult,
    OrderKind,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
)
from grants.ledger.transfers import TransferDateError, earliest_transfer_date
from grants.organizations.kana import MISSING_BANK_CODE
from grants.organizations.models import BankAccount

from .models import GrantCase
from .orders import confirm_order_transfer, record_order_paid, return_order_transfer
from .settlement import close_if_settled

__all__ = ["BatchError", "earliest_transfer_date", "payable_orders", "payable_cases", "payee_problems",
           "payment_name", "create_payment_batch", "approve_payment_batch", "record_transfer_result",
           "discard_payment_batch"]


class BatchError(ActionRefused):
    """The batch act is not allowed; the message is for the user, in Japanese."""


def _city(model: Any) -> Callable[[Any], QuerySet[Any]]:
    def visible(user: Any) -> QuerySet[Any]:
        return model.objects.all() if getattr(user, "is_city_user", False) else model.objects.none()

    return visible


FINANCE = frozenset({Role.FINANCE})
ONLY_FINANCE = "振込バッチは会計課の職員のみが扱えます。"

PAYMENT_BATCH: Machine[PaymentBatch] = workflow.register(Machine(
    name="payment_batch", label="振込バッチ", model="ledger.PaymentBatch",
    states=dict(BatchStatus.choices),
    edges=(
        Edge("approve_payment_batch", "承認して振込ファイルを作成する", frozenset({BatchStatus.DRAFT}),
             BatchStatus.APPROVED, FINANCE, ("prepared_by",), records="approved_by", stamps="approved_at",
             page="form", state_refusal="この振込バッチはすでに承認されています。"),
        Edge("discard_payment_batch", "この振込バッチを取り消す", frozenset({BatchStatus.DRAFT}),
             BatchStatus.DISCARDED, FINANCE, page="form", tone="secondary",
             state_refusal="承認済の振込バッチは取り消せません。振込の結果を記録してください。"),
    ),
    visible=_city(PaymentBatch), error=BatchError, role_refusal=ONLY_FINANCE,
    separation={"prepared_by": "振込バッチを作成した方は、同じバッチを承認できません。"},
))


EARLY_RESULT_NOTE = "（研修用の設定により振込指定日前に記録）"


def _early(item: BatchItem) -> bool:
    return transfers.result_day() < item.batch.transfer_date


def _result(item: BatchItem, note: str) -> str:
    """振込バッチ 12: 返却 口座なし, marked when the training setting let it come before the transfer date."""
    early = EARLY_RESULT_NOTE if _early(item) else ""
    return f"振込バッチ {item.batch_id}: {item.get_result_display()} {note}".strip() + early


def _result_note(item: BatchItem, note: str) -> str:
    return f"{item.case.organization.name}: {_result(item, note)}"


@workflow.guard("transfer_date_reached")
def _date_reached(item: BatchItem, user: Any) -> str | None:
    """The bank reports on or after the transfer date; the training setting (``early_results``) lifts this."""
    if _early(item) and not transfers.early_results_allowed():
        return f"振込指定日（{wareki(item.batch.transfer_date)}）より前には、銀行の結果を記録できません。"
    return None


SENT = frozenset({ItemResult.SENT})
RESULT_TAKEN = "この振込の結果はすでに記録されているか、まだ送金されていません。"

BATCH_ITEM: Machine[BatchItem] = workflow.register(Machine(
    name="batch_item", label="振込明細", model="ledger.BatchItem", field="result",
    states=dict(ItemResult.choices),
    edges=(
        Edge("send_transfer", "送金", frozenset({ItemResult.PENDING}), ItemResult.SENT, frozenset({*FINANCE, SYSTEM}),
             page=""),
        Edge("record_transfer_done", "振込完了", SENT, ItemResult.PAID, FINANCE, records="result_recorded_by",
             stamps="result_recorded_at", guards=("transfer_date_reached",), action="record_transfer_result",
             page="form", state_refusal=RESULT_TAKEN, effects=("confirm_transfer",),
             then=("record_result_on_case", "notify_transfer_done")),
        Edge("record_transfer_returned", "返却を記録", SENT, ItemResult.RETURNED, FINANCE, note_required=True,
             records="result_recorded_by", stamps="result_recorded_at", guards=("transfer_date_reached",),
             action="record_transfer_result", page="form", tone="secondary", state_refusal=RESULT_TAKEN,
             note_refusal="返却の理由を入力してください。", effects=("return_transfer",),
             then=("record_result_on_case",)),
    ),
    visible=_city(BatchItem), parent="batch", related=("batch", "case__organization", "payment_entry"),
    error=BatchError, role_refusal=ONLY_FINANCE, subject=lambda item: item.batch, note=_result_note,
))


def payable_orders() -> QuerySet[PaymentOrder]:
    """Payment orders approved and not in a live batch, oldest first."""
    live = BatchItem.objects.filter(~Q(result=ItemResult.RETURNED)).values("payment_order_id")
    return (
        PaymentOrder.objects.filter(status=OrderStatus.APPROVED)
        .exclude(pk__in=live)
        .select_related("case__organization", "case__programme_year__programme")
        .order_by("pk")
    )


def payable_cases() -> QuerySet[GrantCase]:
    """Cases with a payment order waiting for a batch, oldest first."""
    return (GrantCase.objects.filter(pk__in=payable_orders().values("case_id"))
            .select_related("organization", "programme_year__programme").order_by("pk"))


NO_ACCOUNT = "振込先口座が登録されていません。"


def account_problem(account: BankAccount | None) -> str | None:
    """Why a payment to ``account`` (an organisation's current account, or None) cannot go into a batch now, in
    Japanese, or None: no account, or a bank or branch code no longer in the zengin-code data (a merger:
    ``grants.organizations.kana.bank_code_problem``, the one test the pages, the batch and the file share)."""
    if account is None:
        return NO_ACCOUNT
    problem = account.bank_code_problem()
    return None if problem is None else f"{MISSING_BANK_CODE}: {problem.message}振込先口座を訂正してください。"


def payee_problems(orders: Iterable[PaymentOrder]) -> dict[int, str]:
    """For each of ``orders`` (their cases and organisations loaded) whose payee cannot be paid now, by order id,
    why (``account_problem``); orders that can be paid are left out. One query for the accounts."""
    orders = list(orders)
    accounts = {a.organization_id: a for a in BankAccount.objects.filter(
        is_current=True, organization_id__in={o.case.organization_id for o in orders})}
    problems = {o.pk: account_problem(accounts.get(o.case.organization_id)) for o in orders}
    return {pk: problem for pk, problem in problems.items() if problem}


def payment_name(case: GrantCase, order: PaymentOrder) -> str:
    """A payment as a refusal names it: 団体名（案件 令和8年度 自治振興 第42号・交付金）."""
    return f"{case.organization.name}（案件 {case.reference}・{order.label}）"


def _orders_to_pay(case_ids: list[int], order_ids: list[int]) -> list[PaymentOrder]:
    """The orders ``order_ids`` and the payable orders of the cases ``case_ids`` (locked); ``BatchError``
    naming what is not payable."""
    cases = list(GrantCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
    # Only the orders are locked (of self): locking the joined rows too — the programme-year and programme every
    # batch shares — took them tuple by tuple, so two batches each holding what the other wanted next deadlocked.
    locked = list(PaymentOrder.objects.select_for_update(of=("self",))
                  .filter(Q(pk__in=order_ids) | Q(case_id__in=case_ids))
                  .select_related("case__organization", "case__programme_year__programme").order_by("pk"))
    payable = set(payable_orders().filter(pk__in=[o.pk for o in locked]).values_list("pk", flat=True))
    chosen = [o for o in locked if o.pk in payable and (o.pk in order_ids or o.case_id in case_ids)]
    refused = [c.organization.name for c in cases if not any(o.case_id == c.pk for o in chosen)]
    refused += [f"{o.case.organization.name} {o.label}" for o in locked if o.pk in order_ids and o.pk not in payable]
    if refused or len(cases) != len(case_ids) or len({o.pk for o in locked} & set(order_ids)) != len(order_ids):
        names = "、".join(refused) or "存在しない案件・支出命令"
        raise BatchError(f"支出承認済でないか、すでに振込バッチに入っている支払があります（{names}）。")
    problems = payee_problems(chosen)
    if problems:
        named = "、".join(f"{payment_name(o.case, o)} {problems[o.pk]}" for o in chosen if o.pk in problems)
        raise BatchError("振込先口座のため振込バッチに入れられない支払があります。"
                         f"選択を外すか、口座を訂正してください: {named}")
    return chosen


# How many times a batch is tried again after PostgreSQL chose it as the victim of a deadlock.
DEADLOCK_RETRIES = 3


def create_payment_batch(
    *, actor: User, transfer_date: dt.date, order_ids: Iterable[int] = (), case_ids: Iterable[int] = (),
    note: str = "",
) -> PaymentBatch:
    """Gather approved payment orders into a new batch to be transferred on ``transfer_date`` (a bank business
    day, weekends, national holidays and 12/31–1/3 excluded): the orders ``order_ids``, and the payable orders of
    the cases ``case_ids``. Each item keeps the amount (yen) and the account on file now. An order can be in one
    live batch only."""
    if actor.role != Role.FINANCE:
        raise BatchError(ONLY_FINANCE)
    try:
        transfers.check_transfer_date(transfer_date)
    except TransferDateError as exc:
        raise BatchError(str(exc)) from exc
    cids, oids = sorted(set(case_ids)), sorted(set(order_ids))
    if not cids and not oids:
        raise BatchError("振込バッチに入れる支払を選んでください。")
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                orders = _orders_to_pay(cids, oids)
                batch = PaymentBatch.objects.create(transfer_date=transfer_date, prepared_by=actor, note=note)
                items = [_item(batch, order) for order in orders]
                BatchItem.objects.bulk_create(items)
                record_event(actor=actor, subject=batch, action="create_payment_batch",
                             note=f"{len(items)}件、振込指定日 {wareki(transfer_date)}")
            return batch
        except OperationalError as exc:
            # PostgreSQL ends one of two transactions that wait for each other (deadlock detected, 40P01) — seen
            # with ten batches claiming overlapping payments at once; that one is tried again from the start,
            # when the payments the other claimed are refused by name.
            if getattr(exc.__cause__, "sqlstate", None) != "40P01" or attempt == DEADLOCK_RETRIES:
                raise
    raise AssertionError("unreachable")


def _item(batch: PaymentBatch, order: PaymentOrder) -> BatchItem:
    case = order.case
    account = case.organization.current_bank_account()
    problem = account_problem(account)
    if account is None or problem:  # checked for all the orders by _orders_to_pay: a change since is refused too
        raise BatchError(f"{payment_name(case, order)} {problem}")
    return BatchItem(
        batch=batch, case=case, payment_order=order, amount=order.amount, bank_code=account.bank_code,
        branch_code=account.branch_code, account_type=account.account_type,
        account_number=account.account_number, holder_kana=account.holder_kana,
    )


def approve_payment_batch(
    *, batch_id: int, actor: User, write_file: Callable[[PaymentBatch], bytes]
) -> PaymentBatch:
    """Approve a batch (a finance user other than its preparer): post each payment (支出) dated the transfer
    date, then write the 総合振込 file with ``write_file`` and keep it. Any refusal — a changed order, a name
    the file cannot hold — rolls everything back, so no payment is posted without its file."""
    if actor.role != Role.FINANCE:
        raise BatchError(ONLY_FINANCE)

    def pay(act: Act[PaymentBatch]) -> None:
        batch = act.obj
        try:
            transfers.check_transfer_date(batch.transfer_date)
        except TransferDateError as exc:
            raise BatchError(str(exc)) from exc
        # Lock every case of the batch first, in id order, before any posting locks the budget row: an act on one
        # of these cases (a 変更交付決定, a 交付決定) locks its case, then the budget — taken the other way round,
        # the two transactions would wait for each other (deadlock).
        case_ids = sorted(set(batch.items.values_list("case_id", flat=True)))
        list(GrantCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values_list("pk", flat=True))
        items = list(batch.items.select_related("case__organization", "payment_order"))
        for item in items:
            _pay(act, item)
        content = write_file(batch)
        batch.file.save(batch.filename, ContentFile(content), save=False)
        act.note = f"{len(items)}件、{len(content)}バイト"

    return workflow.perform(PAYMENT_BATCH, batch_id, "approve_payment_batch", actor=actor, effect=pay)


def _pay(act: Act[PaymentBatch], item: BatchItem) -> None:
    """Post one item's payment within the batch's approval and mark it sent: its order is 振込予定 until the
    bank's result."""
    try:
        if item.payment_order.amount != item.amount:
            raise BatchError("支出命令の金額が振込バッチ作成時から変わっています。")
        entry = record_order_paid(order_id=item.payment_order_id, actor=act.actor, note=f"振込バッチ {act.obj.pk}",
                                  paid_on=act.obj.transfer_date, part_of=act)
    except ActionRefused as exc:
        raise BatchError(f"{item.case.organization.name}: {exc}") from exc
    workflow.perform(BATCH_ITEM, item.pk, "send_transfer", actor=act.actor, part_of=act, record=False,
                     effect=lambda sent: setattr(sent.obj, "payment_entry", entry))


@workflow.effect("confirm_transfer")
def _confirm(act: Act[BatchItem]) -> None:
    """The bank reported the transfer done (振込完了): its order (and a formula grant's case) moves from 振込予定
    to 支払済. Until then the payment is posted, dated the transfer date, but not paid: the pages say 振込予定 with
    the date, the dashboard and the workbook count it apart. A transfer counts as made only on this result, never
    because its date has passed: the bank's result is what the city records, and a 返却 may come after the date."""
    confirm_order_transfer(order_id=act.obj.payment_order_id, actor=act.actor, part_of=act)


@workflow.effect("return_transfer")
def _return(act: Act[BatchItem]) -> None:
    """The bank returned the transfer (組戻し・振込不能): reverse its payment and put the order back in the
    queue (支出承認済), so that it can be paid again once the account is corrected."""
    item = act.obj
    assert item.payment_entry is not None  # a sent item's payment, written by send_transfer
    return_order_transfer(order_id=item.payment_order_id, actor=act.actor, note=act.note,
                          payment=item.payment_entry, part_of=act)
    item.return_reason = act.note


@workflow.effect("record_result_on_case")
def _on_case(act: Act[BatchItem]) -> None:
    """The result on the case's history too, next to the batch's."""
    item = act.obj
    record_event(actor=act.actor, subject=item.case, action="record_transfer_result", machine=BATCH_ITEM.name,
                 note=_result(item, act.note))


@workflow.effect("notify_transfer_done")
def _notify(act: Act[BatchItem]) -> None:
    """Once the bank confirms the transfer: the 支払通知書 (and, for the whole amount of a formula grant, whose
    amount the rule fixes, the 額の確定通知書 first: confirmed = decided, GRANTS.md §3 step 7); the case's
    history gets the result too. A case whose money is now settled closes (it could not while the bank might
    still return the transfer)."""
    item = act.obj
    case = GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=item.case_id)
    if item.payment_order.kind == OrderKind.WHOLE:
        workflow.issue_notice(case, "confirmation", act.actor)
        workflow.issue_notice(case, "payment", act.actor)
    else:
        workflow.issue_notice(case, "payment", act.actor, subject_key=f"order-{item.payment_order_id}",
                              payment_item=item)
    close_if_settled(case=case, actor=act.actor, part_of=act)


def record_transfer_result(*, item_id: int, actor: User, returned: bool, reason: str = "") -> BatchItem:
    """Record the bank's result of one transfer: done (振込完了), or returned (組戻し・振込不能), which puts a
    reversing entry in the ledger and the payment back in the queue."""
    if actor.role != Role.FINANCE:
        raise BatchError(ONLY_FINANCE)
    if returned and not reason.strip():
        raise BatchError("返却の理由を入力してください。")
    edge = "record_transfer_returned" if returned else "record_transfer_done"
    return workflow.perform(BATCH_ITEM, item_id, edge, actor=actor, note=reason.strip())


def discard_payment_batch(*, batch_id: int, actor: User) -> None:
    """Discard a batch not yet approved; its payments return to the queue. Nothing was posted yet."""
    if actor.role != Role.FINANCE:
        raise BatchError(ONLY_FINANCE)
    workflow.perform(PAYMENT_BATCH, batch_id, "discard_payment_batch", actor=actor,
                     effect=lambda act: act.obj.items.all().delete())
