"""Payment batches raced on PostgreSQL (SQLite has no row locks): two approvals of one batch, approval
against discard, one case into two batches, ten batches claiming overlapping payments, two results of one
transfer."""
import pytest
from django.db import connection

from grants.cases.batches import (
    BatchError,
    approve_payment_batch,
    create_payment_batch,
    discard_payment_batch,
    record_transfer_result,
)
from grants.cases.models import Status
from grants.ledger.models import (
    BatchItem,
    BatchStatus,
    BudgetAccount,
    EntryKind,
    ItemResult,
    LedgerEntry,
    PaymentBatch,
    PaymentOrder,
)
from grants.notices.models import Notice
from reports.zengin_batch import batch_file
from tests.cases.steps import approve_case, association_case
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

ROUNDS = 4


def _approved_cases(programme_year, n, staff, staff2, approver, finance):  # type: ignore[no-untyped-def]
    cases = []
    for _ in range(n):
        case = association_case(programme_year)
        cases.append(approve_case(case, staff2, staff, approver, staff, finance))
    return cases


def test_two_approvals_of_one_batch_post_once(programme_year, staff, staff2, approver, finance, finance2, finance3, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    for round_no, case in enumerate(_approved_cases(programme_year, ROUNDS, staff, staff2, approver, finance), 1):
        batch = create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)
        outcomes = run_together(
            lambda b=batch.pk: approve_payment_batch(batch_id=b, actor=finance2, write_file=batch_file),
            lambda b=batch.pk: approve_payment_batch(batch_id=b, actor=finance3, write_file=batch_file),
        )
        wins = [o for o in outcomes if isinstance(o, PaymentBatch)]
        losses = [o for o in outcomes if isinstance(o, BatchError)]
        assert (len(wins), len(losses)) == (1, 1), outcomes
        assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1
        assert BudgetAccount.objects.get(programme_year=programme_year).paid == 70_000 * round_no
        assert PaymentBatch.objects.get(pk=batch.pk).approved_by_id == wins[0].approved_by_id


def test_approve_against_discard_leaves_one_consistent_outcome(programme_year, staff, staff2, approver, finance, finance2, finance3, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    for case in _approved_cases(programme_year, ROUNDS, staff, staff2, approver, finance):
        batch = create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)
        outcomes = run_together(
            lambda b=batch.pk: approve_payment_batch(batch_id=b, actor=finance2, write_file=batch_file),
            lambda b=batch.pk: discard_payment_batch(batch_id=b, actor=finance3),
        )
        errors = [o for o in outcomes if isinstance(o, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], BatchError), outcomes
        batch.refresh_from_db()
        payments = LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count()
        case.refresh_from_db()
        if batch.status == BatchStatus.APPROVED:
            assert (payments, case.status, batch.items.count()) == (1, Status.TRANSFER_SENT, 1)
        else:
            assert batch.status == BatchStatus.DISCARDED
            assert (payments, case.status, batch.items.count()) == (0, Status.PAYMENT_APPROVED, 0)


def test_one_case_into_two_batches_at_once_makes_one(programme_year, staff, staff2, approver, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    for case in _approved_cases(programme_year, ROUNDS, staff, staff2, approver, finance):
        outcomes = run_together(
            lambda c=case.pk: create_payment_batch(actor=finance, case_ids=[c], transfer_date=transfer_day),
            lambda c=case.pk: create_payment_batch(actor=finance2, case_ids=[c], transfer_date=transfer_day),
        )
        wins = [o for o in outcomes if isinstance(o, PaymentBatch)]
        assert len(wins) == 1, outcomes
        assert isinstance(next(o for o in outcomes if not isinstance(o, PaymentBatch)), BatchError), outcomes
        assert BatchItem.objects.filter(case=case).count() == 1


BATCHES = 10


def test_ten_batches_claiming_overlapping_payments_at_once_put_each_payment_in_one(programme_year, staff, staff2, approver, finance, finance2, finance3, transfer_day) -> None:  # type: ignore[no-untyped-def]
    """Twelve approved payments; ten batches made at once (three finance users), batch i claiming payments
    i, i+1 and i+2 (in reverse order every other batch), so each payment is wanted by up to three batches. A
    batch takes all its payments or none: the batches made never share a payment, every refusal names it, and
    no payment is left half-claimed: the ones in no batch all go into one more batch afterwards, so that each
    payment ends in exactly one batch."""
    cases = _approved_cases(programme_year, BATCHES + 2, staff, staff2, approver, finance)
    order_ids = [PaymentOrder.objects.get(case=case).pk for case in cases]
    claims = [order_ids[i:i + 3][::-1 if i % 2 else 1] for i in range(BATCHES)]
    makers = (finance, finance2, finance3)
    outcomes = run_together(*[
        lambda ids=ids, u=makers[i % 3]: create_payment_batch(actor=u, order_ids=ids, transfer_date=transfer_day)
        for i, ids in enumerate(claims)])
    made = [o for o in outcomes if isinstance(o, PaymentBatch)]
    refused = [o for o in outcomes if isinstance(o, BatchError)]
    assert made and len(made) + len(refused) == BATCHES, outcomes
    assert all("すでに振込バッチに入っている支払があります" in str(r) for r in refused), refused
    claimed = [list(b.items.values_list("payment_order_id", flat=True)) for b in made]
    assert all(sorted(ids) == sorted(claims[outcomes.index(b)]) for b, ids in zip(made, claimed, strict=True))
    in_a_batch = [pk for ids in claimed for pk in ids]
    assert len(in_a_batch) == len(set(in_a_batch)), claimed
    rest = [pk for pk in order_ids if pk not in in_a_batch]
    if rest:
        create_payment_batch(actor=finance, order_ids=rest, transfer_date=transfer_day)
    assert sorted(BatchItem.objects.values_list("payment_order_id", flat=True)) == sorted(order_ids)


def test_overlapping_batches_in_opposite_order_do_not_deadlock(programme_year, staff, staff2, approver, finance, finance2, transfer_day) -> None:  # type: ignore[no-untyped-def]
    a, b = _approved_cases(programme_year, 2, staff, staff2, approver, finance)
    outcomes = run_together(
        lambda: create_payment_batch(actor=finance, case_ids=[a.pk, b.pk], transfer_date=transfer_day),
        lambda: create_payment_batch(actor=finance2, case_ids=[b.pk, a.pk], transfer_date=transfer_day),
    )
    assert sum(isinstance(o, PaymentBatch) for o in outcomes) == 1, outcomes
    assert BatchItem.objects.count() == 2


def test_paid_and_returned_at_once_record_one_result(programme_year, staff, staff2, approver, finance, finance2, finance3, transfer_day, transfer_settings) -> None:  # type: ignore[no-untyped-def]
    for case in _approved_cases(programme_year, ROUNDS, staff, staff2, approver, finance):
        batch = create_payment_batch(actor=finance, case_ids=[case.pk], transfer_date=transfer_day)
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
        item = batch.items.get()
        outcomes = run_together(
            lambda i=item.pk: record_transfer_result(item_id=i, actor=finance2, returned=False),
            lambda i=item.pk: record_transfer_result(item_id=i, actor=finance3, returned=True, reason="口座解約"),
        )
        assert sum(isinstance(o, BatchError) for o in outcomes) == 1, outcomes
        item.refresh_from_db()
        case.refresh_from_db()
        reversals = LedgerEntry.objects.filter(case=case, kind=EntryKind.REVERSAL).count()
        notices = Notice.objects.filter(case=case, kind="payment").count()
        if item.result == ItemResult.PAID:
            assert (case.status, reversals, notices) == (Status.PAID, 0, 1)
        else:
            assert (case.status, reversals, notices) == (Status.PAYMENT_APPROVED, 1, 0)
