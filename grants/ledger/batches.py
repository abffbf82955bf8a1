"""Payment batches (振込バッチ): finance gathers approved payments, a second finance user approves the batch,
which posts the payments and keeps the 総合振込 file; the bank's result is then recorded per payment.

Errors: ``BatchError`` with a Japanese message; nothing is written when one is raised.
"""
import datetime as dt
from collections.abc import Callable, Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import services as case_services
from grants.cases.models import GrantCase, Status
from grants.core.bankdays import is_bank_business_day, next_bank_business_day
from grants.core.fiscal import wareki
from grants.core.models import record_event

from .models import (
    BatchItem,
    BatchStatus,
    EntryKind,
    ItemResult,
    LedgerEntry,
    OrderStatus,
    PaymentBatch,
    PaymentOrder,
    TransferSettings,
)


class BatchError(Exception):
    """The batch act is not allowed; the message is for the user, in Japanese."""


def payable_cases() -> QuerySet[GrantCase]:
    """Cases whose payment is approved (支出承認済) and not already in a live batch, oldest first."""
    live = BatchItem.objects.filter(~Q(result=ItemResult.RETURNED), payment_order__isnull=True).values("case_id")
    return (
        GrantCase.objects.filter(status=Status.PAYMENT_APPROVED)
        .exclude(pk__in=live)
        .select_related("organization", "programme_year__programme")
        .order_by("pk")
    )


def payable_orders() -> QuerySet[PaymentOrder]:
    """Payment orders (概算払・精算払 of full-lifecycle cases) approved and not in a live batch, oldest first."""
    live = BatchItem.objects.filter(~Q(result=ItemResult.RETURNED), payment_order__isnull=False).values(
        "payment_order_id")
    return (
        PaymentOrder.objects.filter(status=OrderStatus.APPROVED)
        .exclude(pk__in=live)
        .select_related("case__organization", "case__programme_year__programme")
        .order_by("pk")
    )


def earliest_transfer_date(today: dt.date | None = None) -> dt.date:
    """The first bank business day at least ``lead_days`` business days after today (振込指定日の初期値)."""
    day = today or timezone.localdate()
    settings = TransferSettings.objects.first()
    for _ in range(settings.lead_days if settings else 0):
        day = next_bank_business_day(day + dt.timedelta(days=1))
    return next_bank_business_day(day)


# How far ahead a transfer may be dated: banks take 総合振込 data for the coming weeks, not years.
TRANSFER_HORIZON_DAYS = 366


def _check_transfer_date(day: dt.date) -> None:
    """The date is a bank business day, at least ``lead_days`` business days ahead (the bank needs the file
    in time) and within a year."""
    today = timezone.localdate()
    if day > today + dt.timedelta(days=TRANSFER_HORIZON_DAYS):
        raise BatchError("振込指定日は1年以内の日付にしてください。")
    if not is_bank_business_day(day):
        suggestion = wareki(next_bank_business_day(day))
        raise BatchError(f"振込指定日（{wareki(day)}）は銀行の休業日です。{suggestion}以降の営業日を指定してください。")
    earliest = earliest_transfer_date(today)
    if day < earliest:
        raise BatchError(
            "振込指定日が早すぎます。銀行へのデータ送付に日数が必要なため、"
            f"{wareki(earliest)}以降の営業日を指定してください。"
        )


def _require_finance(actor: User) -> None:
    if actor.role != Role.FINANCE:
        raise BatchError("振込バッチは会計課の職員のみが扱えます。")


def create_payment_batch(
    *, actor: User, case_ids: Iterable[int], transfer_date: dt.date, note: str = "",
    order_ids: Iterable[int] = (),
) -> PaymentBatch:
    """Gather approved payments into a new batch to be transferred on ``transfer_date`` (a bank business day,
    weekends, national holidays and 12/31–1/3 excluded): the cases ``case_ids`` of the simple lifecycle (amount:
    unpaid decided amount) and the payment orders ``order_ids`` of full-lifecycle cases (amount: the order's).
    Each item keeps the amount (yen) and the account on file now. A payment can be in one live batch only."""
    _require_finance(actor)
    _check_transfer_date(transfer_date)
    ids, oids = sorted(set(case_ids)), sorted(set(order_ids))
    if not ids and not oids:
        raise BatchError("振込バッチに入れる支払を選んでください。")
    with transaction.atomic():
        cases = list(GrantCase.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        payable = set(payable_cases().filter(pk__in=ids).values_list("pk", flat=True))
        refused = [c.organization.name for c in cases if c.pk not in payable]
        orders = list(PaymentOrder.objects.select_for_update().filter(pk__in=oids).order_by("pk"))
        payable_o = set(payable_orders().filter(pk__in=oids).values_list("pk", flat=True))
        refused += [f"{o.case.organization.name} {o.label}" for o in orders if o.pk not in payable_o]
        if refused or len(cases) != len(ids) or len(orders) != len(oids):
            names = "、".join(refused) or "存在しない案件・支出命令"
            raise BatchError(f"支出承認済でないか、すでに振込バッチに入っている支払があります（{names}）。")
        batch = PaymentBatch.objects.create(transfer_date=transfer_date, prepared_by=actor, note=note)
        items = [_item(batch, case, (case.decided_amount or 0) - case.paid_amount) for case in cases]
        items += [_item(batch, order.case, order.amount, order) for order in orders]
        BatchItem.objects.bulk_create(items)
        record_event(actor=actor, subject=batch, action="create_payment_batch",
                     note=f"{len(items)}件、振込指定日 {transfer_date}")
    return batch


def _item(batch: PaymentBatch, case: GrantCase, amount: int, order: PaymentOrder | None = None) -> BatchItem:
    account = case.organization.current_bank_account()
    if account is None:
        raise BatchError(f"{case.organization.name}の振込先口座が登録されていません。")
    return BatchItem(
        batch=batch, case=case, payment_order=order, amount=amount, bank_code=account.bank_code,
        branch_code=account.branch_code, account_type=account.account_type,
        account_number=account.account_number, holder_kana=account.holder_kana,
    )


def approve_payment_batch(
    *, batch_id: int, actor: User, write_file: Callable[[PaymentBatch], bytes]
) -> PaymentBatch:
    """Approve a batch (a finance user other than its preparer): post each payment (支出) dated the transfer
    date, then write the 総合振込 file with ``write_file`` and keep it. Any refusal — a changed case, a name
    the file cannot hold — rolls everything back, so no payment is posted without its file."""
    _require_finance(actor)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.DRAFT:
            raise BatchError("この振込バッチはすでに承認されています。")
        if batch.prepared_by_id == actor.pk:
            raise BatchError("振込バッチを作成した方は、同じバッチを承認できません。")
        _check_transfer_date(batch.transfer_date)
        # Lock every case of the batch first, in id order, before any posting locks the budget row: an act on one
        # of these cases (a 変更交付決定, a 交付決定) locks its case, then the budget — taken the other way round,
        # the two transactions would wait for each other (deadlock).
        case_ids = sorted(set(batch.items.values_list("case_id", flat=True)))
        list(GrantCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk").values_list("pk", flat=True))
        for item in batch.items.select_related("case__organization", "payment_order"):
            try:
                if item.payment_order_id:
                    from grants.councils.orders import record_order_paid

                    if item.payment_order.amount != item.amount:
                        raise case_services.CaseActionError("支出命令の金額が振込バッチ作成時から変わっています。")
                    item.payment_entry = record_order_paid(order_id=item.payment_order_id, actor=actor,
                                                           paid_on=batch.transfer_date)
                else:
                    case_services.record_payment(case_id=item.case_id, actor=actor, paid_on=batch.transfer_date,
                                                 note=f"振込バッチ {batch.pk}")
                    item.payment_entry = LedgerEntry.objects.filter(
                        case_id=item.case_id, kind=EntryKind.PAYMENT, reversed_by__isnull=True
                    ).latest("pk")
            except case_services.CaseActionError as exc:
                raise BatchError(f"{item.case.organization.name}: {exc}") from exc
            item.result = ItemResult.SENT
            item.save(update_fields=["payment_entry", "result"])
        batch.status, batch.approved_by, batch.approved_at = BatchStatus.APPROVED, actor, timezone.now()
        content = write_file(batch)
        batch.file.save(batch.filename, ContentFile(content), save=False)
        batch.save()
        record_event(actor=actor, subject=batch, action="approve_payment_batch",
                     note=f"{batch.items.count()}件、{len(content)}バイト")
    return batch


def result_day() -> dt.date:
    """The day a bank result is recorded: today. The bank reports on or after the transfer date, never before."""
    return timezone.localdate()


def record_transfer_result(*, item_id: int, actor: User, returned: bool, reason: str = "") -> BatchItem:
    """Record the bank's result of one transfer: done (振込完了), or returned (組戻し・振込不能), which puts a
    reversing entry in the ledger and the payment back in the queue."""
    _require_finance(actor)
    if returned and not reason.strip():
        raise BatchError("返却の理由を入力してください。")
    with transaction.atomic():
        item = BatchItem.objects.select_for_update(of=("self",)).select_related("payment_entry", "batch").get(
            pk=item_id
        )
        if item.result != ItemResult.SENT:
            raise BatchError("この振込の結果はすでに記録されているか、まだ送金されていません。")
        if result_day() < item.batch.transfer_date:
            raise BatchError(
                f"振込指定日（{wareki(item.batch.transfer_date)}）より前には、銀行の結果を記録できません。"
            )
        if returned:
            try:
                if item.payment_order_id:
                    from grants.councils.orders import return_order_transfer

                    return_order_transfer(order_id=item.payment_order_id, actor=actor, payment=item.payment_entry,
                                          note=reason)
                else:
                    case_services.return_transfer(case_id=item.case_id, actor=actor, payment=item.payment_entry,
                                                  note=reason)
            except case_services.CaseActionError as exc:
                raise BatchError(str(exc)) from exc
        elif item.payment_order_id:
            _notify_order_paid(item, actor)
        else:
            _notify_paid(item.case_id, actor)
        item.result = ItemResult.RETURNED if returned else ItemResult.PAID
        item.return_reason, item.result_recorded_by, item.result_recorded_at = reason, actor, timezone.now()
        item.save()
        note = f"振込バッチ {item.batch_id}: {item.get_result_display()} {reason}".strip()
        record_event(actor=actor, subject=item.batch, action="record_transfer_result",
                     note=f"{item.case.organization.name}: {note}")
        record_event(actor=actor, subject=item.case, action="record_transfer_result", note=note)
        if item.payment_order_id and not returned:
            # A full-lifecycle case closes once the bank has confirmed its last payment (精算払), not when the
            # batch was approved: until then the transfer may come back.
            from grants.councils.lifecycle import close_if_settled

            close_if_settled(case=item.case, actor=actor)
    return item


def _notify_paid(case_id: int, actor: User) -> None:
    """Once the bank confirms the transfer: the 支払通知書, and the 額の確定通知書 — for this formula grant the
    amount is fixed by the rule, so the confirmed amount (確定額) is the decided amount (GRANTS.md §3, 7)."""
    from grants.notices.services import NoticeError, issue_notice

    case = GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=case_id)
    try:
        issue_notice(case=case, kind="confirmation", actor=actor)
        issue_notice(case=case, kind="payment", actor=actor)
    except NoticeError as exc:
        raise BatchError(str(exc)) from exc


def _notify_order_paid(item: BatchItem, actor: User) -> None:
    """The 支払通知書 of one payment order of a full-lifecycle case (the 額の確定通知書 is issued by 額の確定)."""
    from grants.notices.services import NoticeError, issue_notice

    case = GrantCase.objects.select_related("programme_year__programme", "organization").get(pk=item.case_id)
    try:
        issue_notice(case=case, kind="payment", actor=actor, subject_key=f"order-{item.payment_order_id}",
                     payment_item=item)
    except NoticeError as exc:
        raise BatchError(str(exc)) from exc


def discard_payment_batch(*, batch_id: int, actor: User) -> None:
    """Discard a batch not yet approved; its payments return to the queue. Nothing was posted yet."""
    _require_finance(actor)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.DRAFT:
            raise BatchError("承認済の振込バッチは取り消せません。振込の結果を記録してください。")
        batch.items.all().delete()
        batch.status = BatchStatus.DISCARDED
        batch.save(update_fields=["status"])
        record_event(actor=actor, subject=batch, action="discard_payment_batch")
