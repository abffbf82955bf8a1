"""The 消費税仕入控除税額 report in a real browser: the group finds its report on ホーム, chooses an exemption without
evidence and gets the error at the field (axe clean with the errors shown), reports an amount instead; staff find it
in the list, and another staff member confirms it, which orders the amount back. axe finds no WCAG 2.1 A/AA
violation on any page visited. Screenshots go to /tmp/shots/."""
from pathlib import Path

import pytest

from grants.accounts.models import Role
from grants.cases.models import RefundOrder
from grants.competitive.models import TaxCreditReport, TaxReportStatus
from tests import factories
from tests.competitive import builders, steps
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_group_reports_and_staff_confirm_the_refund(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    tanto = factories.UserFactory(username="tanto", role=Role.STAFF)
    kakunin = factories.UserFactory(username="kakunin", role=Role.STAFF)
    approver = factories.UserFactory(username="kessai", role=Role.APPROVER)
    finance = factories.UserFactory(username="kaikei", role=Role.FINANCE)
    finance2 = factories.UserFactory(username="kaikei2", role=Role.FINANCE)
    call = builders.call(builders.programme_year(), tanto)
    org, head = builders.group(confirmed_by=tanto)
    case = steps.paid_and_confirmed(call, org, head, tanto, approver, finance, finance2)
    report = TaxCreditReport.objects.get(case=case)

    log_in(page, live_server.url, head.username)
    shot(page, "tax_home_group")
    page.locator("#tax-report-box a").first.click()
    page.get_by_role("heading", name="消費税仕入控除税額の報告", level=1).wait_for()
    check_a11y(page, "tax_report_form")
    shot(page, "tax_report_form")
    page.get_by_label("免税事業者").check()
    page.get_by_role("button", name="報告書を提出する").click()
    page.get_by_role("alert").wait_for()
    assert "根拠資料" in page.locator("#tax-evidence_error").inner_text()
    assert page.get_by_label("免税事業者").is_checked()
    check_a11y(page, "tax_report_form_errors")
    shot(page, "tax_report_form_errors")
    page.get_by_label("該当なし（仕入控除税額を報告する）").check()
    page.get_by_label("仕入控除税額（円）").fill("8727")
    page.get_by_role("button", name="報告書を提出する").click()
    done(page, "報告書を提出しました")
    assert TaxCreditReport.objects.get(pk=report.pk).status == TaxReportStatus.SUBMITTED

    log_in(page, live_server.url, kakunin.username)
    page.goto(f"{live_server.url}/tax-reports/")
    check_a11y(page, "tax_report_list")
    shot(page, "tax_report_list")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("button", name="確認する").click()
    done(page, "報告を確認しました。")
    check_a11y(page, "tax_report_confirmed")
    shot(page, "tax_report_confirmed")
    assert RefundOrder.objects.get(case=case, reason="tax_credit").principal == 8_727
