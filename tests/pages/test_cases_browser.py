"""The whole 自治会等自治振興交付金 flow in a real browser, logging in as each role in turn, on the demo data."""
import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from grants.cases.models import GrantCase, Status
from grants.ledger.models import BudgetAccount
from tests.pages.browser import log_in, logout
from tests.reports.zengin_parser import parse_zengin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
PASSWORD = "browser-pass-1"


@pytest.fixture
def demo(settings):  # type: ignore[no-untyped-def]
    call_command("setup_demo", password=PASSWORD, stdout=io.StringIO())  # this fiscal year


def act(page, label: str, note: str = "") -> None:  # type: ignore[no-untyped-def]
    button = page.get_by_role("button", name=label, exact=True)
    if note:
        button.locator("xpath=ancestor::form").locator("textarea").fill(note)
    button.click()
    page.locator(".message-success").wait_for()


def test_association_case_from_annual_run_to_auditor_export(demo, live_server, page, check_a11y, run_worker) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page.goto(f"{base}/login/")
    check_a11y(page, "01-login")

    # Staff runs the year: every demo association gets its case, with progress shown.
    log_in(page, base, "tanto", PASSWORD)
    check_a11y(page, "02-staff-home")
    page.get_by_role("link", name=re.compile("年度 自治会等自治振興交付金")).click()
    check_a11y(page, "03-programme-year")
    page.get_by_role("link", name="全自治会の案件を一括作成する").click()
    check_a11y(page, "04-run-start")
    page.get_by_label("登録済みの世帯数を使う").check()
    page.get_by_role("button", name="一括作成を開始する").click()
    page.get_by_text("完了しました。").wait_for()
    assert "新規作成 770 件" in page.locator("#run-summary").inner_text()
    check_a11y(page, "05-run-done")
    assert GrantCase.objects.filter(programme_year__programme__code="jichi_shinko").count() == 770
    logout(page)

    # The association head sees the computation line by line, corrects the count, submits.
    log_in(page, base, "kaicho", PASSWORD)
    page.locator("a", has_text="自治振興 第").first.click()
    computation = page.locator("#computation").inner_text()
    for word in ("均等割", "世帯割", "小計", "交付額"):
        assert word in computation
    check_a11y(page, "06-head-case")
    case = GrantCase.objects.visible_to(_user("kaicho")).get()
    page.get_by_label("基準日の世帯数").fill("150")
    page.get_by_label("訂正の理由").fill("4月の総会で加入世帯を確認しました")
    page.get_by_role("button", name="世帯数を訂正する").click()
    page.locator(".message-success").wait_for()
    # 20,000 + 100 × 600 + 50 × 400 = 100,000 (sample rule)
    assert "100,000円" in page.locator("#computation").inner_text()
    act(page, "申請書兼請求書を提出する")
    assert page.locator("#case-status").inner_text() == "申請済（審査待ち）"
    logout(page)

    # Staff verifies: every check passes; the approver is someone else.
    log_in(page, base, "tanto", PASSWORD)
    page.goto(f"{base}/cases/{case.pk}/")
    assert page.locator("#checks").inner_text().count("適合") == 5
    check_a11y(page, "07-staff-case")
    act(page, "審査済にする（決裁へ回す）")
    logout(page)

    log_in(page, base, "kessai", PASSWORD)
    page.get_by_role("link", name=case.reference).click()
    act(page, "交付決定する")
    assert page.locator("#case-status").inner_text() == "交付決定済"
    logout(page)

    log_in(page, base, "tanto", PASSWORD)
    page.goto(f"{base}/cases/{case.pk}/")
    act(page, "支出命令を起票する")
    logout(page)

    log_in(page, base, "kaikei", PASSWORD)
    page.get_by_role("link", name=case.reference).click()
    act(page, "支出を承認する")
    assert page.locator("#case-status").inner_text() == "支出承認済"

    # Finance gathers the approved payment into a batch on a bank business day (the form offers one) ...
    page.get_by_role("link", name="振込", exact=True).click()
    check_a11y(page, "08-payment-queue")
    page.get_by_role("button", name="振込バッチを作成する").click()
    page.locator(".message-success").wait_for()
    batch_url = page.url
    logout(page)

    # ... and a second finance user approves it and downloads the 全銀 file.
    log_in(page, base, "kaikei2", PASSWORD)
    page.goto(batch_url)
    act(page, "振込バッチを承認し、振込ファイルを作成する")
    check_a11y(page, "09-batch-approved")
    with page.expect_download() as zengin_info:
        page.get_by_role("link", name="総合振込ファイルをダウンロードする").click()
    records = parse_zengin(zengin_info.value.path().read_bytes())
    assert [r["データ区分"] for r in records] == ["1", "2", "8", "9"]
    assert (records[1]["振込金額"], records[2]["合計金額"]) == ("0000100000", "000000100000")
    page.goto(f"{base}/cases/{case.pk}/")
    assert page.locator("#case-status").inner_text().startswith("振込予定（")  # not paid until the bank says so

    # The bank confirms the transfer: the 額の確定通知書 and 支払通知書 follow the 交付決定通知書.
    page.goto(batch_url)
    page.get_by_role("button", name="振込完了").click()
    page.locator(".message-success").wait_for()
    page.goto(f"{base}/cases/{case.pk}/")
    notices = page.locator("#notices").inner_text()
    for kind in ("交付決定通知書", "額の確定通知書", "支払通知書"):
        assert kind in notices
    with page.expect_download() as pdf_info:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = 'n.pdf';"
                      " document.body.appendChild(a); a.click(); }",
                      page.get_by_role("link", name="支払通知書（PDF）を開く").get_attribute("href"))
    assert pdf_info.value.path().read_bytes().startswith(b"%PDF")
    page.goto(f"{base}/years/{case.programme_year_id}/")
    budget = page.locator("#budget")
    assert budget.locator("[data-field=committed]").inner_text() == "100,000円"
    assert budget.locator("[data-field=paid]").inner_text() == "100,000円"
    assert budget.locator("[data-field=available]").inner_text() == "59,900,000円"
    logout(page)

    # The auditor exports the ledger and the case register.
    log_in(page, base, "kansa", PASSWORD)
    page.get_by_role("link", name=re.compile("年度 自治会等自治振興交付金")).click()
    page.get_by_role("button", name="台帳・案件一覧などをExcelで出力する").click()
    page.get_by_role("heading", name=re.compile("台帳")).wait_for()
    run_worker()  # the background worker (bin/start runs one beside the server)
    download = page.get_by_role("link", name=re.compile("をダウンロードする"))
    download.wait_for()
    check_a11y(page, "10-export-job")
    with page.expect_download() as download_info:
        download.click()
    book = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    assert book.sheetnames == ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡"]
    totals = {row[0]: row[1] for row in book["集計"].iter_rows(min_row=2, values_only=True)}
    assert (totals["予算額"], totals["交付決定額"], totals["支出済額"]) == (60_000_000, 100_000, 100_000)
    ledger = list(book["台帳"].iter_rows(min_row=2, values_only=True))
    assert [(row[3], row[4]) for row in ledger][-2:] == [("交付決定（支出負担行為）", 100_000), ("支出", 100_000)]
    assert book["台帳"].freeze_panes == "A2"
    assert len(list(book["案件一覧"].iter_rows(min_row=2))) == 770

    case.refresh_from_db()
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert (case.status, case.decided_amount, case.paid_amount, account.paid) == (Status.PAID, 100_000, 100_000, 100_000)


def _user(username: str):  # type: ignore[no-untyped-def]
    from grants.accounts.models import User

    return User.objects.get(username=username)
