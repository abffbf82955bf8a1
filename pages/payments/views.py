"""Finance pages: the payment queue, batches, the 総合振込 file and the bank's results. The buttons a batch and
its items offer come from their machines (``grants.cases.batches``)."""
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grants.accounts.models import Role
from grants.cases.batches import (
    BATCH_ITEM,
    PAYMENT_BATCH,
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    payable_orders,
    payee_problems,
    payment_name,
    record_transfer_result,
)
from grants.cases.orders import orders_of_their_own
from grants.cases.workflows import WORKFLOWS
from grants.core import workflow
from grants.core.models import record_event
from grants.core.workflow import ActionRefused
from grants.ledger import transfers
from grants.ledger.models import BatchItem, ItemResult, PaymentBatch, PaymentOrder
from grants.programmes.models import Programme, ProgrammeYear
from pages.http import AuthedRequest, act_once, post_form
from pages.payments.forms import BatchForm, CodeResultForm, ResultForm, parse_case_ids
from reports.zengin_batch import batch_file, item_for_customer_code


def _finance_or_auditor(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.sees_payments:
        raise PermissionDenied("会計課・監査委員事務局の職員のみが利用できる画面です。")


# Payments listed per page of each table of the queue.
PER_PAGE = 50


@dataclass(frozen=True)
class QueueYear:
    """One programme-year's payable payments: how many, their total (yen), and whether they are the single
    payments of formula-grant cases (chosen by case) or orders of their own (chosen by order)."""

    year: ProgrammeYear
    count: int
    total: int
    by_case: bool

    @property
    def label(self) -> str:
        return f"{self.year}（{self.count:,}件、合計 {self.total:,}円）"


def queue_years() -> list[QueueYear]:
    """The payable payments (``payable_orders``) summed per programme-year, newest year first. One query, grouped
    from the payments' side: its cost follows the payments waiting, not every case of every year."""
    prefix = "case__programme_year__"
    rows = (payable_orders().order_by()
            .values(f"{prefix}id", f"{prefix}fiscal_year", f"{prefix}label", f"{prefix}programme__id",
                    f"{prefix}programme__code", f"{prefix}programme__name", f"{prefix}programme__workflow")
            .annotate(count=Count("pk"), total=Sum("amount")))
    years = []
    for row in rows:
        programme = Programme(id=row[f"{prefix}programme__id"], code=row[f"{prefix}programme__code"],
                              name=row[f"{prefix}programme__name"], workflow=row[f"{prefix}programme__workflow"])
        year = ProgrammeYear(id=row[f"{prefix}id"], fiscal_year=row[f"{prefix}fiscal_year"],
                             label=row[f"{prefix}label"], programme=programme)
        years.append(QueueYear(year, row["count"], row["total"], bool(WORKFLOWS[programme.workflow].payment_mirror)))
    return sorted(years, key=lambda y: (-y.year.fiscal_year, y.year.programme.code, y.year.pk))


@dataclass(frozen=True)
class QueuePage:
    """One page of one table of the queue: its payments, its number (from 1), how many pages, and the links to
    the pages beside it (the other table's page kept), or None."""

    orders: list[PaymentOrder]
    count: int  # of the whole table
    number: int
    pages: int
    first: int  # the position of its first payment, from 1
    previous: str | None
    next: str | None


def _page_number(query: QueryDict, name: str, pages: int) -> int:
    """The page ``query[name]`` asks for, from 1 to ``pages``; anything else is page 1 (the user's input)."""
    raw = query.get(name, "1")
    number = int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) else 1
    return min(max(number, 1), max(pages, 1))


def _link(query: QueryDict, name: str, number: int) -> str:
    kept = query.copy()
    kept[name] = str(number)
    return "?" + kept.urlencode()


def queue_page(orders: QuerySet[PaymentOrder], count: int, query: QueryDict, name: str) -> QueuePage:
    """The page ``query[name]`` of ``orders`` (payable orders, by id; ``count`` of them, known from
    ``queue_years``). One query, none when ``count`` is 0."""
    pages = -(-count // PER_PAGE)
    number = _page_number(query, name, pages)
    start = (number - 1) * PER_PAGE
    # The page's ids first (the primary key's index alone, however far the page), then their rows with their joins.
    rows = list(payable_orders().filter(pk__in=orders.values("pk")[start:start + PER_PAGE])) if count else []
    return QueuePage(rows, count, number, pages, start + 1,
                     _link(query, name, number - 1) if number > 1 else None,
                     _link(query, name, number + 1) if number < pages else None)


def _orders_of_year(year: int) -> list[int]:
    """The payable orders of programme-year ``year`` whose payee can be paid now (two queries)."""
    orders = list(payable_orders().filter(case__programme_year_id=year))
    problems = payee_problems(orders)
    return [order.pk for order in orders if order.pk not in problems]


@login_required
def payment_queue(request: AuthedRequest) -> HttpResponse:
    """The payments waiting for a batch: per programme-year, how many and how much, then the payments page by
    page (the single payments of formula-grant cases, then the orders of the full lifecycle), and the form that
    makes a batch of the payments ticked or of a whole programme-year. A constant number of queries, whatever the
    number of payments."""
    _finance_or_auditor(request)
    years = queue_years()
    form = BatchForm(request.POST or None, years=[(y.year.pk, y.label) for y in years])
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:  # once per form: a double click makes one batch
            return act_once(
                request, act=lambda: create_payment_batch(
                    actor=request.user,
                    order_ids=_orders_of_year(year) if year else parse_case_ids(request.POST.getlist("order")),
                    case_ids=[] if year else parse_case_ids(request.POST.getlist("case")),
                    transfer_date=form.cleaned_data["transfer_date"], note=form.cleaned_data["note"]),
                done="振込バッチを作成しました。別の会計課職員が承認してください。",
                then=lambda batch: redirect("payment_batch", pk=batch.pk))
        except ActionRefused as exc:  # the queue is shown again, with what was typed
            messages.error(request, str(exc))
    # The single payment of a formula grant (交付金: its case moves with it, chosen by case) and the 概算払・精算払
    # of the full lifecycle (orders of their own, ``orders_of_their_own``), apart.
    # (By payment id, oldest first: the primary key's index, read until the page is full.)
    own = orders_of_their_own().values("pk")
    by_case = sum(y.count for y in years if y.by_case)
    queue = queue_page(payable_orders().exclude(pk__in=own), by_case, request.GET, "page")
    orders = queue_page(payable_orders().filter(pk__in=own), sum(y.count for y in years) - by_case, request.GET,
                        "orders_page")
    # Each batch with the transfers still waiting for the bank's result (振込予定), apart from those it reported.
    batches = PaymentBatch.objects.select_related("prepared_by", "approved_by").annotate(
        total=Sum("items__amount"), pending=Count("items", filter=Q(items__result=ItemResult.SENT)),
    )[:30]
    return render(request, "ledger/payment_queue.html", {
        "years": years, "queue": queue, "orders": orders, "form": form, "batches": batches,
        "total_count": sum(y.count for y in years), "total_amount": sum(y.total for y in years),
        "early_results": transfers.early_results_allowed(),
    })


@login_required
def payment_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    batch = get_object_or_404(PaymentBatch.objects.select_related("prepared_by", "approved_by"), pk=pk)
    items = list(batch.items.select_related("case__organization", "case__programme_year__programme",
                                            "result_recorded_by", "payment_order", "batch"))
    return render(request, "ledger/payment_batch.html", {
        "batch": batch, "total": sum(i.amount for i in items), "result_form": ResultForm(),
        "acts": workflow.open_edges(PAYMENT_BATCH, batch, request.user),
        "items": [{"item": item, "acts": workflow.open_edges(BATCH_ITEM, item, request.user)} for item in items],
        "awaiting_approval": workflow.leaves(PAYMENT_BATCH, batch, "approve_payment_batch"),
        # Once approved, finance records each transfer's result (the column stays once all are recorded).
        "results_column": batch.approved_at is not None and request.user.role == Role.FINANCE,
        "early_results": transfers.early_results_allowed(),
    })


@require_POST
@login_required
def approve_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    return post_form(request, form=None, back=redirect("payment_batch", pk=pk),
                     act=lambda d: approve_payment_batch(batch_id=pk, actor=request.user, write_file=batch_file),
                     done="振込バッチを承認し、総合振込ファイルを作成しました。", not_found=PaymentBatch.DoesNotExist)


@require_POST
@login_required
def discard_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    get_object_or_404(PaymentBatch, pk=pk)
    return post_form(request, form=None, back=redirect("payment_batch", pk=pk),
                     act=lambda d: discard_payment_batch(batch_id=pk, actor=request.user),
                     done="振込バッチを取り消しました。支払は振込待ちに戻りました。")


@require_POST
@login_required
def record_result(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    get_object_or_404(BatchItem, pk=item_pk, batch_id=pk)  # the item of this batch, not of another
    return post_form(request, form=ResultForm(request.POST), back=redirect("payment_batch", pk=pk),
                     act=lambda d: record_transfer_result(item_id=item_pk, actor=request.user,
                                                          returned=d["result"] == "returned", reason=d["reason"]),
                     invalid=lambda form: "結果（振込完了または返却）を選んでください。",
                     done="振込の結果を記録しました。")


@require_POST
@login_required
def record_result_by_code(request: AuthedRequest, pk: int) -> HttpResponse:
    """The bank's result of one transfer of the batch, found by the 顧客コード its result line names."""
    _finance_or_auditor(request)
    batch = get_object_or_404(PaymentBatch, pk=pk)

    def record(data: dict[str, Any]) -> BatchItem:
        item = item_for_customer_code(batch, data["code"])
        if item.amount != data["amount"]:
            raise BatchError(f"顧客コード「{data['code']}」の振込金額は{item.amount:,}円で、入力された"
                             f"{data['amount']:,}円と一致しません。顧客コードと金額を確かめてください。")
        return record_transfer_result(item_id=item.pk, actor=request.user, returned=data["result"] == "returned",
                                      reason=data["reason"])

    return post_form(request, form=CodeResultForm(request.POST), back=redirect("payment_batch", pk=pk), act=record,
                     invalid=lambda form: "顧客コード、振込金額と結果（振込完了または返却）を入力してください。",
                     done=lambda item: f"{payment_name(item.case, item.payment_order)}の振込の結果を記録しました。")


@login_required
def batch_file_download(request: AuthedRequest, pk: int) -> FileResponse:
    _finance_or_auditor(request)
    batch = get_object_or_404(PaymentBatch, pk=pk, status="approved")
    if not batch.file:
        raise Http404("振込ファイルがありません。")
    # The file holds every payee's full account number: who took it, and when, is on record.
    record_event(actor=request.user, subject=batch, action="download_zengin_file", note=batch.filename)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.filename,
                        content_type="text/plain; charset=Shift_JIS")
