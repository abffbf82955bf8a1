"""The payments of a programme-year (支出命令と振込) for a token of the 会計課 or the 監査委員事務局: the users who see
the payment queue and the batches on the pages (``User.sees_payments``, the rule the 振込 pages use). Each payment
with the batches it went into and the bank's result; never an account number. Three queries a page."""
from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router

from grants.ledger.models import BatchItem, PaymentOrder
from pages.api.auth import token_user
from pages.api.cases import ERRORS, LIMIT, MAX_ID, OFFSET
from pages.api.errors import forbidden
from pages.api.schemas import ErrorOut, PaymentPage

router = Router(tags=["支払・振込"])

PROGRAMME_YEAR = Query(..., ge=1, le=MAX_ID, description="事業・年度のID（/programme-years の id）")
NOT_FINANCE = "支払・振込は会計課・監査委員事務局の職員のみが利用できます（振込の画面と同じ）。"


def payment_out(order: PaymentOrder) -> dict[str, object]:
    case = order.case
    return {
        "id": order.pk, "case_id": case.pk, "case_reference": case.reference,
        "organization_code": case.organization.code, "organization_name": case.organization.name,
        "kind": order.kind, "kind_label": order.get_kind_display(), "label": order.label, "amount": order.amount,
        "pay_on": order.pay_on, "status": order.status, "status_label": order.get_status_display(),
        "paid_on": order.paid_on,
        "transfers": [{"batch_id": item.batch_id, "transfer_date": item.batch.transfer_date, "result": item.result,
                       "result_label": item.get_result_display()} for item in order.batch_items.all()],
    }


@router.get("/payments", response={200: PaymentPage, 403: ErrorOut, **ERRORS}, summary="支払（支出命令と振込）の一覧",
            description="事業・年度の支出命令（交付金・概算払・精算払）を、支出命令の番号順に。振込バッチに入れたものは"
                        "振込指定日と結果も。会計課・監査委員事務局のトークンのみ。")
def payments(request: HttpRequest, programme_year: int = PROGRAMME_YEAR, limit: int = LIMIT,
             offset: int = OFFSET) -> dict[str, object]:
    if not token_user(request).sees_payments:
        raise forbidden(NOT_FINANCE)
    orders = PaymentOrder.objects.filter(case__programme_year_id=programme_year)
    transfers = Prefetch("batch_items", queryset=BatchItem.objects.select_related("batch").order_by("pk"))
    page = (orders.select_related("case__organization", "case__programme_year__programme")
            .prefetch_related(transfers).order_by("pk")[offset:offset + limit])
    return {"count": orders.count(), "limit": limit, "offset": offset, "items": [payment_out(o) for o in page]}
