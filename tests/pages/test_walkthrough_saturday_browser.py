"""The README's walk-through of a payment on a Saturday, in a real browser (issue 15): the server's clock is frozen
on Saturday 2026-12-05 (``timezone.localdate``, as the unit tests freeze it; the live server runs in this process),
the transfer settings are the demo's (2 lead days, the 研修用 setting on, as ``setup_demo`` leaves them). From a
decided case: staff draft the payment order, finance approves it, gathers it into a batch on the first date the form
offers (Tuesday 12月8日), a second finance user approves the batch; the payment then reads 振込予定（令和8年12月8日）
on the batch, the case page and the applicant's ホーム, and the dashboard counts it as 振込予定, not 振込済. The bank's
result is recorded the same Saturday (the training setting, said on the page and in the history), and the
dashboard moves it to 振込済. Without the frozen clock and the setting, the result would wait until the Tuesday."""
import datetime as dt

import pytest

from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import TransferSettings
from tests.cases.steps import to_decided
from tests.pages.browser import done, log_in, logout, open_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.real_result_day]
SATURDAY = dt.date(2026, 12, 5)
TRANSFER = "令和8年12月8日"  # the Tuesday: Monday and Tuesday are the two lead days' business days


def test_payment_walk_through_ends_on_a_saturday(case, association_head, staff, approver, finance, finance2, live_server, page, check_a11y, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    to_decided(case, association_head, staff, approver)
    TransferSettings.objects.create(requester_code="0000012345", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170",
                                    branch_code="001", account_type="2", account_number="0000001", lead_days=2,
                                    early_results=True)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: SATURDAY)
    base = live_server.url

    log_in(page, base, staff.username)
    open_case(page, base, case.pk)
    page.get_by_role("button", name="支出命令を起票する", exact=True).click()
    done(page, "起票")
    logout(page)

    log_in(page, base, finance.username)
    open_case(page, base, case.pk)
    page.get_by_role("button", name="支出を承認する", exact=True).click()
    done(page, "承認")
    page.get_by_role("link", name="振込", exact=True).click()
    assert page.locator("#early-results").is_visible()  # the training setting says it is on
    assert page.get_by_label("振込指定日").input_value() == "2026-12-08"  # Saturday → Tuesday, 2 business days
    page.get_by_role("button", name="振込バッチを作成する").click()
    done(page, "振込バッチを作成しました")
    batch_url = page.url
    logout(page)

    log_in(page, base, finance2.username)
    page.goto(batch_url)
    page.get_by_role("button", name="振込バッチを承認し、振込ファイルを作成する").click()
    done(page, "承認")
    assert f"振込予定（{TRANSFER}）" in page.locator("#items tbody tr").first.inner_text()
    check_a11y(page, "saturday-batch-approved")
    open_case(page, base, case.pk)
    assert page.locator("#case-status").inner_text() == f"振込予定（{TRANSFER}）"
    assert TRANSFER in page.locator("#pending-transfers").inner_text()
    page.get_by_role("link", name="予算ダッシュボード").click()
    programme = page.locator("#programme-totals tbody tr").first
    assert programme.locator("[data-field=pending]").inner_text() == "70,000円"
    assert programme.locator("[data-field=made]").inner_text() == "0円"
    assert page.locator("#area-totals tfoot [data-field=pending_case_count]").inner_text() == "1"
    check_a11y(page, "saturday-dashboard-pending")
    logout(page)

    log_in(page, base, association_head.username)  # the applicant's ホーム says the same, never 支払済
    own = page.get_by_role("table", name="申請・交付の状況").inner_text()
    assert f"振込予定（{TRANSFER}）" in own and "支払済" not in own
    logout(page)

    # The bank's result, recorded on the Saturday by the training setting, and marked so in the history.
    log_in(page, base, finance2.username)
    page.goto(batch_url)
    page.get_by_role("button", name="振込完了", exact=True).click()
    done(page, "")
    assert GrantCase.objects.get(pk=case.pk).status == Status.PAID
    assert "研修用の設定により振込指定日前に記録" in AuditEvent.objects.filter(machine="batch_item").latest("pk").note
    open_case(page, base, case.pk)
    assert page.locator("#case-status").inner_text() == "支払済"
    page.get_by_role("link", name="予算ダッシュボード").click()
    programme = page.locator("#programme-totals tbody tr").first
    assert programme.locator("[data-field=made]").inner_text() == "70,000円"
    assert programme.locator("[data-field=pending]").inner_text() == "0円"
    check_a11y(page, "saturday-dashboard-made")
