"""Finance pages: the payment queue, batches, the 総合振込 file and the bank's results."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grants.core.models import record_event
from grants.ledger import batches
from grants.ledger.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    payable_cases,
    payable_orders,
    record_transfer_result,
)
from grants.ledger.models import BatchItem, BatchStatus, PaymentBatch
from pages.payments.forms import BatchForm, ResultForm, parse_case_ids


def _finance_or_auditor(request: HttpRequest) -> None:
    if not request.user.is_authenticated or request.user.role not in ("finance", "auditor"):
        raise PermissionDenied("会計課・監査委員事務局の職員のみが利用できる画面です。")


@login_required
def payment_queue(request: HttpRequest) -> HttpResponse:
    _finance_or_auditor(request)
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = create_payment_batch(actor=request.user, case_ids=parse_case_ids(request.POST.getlist("case")),
                                         order_ids=parse_case_ids(request.POST.getlist("order")),
                                         transfer_date=form.cleaned_data["transfer_date"],
                                         note=form.cleaned_data["note"])
        except BatchError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "振込バッチを作成しました。別の会計課職員が承認してください。")
            return redirect("payment_batch", pk=batch.pk)
    queue = payable_cases()
    orders = list(payable_orders())  # 概算払・精算払 of full-lifecycle cases
    batches = PaymentBatch.objects.select_related("prepared_by", "approved_by").annotate(
        total=Sum("items__amount")
    )[:30]
    return render(request, "ledger/payment_queue.html", {
        "queue": queue, "form": form, "batches": batches, "queue_total": queue.count(), "orders": orders,
    })


@login_required
def payment_batch(request: HttpRequest, pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    batch = get_object_or_404(PaymentBatch.objects.select_related("prepared_by", "approved_by"), pk=pk)
    items = batch.items.select_related("case__organization", "case__programme_year__programme",
                                       "result_recorded_by", "payment_order")
    return render(request, "ledger/payment_batch.html", {
        "batch": batch, "items": items, "total": sum(i.amount for i in items), "result_form": ResultForm(),
        "may_approve": request.user.role == "finance" and batch.status == BatchStatus.DRAFT
        and batch.prepared_by_id != request.user.pk,
        "results_open": batches.result_day() >= batch.transfer_date,
    })


@require_POST
@login_required
def approve_batch(request: HttpRequest, pk: int) -> HttpResponse:
    from reports.zengin_batch import batch_file

    _finance_or_auditor(request)
    try:
        approve_payment_batch(batch_id=pk, actor=request.user, write_file=batch_file)
    except PaymentBatch.DoesNotExist as exc:
        raise Http404 from exc
    except BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "振込バッチを承認し、総合振込ファイルを作成しました。")
    return redirect("payment_batch", pk=pk)


@require_POST
@login_required
def discard_batch(request: HttpRequest, pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    get_object_or_404(PaymentBatch, pk=pk)
    try:
        discard_payment_batch(batch_id=pk, actor=request.user)
    except BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "振込バッチを取り消しました。支払は振込待ちに戻りました。")
    return redirect("payment_batch", pk=pk)


@require_POST
@login_required
def record_result(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    _finance_or_auditor(request)
    get_object_or_404(BatchItem, pk=item_pk, batch_id=pk)  # the item of this batch, not of another
    form = ResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, "結果（振込完了または返却）を選んでください。")
        return redirect("payment_batch", pk=pk)
    try:
        record_transfer_result(item_id=item_pk, actor=request.user,
                               returned=form.cleaned_data["result"] == "returned", reason=form.cleaned_data["reason"])
    except BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "振込の結果を記録しました。")
    return redirect("payment_batch", pk=pk)


@login_required
def batch_file_download(request: HttpRequest, pk: int) -> FileResponse:
    _finance_or_auditor(request)
    batch = get_object_or_404(PaymentBatch, pk=pk, status=BatchStatus.APPROVED)
    if not batch.file:
        raise Http404("振込ファイルがありません。")
    # The file holds every payee's full account number: who took it, and when, is on record.
    record_event(actor=request.user, subject=batch, action="download_zengin_file", note=batch.filename)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.filename,
                        content_type="text/plain; charset=Shift_JIS")
