"""Steps of the full lifecycle shared by the council tests."""
import datetime as dt

from django.utils import timezone

from grants.cases import budget, lifecycle, orders
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.ledger.models import BatchItem, OrderStatus
from grants.ledger.transfers import earliest_transfer_date


def fake_file(batch):  # type: ignore[no-untyped-def]
    return b"x" * 120


def line(case, actor, where="budget", **data):  # type: ignore[no-untyped-def]
    values = {"kind": "expense", "description": "防災訓練の資材", "amount": 100_000,
              "spent_on": timezone.localdate()}
    values.update(data)
    return budget.add_line(case_id=case.pk, actor=actor, where=where, data=values)


def decide(case, secretary, staff, approver, amount=None, conditions="", note=""):  # type: ignore[no-untyped-def]
    lifecycle.submit(case_id=case.pk, actor=secretary)
    case.refresh_from_db()
    deadline = dt.date(case.programme_year.fiscal_year + 1, 3, 31)
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=amount or case.applied_amount,
                     conditions=conditions, completion_deadline=deadline, note=note)
    return lifecycle.decide(case_id=case.pk, actor=approver)


def pay_orders(case, staff, finance, finance2, kinds=("advance", "settlement"), record=True):  # type: ignore[no-untyped-def]
    """Prepare, approve, batch and pay every scheduled order of ``case``, and (``record``) record the bank's
    result 振込完了 for each; returns the batch items."""
    ids = []
    for order in case.payment_orders.filter(status=OrderStatus.SCHEDULED, kind__in=kinds):
        orders.prepare_order(order_id=order.pk, actor=staff)
        orders.approve_order(order_id=order.pk, actor=finance)
        ids.append(order.pk)
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=ids, transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    items = list(BatchItem.objects.filter(batch=batch))
    if record:
        for item in items:
            record_transfer_result(item_id=item.pk, actor=finance, returned=False)
        items = list(BatchItem.objects.filter(batch=batch))
    return items
