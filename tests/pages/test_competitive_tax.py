"""The 消費税仕入控除税額 report's pages (pages/competitive/tax.py): the group's ホーム box and report page, the
form with each error at its field and what was typed kept, staff's confirm / return buttons from the machine, the
staff list (overdue, coming, all) — with 404 for another group on the report and its evidence. The services:
tests/competitive/test_tax.py."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import RefundOrder
from grants.competitive.models import TaxCreditReport, TaxReportStatus
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.cases.steps import login, messages_of
from tests.competitive import builders, steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(staff, approver, finance, finance2):  # type: ignore[no-untyped-def]
    year = builders.programme_year()
    call = builders.call(year, staff)
    org, head = builders.group(confirmed_by=staff)
    case = steps.paid_and_confirmed(call, org, head, staff, approver, finance, finance2)
    return TaxCreditReport.objects.get(case=case)


@pytest.fixture
def head(report):  # type: ignore[no-untyped-def]
    return report.case.organization.representatives.get().user


@pytest.fixture
def other_head(staff):  # type: ignore[no-untyped-def]
    return builders.group("circle-head", "大歳まちなか音楽サークル", confirmed_by=staff)[1]


def detail(report) -> str:  # type: ignore[no-untyped-def]
    return reverse("tax_report_detail", args=[report.pk])


def submit(report) -> str:  # type: ignore[no-untyped-def]
    return reverse("tax_report_submit", args=[report.pk])


def act(report, edge: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("tax_report_act", args=[report.pk, edge])


def test_the_group_sees_its_report_on_home_and_submits_zero(client, report, head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    home = client.get(reverse("home")).content.decode()
    assert 'id="tax-report-box"' in home and detail(report) in home and "報告待ち" in home
    page = client.get(detail(report)).content.decode()
    assert 'id="tax-form"' in page and "確認する" not in page
    response = client.post(submit(report), {"exemption": "", "amount": "0"}, follow=True)
    assert "消費税仕入控除税額の報告書を提出しました。市の確認をお待ちください。" in messages_of(response)
    report.refresh_from_db()
    assert (report.status, report.amount, report.submitted_by) == (TaxReportStatus.SUBMITTED, 0, head)


def test_an_exemption_without_evidence_shows_the_error_at_its_field_and_keeps_the_input(client, report, head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    response = client.post(submit(report), {"exemption": "simplified", "amount": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="tax-evidence_error"' in page and "根拠資料: 報告が不要となる理由を確かめられる資料" in page
    assert re.search(r'value="simplified"[^>]*checked', page)  # what was chosen is kept
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.DUE
    assert not AuditEvent.objects.filter(action="submit_tax_report").exists()


def test_an_empty_amount_is_refused_at_its_field(client, report, head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    page = client.post(submit(report), {"exemption": ""}).content.decode()
    assert 'id="tax-amount_error"' in page and "0円の場合も「0」と入力してください" in page


def test_a_double_submit_writes_one_report(client, report, head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    client.post(submit(report), {"amount": "0"})
    response = client.post(submit(report), {"amount": "3000"}, follow=True)
    assert any("すでに提出されています" in m for m in messages_of(response))
    assert TaxCreditReport.objects.get(pk=report.pk).amount == 0
    assert AuditEvent.objects.filter(action="submit_tax_report").count() == 1


def test_another_group_gets_404_on_the_report_and_its_evidence(client, report, head, other_head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    client.post(submit(report), {"exemption": "tax_exempt", "evidence": builders.pdf("menzei.pdf")})
    assert client.get(reverse("tax_report_evidence", args=[report.pk])).status_code == 200
    login(client, other_head)
    assert client.get(detail(report)).status_code == 404
    assert client.get(reverse("tax_report_evidence", args=[report.pk])).status_code == 404
    assert client.post(act(report, "return_tax_report"), {"note": "x"}).status_code == 404
    assert 'id="tax-report-box"' not in client.get(reverse("home")).content.decode()
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED


def test_the_group_cannot_open_the_staff_list(client, report, head) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    assert client.get(reverse("tax_report_list")).status_code == 403


def test_the_staff_member_who_submitted_cannot_confirm(client, report, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    login(client, staff)
    client.post(submit(report), {"amount": "8727"})
    page = client.get(detail(report)).content.decode()
    assert "同じ報告を確認できません" in page and "disabled" in page
    response = client.post(act(report, "confirm_tax_report"), {"note": ""}, follow=True)
    assert any("同じ報告を確認できません" in m for m in messages_of(response))
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED
    assert not RefundOrder.objects.filter(case=report.case).exists()

    login(client, staff2)
    response = client.post(act(report, "confirm_tax_report"), {"note": ""}, follow=True)
    assert "報告を確認しました。" in messages_of(response)
    order = RefundOrder.objects.get(case=report.case)
    assert (order.principal, order.reason) == (8_727, "tax_credit")
    assert Notice.objects.get(case=report.case, kind="refund_order").subject_key == "tax_credit"
    case_page = client.get(reverse("case_detail", args=[report.case_id])).content.decode()
    assert "消費税仕入控除税額の返還" in case_page


def test_staff_return_the_report_and_the_group_reads_why(client, report, head, staff) -> None:  # type: ignore[no-untyped-def]
    login(client, head)
    client.post(submit(report), {"amount": "0"})
    login(client, staff)
    response = client.post(act(report, "return_tax_report"), {"note": ""}, follow=True)
    assert any("差戻しの理由" in m for m in messages_of(response))
    client.post(act(report, "return_tax_report"), {"note": "申告書の写しと金額が一致しません。"})
    login(client, head)
    page = client.get(detail(report)).content.decode()
    assert 'id="return-note"' in page and "申告書の写しと金額が一致しません。" in page and 'id="tax-form"' in page


def test_the_staff_list_shows_overdue_and_coming_reports(client, report, staff) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    TaxCreditReport.objects.filter(pk=report.pk).update(due_on=today - dt.timedelta(days=3))
    login(client, staff)
    home = client.get(reverse("home")).content.decode()
    assert "期限を過ぎた報告</a>：1件" in home
    listing = reverse("tax_report_list")
    overdue = client.get(listing, {"window": "overdue"}).content.decode()
    assert report.case.reference in overdue and "期限超過" in overdue
    assert report.case.reference not in client.get(listing, {"window": "coming"}).content.decode()
    TaxCreditReport.objects.filter(pk=report.pk).update(due_on=today + dt.timedelta(days=30))
    assert report.case.reference in client.get(listing, {"window": "coming"}).content.decode()
    assert report.case.reference not in client.get(listing, {"q": "音楽"}).content.decode()
    assert report.case.reference in client.get(listing, {"status": "due", "q": "子ども食堂"}).content.decode()
