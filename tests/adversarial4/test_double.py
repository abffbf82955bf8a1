"""Double clicks: every act posted twice in a row. The second is refused with a message (or, where two equal
acts are legitimate, does exactly what it says), and nothing is written twice."""
import datetime as dt

import pytest
from django.urls import reverse

from grants.cases import lifecycle, orders, refunds
from grants.cases.batches import BatchError, approve_payment_batch, create_payment_batch
from grants.cases.models import BudgetLine, ChangeRequest, RefundReceipt, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import EntryKind, LedgerEntry
from grants.ledger.transfers import earliest_transfer_date
from grants.notices.models import Notice
from tests.councils import builders
from tests.councils.helpers import fake_file, pay_orders
from tests.councils.steps import case_url, decided, draft, fresh, login, paid, post, reported, scheduled, today
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db


def test_submit_twice(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    login(client, council[1])
    url = reverse("case_action", args=[case.pk, "submit"])
    post(client, url)
    shown = post(client, url)
    assert any("申請済" in m for m in shown), shown
    assert AuditEvent.objects.for_object(case).filter(action="submit").count() == 1


def test_verify_and_decide_twice(katsudo, council, staff, staff2, approver, approver2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    deadline = dt.date(CURRENT_FY + 1, 3, 31)
    lifecycle.verify(case_id=case.pk, actor=staff, assessed_amount=1_000_000, completion_deadline=deadline)
    with pytest.raises(CaseActionError):
        lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=1_000_000, completion_deadline=deadline)
    lifecycle.decide(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.decide(case_id=case.pk, actor=approver2)
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count() == 1
    assert Notice.objects.filter(case=case, kind="decision").count() == 1


def test_order_prepared_approved_and_batched_twice(katsudo, council, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    order = scheduled(case)[0]
    orders.prepare_order(order_id=order.pk, actor=staff)
    with pytest.raises(CaseActionError, match="起票できません"):
        orders.prepare_order(order_id=order.pk, actor=staff2)
    orders.approve_order(order_id=order.pk, actor=finance)
    with pytest.raises(CaseActionError, match="承認できません"):
        orders.approve_order(order_id=order.pk, actor=finance2)
    batch = create_payment_batch(actor=finance, case_ids=[], order_ids=[order.pk],
                                 transfer_date=earliest_transfer_date())
    with pytest.raises(CaseActionError, match="振込バッチに入っている"):
        orders.reject_order(order_id=order.pk, actor=finance2, note="x")
    with pytest.raises(BatchError, match="すでに振込バッチ"):
        create_payment_batch(actor=finance2, case_ids=[], order_ids=[order.pk], transfer_date=earliest_transfer_date())
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    with pytest.raises(BatchError, match="すでに承認"):
        approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=fake_file)
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1
    assert fresh(case).paid_amount == order.amount


def test_order_act_posted_twice_through_the_page(client, katsudo, council, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    order = scheduled(case)[0]
    login(client, staff)
    url = case_url("case_order_action", case, order.pk, "prepare")
    post(client, url, {"note": ""})
    shown = post(client, url, {"note": ""})
    assert any("起票できません" in m for m in shown), shown
    assert AuditEvent.objects.for_object(case).filter(action="prepare_order").count() == 1


def test_change_started_and_submitted_twice(client, katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    login(client, council[1])
    data = {"reason": "資材費の減少", "requested_amount": "900000"}
    post(client, case_url("case_change_start", case), data)
    shown = post(client, case_url("case_change_start", case), data)
    assert any("すでにあります" in m for m in shown), shown
    assert ChangeRequest.objects.filter(case=case).count() == 1
    post(client, case_url("case_change_submit", case), {"note": ""})
    shown = post(client, case_url("case_change_submit", case), {"note": ""})
    assert fresh(case).status == Status.CHANGE_REQUESTED
    assert AuditEvent.objects.for_object(case).filter(action="request_change").count() == 1


def test_change_approved_twice_moves_the_commitment_once(katsudo, council, staff, approver, approver2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    lifecycle.start_change(case_id=case.pk, actor=council[1], reason="減額", requested_amount=800_000)
    lifecycle.request_change(case_id=case.pk, actor=council[1])
    lifecycle.check_change(case_id=case.pk, actor=staff, assessed_amount=800_000)
    lifecycle.approve_change(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.approve_change(case_id=case.pk, actor=approver2)
    from grants.ledger.services import case_totals

    assert case_totals(case)[EntryKind.COMMITMENT] == 800_000
    assert Notice.objects.filter(case=case, kind="change_decision").count() == 1


def test_report_submitted_and_confirmed_twice(katsudo, council, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    with pytest.raises(CaseActionError):
        lifecycle.submit_report(case_id=case.pk, actor=council[1])
    lifecycle.confirm(case_id=case.pk, actor=approver)
    with pytest.raises(CaseActionError):
        lifecycle.confirm(case_id=case.pk, actor=approver2)
    assert Notice.objects.filter(case=case, kind="confirmation").count() == 1
    assert Notice.objects.filter(case=case, kind="refund_order").count() == 1


def test_full_refund_recorded_twice_is_refused_the_second_time(katsudo, council, staff, approver, finance,
                                                              finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # paid 750,000, confirmed 700,000: refund 50,000
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=today())
    with pytest.raises(CaseActionError, match="納付を待っている返還命令はありません"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=50_000, received_on=today())
    case = fresh(case)
    assert (case.refunded_amount, case.status, RefundReceipt.objects.count()) == (50_000, Status.CLOSED, 1)


def test_partial_refund_recorded_twice_cannot_exceed_the_principal(katsudo, council, staff, approver, finance,
                                                                  finance2) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_000, received_on=today())
    with pytest.raises(CaseActionError, match="納付すべき額"):
        refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=30_000, received_on=today())
    assert fresh(case).refunded_amount == 30_000


def test_cancel_twice(katsudo, council, staff, approver, approver2, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = paid(katsudo, council, staff, approver, finance, finance2)
    lifecycle.cancel(case_id=case.pk, actor=approver, note="目的外使用")
    with pytest.raises(CaseActionError):
        lifecycle.cancel(case_id=case.pk, actor=approver2, note="目的外使用")
    assert Notice.objects.filter(case=case, kind="refund_order").count() == 1


def test_regression_staff_lines_added_twice_do_not_double_the_staff_costs(client, unei, council, staff) -> None:  # type: ignore[no-untyped-def]
    """「事務局員の人件費の明細を追加」 clicked twice added every staff member's yearly cost twice, so the 算定
    counted each person's cost double."""
    org, secretary = council
    builders.approved_plan(org, staff)
    builders.staff_member(org, secretary)
    case = builders.draft_case(unei, org, start=dt.date(CURRENT_FY, 4, 1))
    login(client, secretary)
    post(client, case_url("case_staff_lines", case))
    shown = post(client, case_url("case_staff_lines", case))
    assert BudgetLine.objects.filter(case=case, staff__isnull=False).count() == 1, shown
    assert any("事務局員" in m for m in shown), shown


def test_plan_submitted_and_approved_twice(council, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    from grants.councils import plans

    plan = builders.approved_plan(council[0], staff)
    revision = plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    with pytest.raises(plans.PlanError, match="すでにあります"):
        plans.start_revision(actor=council[1], plan_id=plan.pk, reason="見直し")
    plans.submit_plan(actor=council[1], plan_id=revision.pk)
    with pytest.raises(plans.PlanError):
        plans.submit_plan(actor=council[1], plan_id=revision.pk)
    plans.approve_plan(actor=staff, plan_id=revision.pk)
    with pytest.raises(plans.PlanError):
        plans.approve_plan(actor=staff2, plan_id=revision.pk)
    assert AuditEvent.objects.for_object(revision).filter(action="approve_plan").count() == 1


def test_batch_results_recorded_twice(katsudo, council, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    items = pay_orders(case, staff, finance, finance2, kinds=("advance",))
    from grants.cases.batches import record_transfer_result

    with pytest.raises(BatchError, match="すでに記録"):
        record_transfer_result(item_id=items[0].pk, actor=finance, returned=True, reason="x")
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.REVERSAL).count() == 0


def test_regression_partial_refund_double_click_records_the_payment_once(katsudo, council, staff, approver, finance,
                                                                         finance2, client) -> None:  # type: ignore[no-untyped-def]
    """A double click on 「納付を記録する」 sent the same partial payment twice and both were recorded; the form's
    one-time key now makes the second submission return the first receipt. Two real payments (two forms)
    are still both recorded."""
    import re

    case, plan, cats = paid(katsudo, council, staff, approver, finance, finance2)
    reported(case, plan, cats, council[1], staff)
    lifecycle.confirm(case_id=case.pk, actor=approver)  # refund 50,000
    client.force_login(finance)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html).group(1)
    url = reverse("case_refund_receipt", args=[case.pk])
    form = {"amount": "20000", "received_on": today().isoformat(), "submission_key": key}
    client.post(url, form)
    client.post(url, form)
    assert (fresh(case).refunded_amount, RefundReceipt.objects.count()) == (20_000, 1)
    second = re.search(r'name="submission_key" value="([0-9a-f]{32})"',
                       client.get(f"/cases/{case.pk}/").content.decode()).group(1)
    assert second != key
    client.post(url, {**form, "submission_key": second})
    assert (fresh(case).refunded_amount, RefundReceipt.objects.count()) == (40_000, 2)
