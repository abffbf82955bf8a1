"""The 消費税仕入控除税額 report (grants.competitive.tax): scheduled at 額の確定, due by 6/30 of the second 年度 after
completion, required at 0, exemptions with their evidence, confirmed by staff other than the submitter, and a
positive amount ordered back through the refund rails — beside a 額の確定's own 返還命令."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.cases import lifecycle, refunds
from grants.cases.models import PerformanceReport, RefundOrder, RefundReason, RefundStatus
from grants.competitive import tax
from grants.competitive.models import TaxCreditReport, TaxReportStatus
from grants.competitive.tax import ReportFilter, TaxReportError
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.competitive import builders, steps
from tests.councils.builders import instalments
from tests.councils.helpers import pay_orders


def evidence(name: str = "menzei.pdf") -> SimpleUploadedFile:
    return builders.pdf(name)


def confirmed_case(call, org, head, staff, staff2, approver, finance, finance2, **kwargs):  # type: ignore[no-untyped-def]
    """Selected at 150,000, decided at 120,000, confirmed at 120,000 (180,000 × ⅔) and paid by the 精算払."""
    case = steps.decided(steps.selected(call, org, head, staff, approver), staff2, approver)
    case = steps.confirmed(case, head, staff2, approver, **kwargs)
    pay_orders(case, staff2, finance, finance2, kinds=("settlement",))
    case.refresh_from_db()
    return case


@pytest.fixture
def closed(open_call, npo, staff, staff2, approver, finance, finance2):  # type: ignore[no-untyped-def]
    return confirmed_case(open_call, *npo, staff, staff2, approver, finance, finance2)


@pytest.fixture
def report(closed):  # type: ignore[no-untyped-def]
    return TaxCreditReport.objects.get(case=closed)


# -- the due date --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("completed_on", "due_on"), [
    (dt.date(2027, 2, 10), dt.date(2028, 6, 30)),
    (dt.date(2027, 3, 31), dt.date(2028, 6, 30)),  # last day of 令和8年度
    (dt.date(2027, 4, 1), dt.date(2029, 6, 30)),   # first day of 令和9年度
    (dt.date(2026, 4, 1), dt.date(2028, 6, 30)),
])
def test_due_on_6_30_of_the_second_year_after_the_year_of_completion(completed_on, due_on) -> None:  # type: ignore[no-untyped-def]
    assert tax.tax_report_due(completed_on) == due_on


def test_confirmation_schedules_the_report_from_the_completion_day(closed) -> None:  # type: ignore[no-untyped-def]
    completed = PerformanceReport.objects.get(case=closed).completed_on
    report = TaxCreditReport.objects.get(case=closed)
    assert closed.status == "closed" and closed.confirmed_amount == 120_000
    assert report.status == TaxReportStatus.DUE
    assert report.due_on == dt.date(tax.fiscal_year_of(completed) + 2, 6, 30)


def test_a_completion_on_march_31_is_due_in_june_two_years_later(open_call, npo, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    case = steps.decided(steps.selected(open_call, *npo, staff, approver), staff2, approver)
    fy = case.programme_year.fiscal_year
    steps.reported(case, npo[1])
    # The 事業完了日 as the 実績報告 gives it: the last day of the 年度 (a day the test cannot type, being earlier).
    PerformanceReport.objects.filter(case=case).update(completed_on=dt.date(fy + 1, 3, 31))
    lifecycle.verify_report(case_id=case.pk, actor=staff2)
    lifecycle.confirm(case_id=case.pk, actor=approver)
    assert TaxCreditReport.objects.get(case=case).due_on == dt.date(fy + 2, 6, 30)


def test_no_report_when_the_call_does_not_ask_for_it(shimin_year, npo, staff, staff2, approver, finance,
                                                     finance2) -> None:  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, requires_tax_report=False)
    case = confirmed_case(call, *npo, staff, staff2, approver, finance, finance2)
    assert case.confirmed_amount == 120_000
    assert not TaxCreditReport.objects.filter(case=case).exists()


# -- submitting ----------------------------------------------------------------------------------------------

def test_the_report_is_required_at_zero(report, npo, staff2) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxReportError, match="^仕入控除税額: .*0円の場合も「0」"):
        tax.submit_tax_report(report_id=report.pk, actor=npo[1])
    report.refresh_from_db()
    assert report.status == TaxReportStatus.DUE and report.submitted_by is None
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=0)
    tax.confirm_tax_report(report_id=report.pk, actor=staff2)
    report.refresh_from_db()
    assert (report.status, report.amount, report.confirmed_by) == (TaxReportStatus.CONFIRMED, 0, staff2)
    assert not RefundOrder.objects.filter(case=report.case).exists()


def test_an_exemption_without_evidence_is_refused_naming_the_field(report, npo) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxReportError, match="^根拠資料: "):
        tax.submit_tax_report(report_id=report.pk, actor=npo[1], exemption="tax_exempt")
    report.refresh_from_db()
    assert report.status == TaxReportStatus.DUE and report.exemption == "" and not report.evidence


def test_an_evidence_file_that_is_not_what_it_says_is_refused(report, npo) -> None:  # type: ignore[no-untyped-def]
    fake = SimpleUploadedFile("menzei.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(TaxReportError, match="^根拠資料: ファイルの中身"):
        tax.submit_tax_report(report_id=report.pk, actor=npo[1], exemption="simplified", evidence=fake)
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.DUE


def test_an_exemption_with_its_evidence_is_reported_at_zero(report, npo, staff) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], exemption="public_interest", amount=9_999,
                          evidence=evidence())
    report.refresh_from_db()
    assert (report.status, report.exemption, report.amount) == (TaxReportStatus.SUBMITTED, "public_interest", 0)
    assert report.evidence.name.endswith(".pdf") and report.submitted_by == npo[1]
    tax.confirm_tax_report(report_id=report.pk, actor=staff)
    assert not RefundOrder.objects.filter(case=report.case).exists()


@pytest.mark.parametrize(("amount", "message"), [
    (-1, "0円以上の整数"), (True, "0円以上の整数"), (120_001, "確定額（120,000円）を超える"),
])
def test_an_amount_out_of_bounds_is_refused(report, npo, amount, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxReportError, match=f"^仕入控除税額: .*{message}"):
        tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=amount)
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.DUE


def test_double_submit_writes_once(report, npo) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=0)
    with pytest.raises(TaxReportError, match="すでに提出されています"):
        tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=5_000)
    report.refresh_from_db()
    assert report.amount == 0
    assert AuditEvent.objects.filter(action="submit_tax_report").count() == 1


def test_another_group_cannot_see_or_submit_the_report(report, npo_b) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxCreditReport.DoesNotExist):
        tax.submit_tax_report(report_id=report.pk, actor=npo_b[1], amount=0)
    assert not tax.visible_tax_reports(npo_b[1]).exists()
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.DUE


@pytest.mark.parametrize("who", ["approver", "finance", "auditor"])
def test_a_role_that_does_not_report_is_refused_and_nothing_is_written(report, who, request) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TaxReportError, match="代表者または担当職員"):
        tax.submit_tax_report(report_id=report.pk, actor=request.getfixturevalue(who), amount=0)
    assert TaxCreditReport.objects.get(pk=report.pk).submitted_by is None


# -- confirming and returning --------------------------------------------------------------------------------

def test_the_submitter_cannot_confirm(report, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=staff, amount=0)
    with pytest.raises(TaxReportError, match="同じ報告を確認できません"):
        tax.confirm_tax_report(report_id=report.pk, actor=staff)
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED
    tax.confirm_tax_report(report_id=report.pk, actor=staff2)
    assert TaxCreditReport.objects.get(pk=report.pk).confirmed_by == staff2


def test_the_group_cannot_confirm_its_own_report(report, npo) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=0)
    with pytest.raises(TaxReportError, match="担当職員のみ"):
        tax.confirm_tax_report(report_id=report.pk, actor=npo[1])
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED


def test_a_returned_report_is_told_why_and_submitted_again(report, npo, staff) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], exemption="tax_exempt", evidence=evidence())
    with pytest.raises(TaxReportError, match="^差戻しの理由: "):
        tax.return_tax_report(report_id=report.pk, actor=staff, note=" ")
    tax.return_tax_report(report_id=report.pk, actor=staff, note="届出書の受付印が読めません。")
    report.refresh_from_db()
    assert report.status == TaxReportStatus.DUE
    assert tax.last_return_note(report) == "届出書の受付印が読めません。"
    # The evidence already kept serves again; the amount can also be reported instead.
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], exemption="tax_exempt")
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED


# -- the refund ----------------------------------------------------------------------------------------------

def test_a_positive_amount_is_ordered_back_with_its_notice(report, npo, staff, finance) -> None:  # type: ignore[no-untyped-def]
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=8_727)
    tax.confirm_tax_report(report_id=report.pk, actor=staff)
    order = RefundOrder.objects.get(case=report.case)
    assert (order.principal, order.reason, order.surcharge_rate) == (8_727, RefundReason.TAX_CREDIT, 0)
    notice = Notice.objects.get(case=report.case, kind="refund_order")
    assert (notice.subject_key, notice.amount, notice.details["tax_credit"]) == ("tax_credit", 8_727, True)
    refunds.record_refund_receipt(case_id=report.case_id, actor=finance, amount=8_727,
                                  received_on=timezone.localdate())
    order.refresh_from_db()
    case = report.case
    case.refresh_from_db()
    assert order.status == RefundStatus.SETTLED
    assert (case.status, case.refunded_amount, case.paid_amount) == ("closed", 8_727, 120_000)


def test_a_case_refunded_at_its_confirmation_still_gets_its_tax_refund(shimin_year, open_call, npo, staff, staff2,
                                                                        approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    instalments(shimin_year, [(1, 1)])
    case = steps.decided(steps.selected(open_call, *npo, staff, approver), staff2, approver)
    pay_orders(case, staff2, finance, finance2)  # 概算払 120,000
    case = steps.confirmed(case, npo[1], staff2, approver, spent=120_000)  # 120,000 × ⅔ = 80,000
    assert case.confirmed_amount == 80_000 and case.refund_order.principal == 40_000
    today = timezone.localdate()
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=40_000, received_on=today)
    case.refresh_from_db()
    assert case.status == "closed"

    report = TaxCreditReport.objects.get(case=case)
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=5_818)
    tax.confirm_tax_report(report_id=report.pk, actor=staff)
    orders = list(RefundOrder.objects.filter(case=case).order_by("pk").values_list("reason", "principal", "status"))
    assert orders == [("confirmation", 40_000, "settled"), ("tax_credit", 5_818, "ordered")]
    assert sorted(Notice.objects.filter(case=case, kind="refund_order").values_list("subject_key", "amount")) == [
        ("", 40_000), ("tax_credit", 5_818)]
    receipt = refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=5_818, received_on=today)
    assert receipt.order.reason == RefundReason.TAX_CREDIT
    case.refresh_from_db()
    assert (case.refunded_amount, case.status) == (45_818, "closed")
    assert case.refund_order.reason == RefundReason.CONFIRMATION  # the 額の確定's order, as before


def test_a_tax_refund_ordered_before_the_case_closes_is_paid_after_the_older_order(
        shimin_year, open_call, npo, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    instalments(shimin_year, [(1, 1)])
    case = steps.decided(steps.selected(open_call, *npo, staff, approver), staff2, approver)
    pay_orders(case, staff2, finance, finance2)
    case = steps.confirmed(case, npo[1], staff2, approver, spent=120_000)
    report = TaxCreditReport.objects.get(case=case)
    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=7_000)
    tax.confirm_tax_report(report_id=report.pk, actor=staff)
    today = timezone.localdate()
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=40_000, received_on=today)
    case.refresh_from_db()
    assert case.status == "confirmed"  # the tax refund is still owed
    refunds.record_refund_receipt(case_id=case.pk, actor=finance, amount=7_000, received_on=today)
    case.refresh_from_db()
    assert (case.status, case.refunded_amount, case.confirmed_amount) == ("closed", 47_000, 80_000)


def test_only_one_tax_refund_order_per_case(report, npo, staff) -> None:  # type: ignore[no-untyped-def]
    from django.db import IntegrityError, transaction

    tax.submit_tax_report(report_id=report.pk, actor=npo[1], amount=1_000)
    tax.confirm_tax_report(report_id=report.pk, actor=staff)
    order = RefundOrder.objects.get(case=report.case)
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundOrder.objects.create(case=report.case, principal=1, reason=RefundReason.TAX_CREDIT,
                                   ordered_on=order.ordered_on, due_on=order.due_on, surcharge_rate=0, late_rate=0,
                                   ordered_by=staff)


# -- the lists -----------------------------------------------------------------------------------------------

def test_overdue_and_coming_reports(open_call, npo, npo_b, staff, staff2, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    first = confirmed_case(open_call, *npo, staff, staff2, approver, finance, finance2)
    today = timezone.localdate()
    late = TaxCreditReport.objects.get(case=first)
    TaxCreditReport.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=1))
    assert list(tax.tax_reports(staff, ReportFilter(window="overdue"))) == [late]
    assert list(tax.tax_reports(staff, ReportFilter(window="coming"))) == []
    TaxCreditReport.objects.filter(pk=late.pk).update(due_on=today + dt.timedelta(days=tax.COMING_DAYS))
    assert list(tax.tax_reports(staff, ReportFilter(window="coming"))) == [late]
    assert list(tax.tax_reports(staff, ReportFilter(window="overdue"))) == []
    TaxCreditReport.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=1))
    tax.submit_tax_report(report_id=late.pk, actor=npo[1], amount=0)
    assert list(tax.tax_reports(staff, ReportFilter(window="overdue"))) == []  # submitted: no longer overdue
    assert list(tax.tax_reports(staff, ReportFilter(status="submitted", q="子ども食堂"))) == [late]
    assert list(tax.tax_reports(staff, ReportFilter(q="音楽"))) == []
    assert list(tax.tax_reports(npo_b[1], ReportFilter())) == []
