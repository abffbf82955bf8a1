"""One competitive year of the 市民活動交流事業補助金 in a real browser, by the pages only (issue 11's walk-through):
anyone reads the call; a group's head applies (plan, budget lines with an excluded 費目 and its reason) and submits;
staff accept it for screening; both 審査委員 declare no conflict and score it above the other group's application;
staff prepare the selection (one 採択, one 不採択 with its reason) and the approver decides it; the group sees its
採択 and the 採択通知書; staff assess it lower with conditions and the approver decides (交付決定); the 概算払 is
drafted, approved, batched, approved and paid; the group files the 実績報告 with a receipt, staff verify it, the
approver confirms the amount, the 精算払 is paid and the case closes; the group reports 0円 of 消費税仕入控除税額 and
another staff member confirms it; the auditor downloads the programme-year's workbook with the calls, scores,
conflict declarations, selection and tax report. axe finds no WCAG 2.1 A/AA violation on any page visited. After
the set-up (services, through tests/competitive/builders.py and steps.py) nothing is done but through the pages.
Screenshots of the key pages go to /tmp/shots/e2e_*.png."""
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from grants.accounts.models import Role
from grants.cases.models import GrantCase, Status
from grants.competitive.models import ConflictDeclaration, Score, TaxCreditReport, TaxReportStatus
from grants.core.wording import done_message
from grants.ledger.models import BudgetAccount, TransferSettings
from tests import factories
from tests.competitive import builders, steps
from tests.councils.builders import instalments
from tests.pages.browser import done, log_in, open_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")
TITLE = "多世代交流の子ども食堂"
LUNCH = "交流会の弁当"  # the 飲食費 line: excluded, with its reason shown


def visit(page, check_a11y, name: str, shoot: bool = False) -> None:  # type: ignore[no-untyped-def]
    """axe on the page as it stands (every <details> open), and its screenshot in /tmp/shots when ``shoot``."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    check_a11y(page, f"e2e_{name}")
    if shoot:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"e2e_{name}.png"), full_page=True)


def press(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=label, exact=True).click()


def status_of(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#case-status").inner_text()


def act(page, label: str, status: str) -> None:  # type: ignore[no-untyped-def]
    """One of the case page's 手続 buttons; the case is then in ``status``."""
    press(page, label)
    done(page, done_message(label))
    assert status_of(page) == status


def add_line(page, where: str, category: str, description: str, amount: int) -> None:  # type: ignore[no-untyped-def]
    """Fill and send the line form ``#{where}-line-form`` (budget or report)."""
    form = page.locator(f"#{where}-line-form")
    form.locator(f"#{where}-line-category").select_option(label=category)
    form.locator(f"#{where}-line-description").fill(description)
    form.locator(f"#{where}-line-amount").fill(str(amount))
    form.locator(f"#{where}-line-spent_on").fill(timezone.localdate().isoformat())
    form.get_by_role("button", name="明細を追加する").click()
    done(page, "明細を追加しました。")


def pay(page, base: str, check_a11y, case_pk: int, label: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Staff draft the order ``label``, 会計 approves it and batches it, the other 会計 approves the batch and
    records the bank's result (the 研修用 setting lets it be recorded today)."""
    log_in(page, base, "tanto")
    open_case(page, base, case_pk)
    press(page, f"{label}の支出命令を起票する")
    done(page, "支出命令を起票しました。")

    log_in(page, base, "kaikei")
    open_case(page, base, case_pk)
    press(page, f"{label}の支出を承認する")
    done(page, "支出を承認しました。")
    page.get_by_role("link", name="振込", exact=True).click()
    assert label in page.locator("#queue-orders").inner_text()
    visit(page, check_a11y, f"{name}_queue")
    press(page, "振込バッチを作成する")
    done(page, "振込バッチを作成しました。")
    batch_url = page.url

    log_in(page, base, "kaikei2")
    page.goto(batch_url)
    press(page, "振込バッチを承認し、振込ファイルを作成する")
    done(page, "振込バッチを承認し、総合振込ファイルを作成しました。")
    assert "研修用の設定が有効です" in page.content()
    visit(page, check_a11y, f"{name}_batch", shoot=True)
    press(page, "振込完了")
    done(page, "振込の結果を記録しました。")
    assert "振込完了" in page.locator("#items").inner_text()


def test_a_competitive_year_from_the_call_to_closing(live_server, page, check_a11y, settings, tmp_path,  # type: ignore[no-untyped-def]
                                                     run_worker) -> None:
    # --- set-up by the services: the people, the year (one 概算払 of ½), its call, two groups, the panel --------
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    today = timezone.localdate()
    users = {username: factories.UserFactory(username=username, role=role) for username, role in (
        ("tanto", Role.STAFF), ("tanto2", Role.STAFF), ("kessai", Role.APPROVER), ("kaikei", Role.FINANCE),
        ("kaikei2", Role.FINANCE), ("kansa", Role.AUDITOR))}
    tanto = users["tanto"]
    year = builders.programme_year()
    instalments(year, [(1, 2)])
    TransferSettings.objects.create(requester_code="0000012345", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170",
                                    branch_code="001", account_type="2", account_number="0000001", lead_days=0,
                                    early_results=True)
    call = builders.call(year, tanto, presentation_place="山口市民会館 小ホール")
    org, head = builders.group("dantai", confirmed_by=tanto)
    other_org, other_head = builders.group("dantai2", "大歳まちなか音楽サークル", confirmed_by=tanto)
    judges = [builders.panel_member(call, username, tanto) for username in ("shinsa1", "shinsa2")]
    weak = steps.screening(call, other_org, other_head, tanto, title="まちなかコンサート")
    for judge in judges:
        steps.score(weak, judge, 2)

    # --- 1. anyone: the public list of calls and the call's page --------------------------------------------
    page.goto(f"{base}/koubo/")
    visit(page, check_a11y, "01_public_list", shoot=True)
    page.get_by_role("link", name=str(call)).click()
    page.get_by_text("上限額は1年目150,000円、2〜3年目100,000円です。").wait_for()
    assert "飲食費は補助の対象になりません" in page.content()
    visit(page, check_a11y, "02_public_call", shoot=True)

    # --- 2. the group's head applies: the plan, four budget lines (one of 飲食費, excluded), submits --------------
    log_in(page, base, "dantai")
    page.get_by_role("link", name="市民活動の申請").click()
    page.get_by_role("heading", name="市民活動交流事業補助金の申請").wait_for()
    visit(page, check_a11y, "03_application_start", shoot=True)
    page.get_by_label("事業名（必須）").fill(TITLE)
    page.get_by_role("button", name="新しい事業で申請書を作る").click()
    done(page, "申請書（下書き）を開きました。")
    case = GrantCase.objects.get(project_plan__call=call, organization=org)
    for label, text in (("事業の目的（提出までに必須）", "子どもと高齢者が食卓を囲み、地域で見守る関係をつくる"),
                        ("事業の内容（提出までに必須）", "月1回、公民館で食事会と昔遊びの会を開く"),
                        ("期待される効果（提出までに必須）", "孤立しがちな高齢者と子どもの居場所ができる"),
                        ("成果の指標（実績報告で報告するもの）（提出までに必須）", "参加者数 延べ300人\n開催回数 12回")):
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="下書きを保存する").click()
    done(page, "事業計画書の下書きを保存しました")
    open_case(page, base, case.pk)
    page.get_by_label("着手予定日（必須）").fill(today.isoformat())
    page.get_by_label("完了予定日（必須）").fill(dt.date(call.fiscal_year + 1, 3, 31).isoformat())
    page.get_by_role("button", name="申請の概要を保存する").click()
    done(page, "申請の概要を保存しました。")
    for category, description, amount in (("報償費（対象）", "講師謝礼（3回）", 120_000),
                                           ("使用料及び賃借料（対象）", "会場使用料", 60_000),
                                           ("飲食費（対象外）", LUNCH, 20_000)):
        open_case(page, base, case.pk)
        add_line(page, "budget", category, description, amount)
    open_case(page, base, case.pk)
    # The 飲食費 line is 対象外: left out of the page's 算定 with its reason (180,000 × ⅔ = 120,000, the 採択額 below,
    # not 200,000 × ⅔), and its check says it is left out rather than stopping the application.
    assert page.locator("#computed-amount").inner_text() == "120,000円"
    page.get_by_text("対象外の明細（1件）は補助対象経費に含めずに計算しています。").wait_for()
    assert "飲食費は補助の対象になりません" in page.locator("#excluded-lines").inner_text()
    lunch_check = page.locator("tr", has_text=f"対象となる費目であること（{LUNCH}）")
    assert lunch_check.locator("td").first.inner_text() == "対象外（補助対象経費から除きます）"
    assert "飲食費は補助の対象になりません" in lunch_check.inner_text()
    visit(page, check_a11y, "04_case_draft", shoot=True)
    act(page, "申請書を提出する", "申請済（受付待ち）")
    visit(page, check_a11y, "05_case_submitted")

    # --- 3. staff accept it for screening ----------------------------------------------------------------------
    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    visit(page, check_a11y, "06_case_staff_submitted")
    act(page, "受け付ける（審査会に付す）", "審査中（審査会）")

    # --- 4. each 審査委員 declares no conflict and scores it, above the other group's -----------------------------
    for judge, points in zip(judges, ((5, 4, 4, 3), (4, 4, 3, 3)), strict=True):
        log_in(page, base, judge.username)
        page.get_by_role("link", name="審査", exact=True).click()
        page.get_by_text("山口市民会館 小ホール").wait_for()
        visit(page, check_a11y, f"07_panel_home_{judge.username}", shoot=judge is judges[0])
        page.get_by_role("link", name=str(org)).click()
        visit(page, check_a11y, f"08_panel_declare_{judge.username}")
        page.get_by_label("利害関係はありません").check()
        page.get_by_role("button", name="申告する").click()
        done(page, "利害関係がないことを申告しました。")
        page.get_by_text("講師謝礼（3回）").wait_for()
        for name, value in zip(("公益性", "先駆性", "実現性", "発展性"), points, strict=True):
            page.get_by_label(f"{name}の点数").fill(str(value))
        page.get_by_label("公益性の講評").fill(f"{judge.username}: 地域の子どもと高齢者をつなぐ点を評価します。")
        page.get_by_role("button", name="採点を保存する").click()
        done(page, "採点を保存しました。")
        visit(page, check_a11y, f"09_panel_scored_{judge.username}", shoot=judge is judges[0])
    assert ConflictDeclaration.objects.filter(case=case, conflicted=False).count() == 2
    assert Score.objects.filter(case=case).count() == 8

    # --- 5. staff: the ranking, the selection (one 採択, one 不採択 with its reason), sent to the approver ----------
    log_in(page, base, "tanto")
    page.get_by_role("link", name="審査と採択").click()
    visit(page, check_a11y, "10_panel_calls")
    page.get_by_role("link", name=f"{call.title}の審査結果（順位）").click()
    page.get_by_text("shinsa1: 地域の子どもと高齢者をつなぐ点を評価します。").wait_for()
    visit(page, check_a11y, "11_ranking", shoot=True)
    page.get_by_role("link", name="この募集の採択（採択案の作成・決裁）へ").click()
    page.get_by_label(f"「{TITLE}」を採択する").check()
    page.get_by_label(f"「{TITLE}」の採択額（円）").fill("120000")
    page.locator("#remaining-budget", has_text="880,000円").wait_for()
    page.get_by_label("「まちなかコンサート」の不採択の理由").fill("事業の継続性の見通しが十分ではありませんでした。")
    visit(page, check_a11y, "12_selection_form", shoot=True)
    press(page, "採択案を保存する")
    done(page, "採択案を保存しました。")
    press(page, "採択案を決裁に回す")
    done(page, "採択案を決裁に回しました。")
    selection_url = page.url

    log_in(page, base, "kessai")
    page.goto(selection_url)
    visit(page, check_a11y, "13_selection_proposed")
    press(page, "採択を決定する")
    done(page, "採択を決定しました。")
    visit(page, check_a11y, "14_selection_decided")

    log_in(page, base, "dantai")
    open_case(page, base, case.pk)
    assert status_of(page) == "採択（交付決定の審査待ち）"
    page.locator("#screening-outcome", has_text="120,000円").wait_for()
    link = page.locator("#notices").get_by_role("link", name=re.compile("採択通知書"))
    pdf = page.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    visit(page, check_a11y, "15_case_selected_group", shoot=True)

    # --- 6. staff assess it (査定額, conditions, 完了期限); the approver decides; the 概算払 is paid -----------------
    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    visit(page, check_a11y, "16_case_assess")
    page.locator("#verify-assessed_amount").fill("100000")
    page.locator("#verify-conditions").fill("成果報告会を開くこと")
    page.locator("#verify-completion_deadline").fill(dt.date(call.fiscal_year + 1, 3, 31).isoformat())
    page.locator("#verify-note").fill("会場使用料の一部は団体の自己負担とすることで協議が整ったため")
    press(page, "審査済にする（決裁へ回す）")
    done(page, "審査済にしました。")
    assert status_of(page) == "審査済（決裁待ち）"

    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    act(page, "交付決定する", "交付決定済")
    assert page.locator("#decided-amount").inner_text() == "100,000円"
    assert "交付決定通知書" in page.locator("#notices").inner_text()
    assert "50,000円" in page.locator("#payment-orders").inner_text()
    visit(page, check_a11y, "17_case_decided", shoot=True)
    pay(page, base, check_a11y, case.pk, "概算払 第1回", "18_advance")
    open_case(page, base, case.pk)
    assert "支払済" in page.locator("#payment-orders").locator("tr", has_text="概算払 第1回").inner_text()

    # --- 7. 実績報告 with two lines and a receipt; staff verify; the approver confirms; the 精算払 closes it -------
    log_in(page, base, "dantai")
    open_case(page, base, case.pk)
    page.locator("#report-narrative").fill("交流会を12回開き、延べ320人が参加しました。")
    page.locator("#report-completed_on").fill(today.isoformat())
    page.get_by_role("button", name="実績報告の概要を保存する").click()
    done(page, "実績報告の概要を保存しました。")
    for category, description, amount in (("報償費（対象）", "講師謝礼（実績）", 120_000),
                                           ("使用料及び賃借料（対象）", "会場使用料（実績）", 60_000)):
        open_case(page, base, case.pk)
        add_line(page, "report", category, description, amount)
    open_case(page, base, case.pk)
    page.locator("#receipt-title").fill("講師謝礼の領収書")
    page.locator("#receipt-file").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 receipt"}])
    page.get_by_role("button", name="領収書の写しを登録する").click()
    done(page, "領収書の写しを登録しました。")
    open_case(page, base, case.pk)
    assert "講師謝礼の領収書" in page.locator("#receipt-list").inner_text()
    visit(page, check_a11y, "19_case_report_draft", shoot=True)
    act(page, "実績報告書を提出する", "実績報告済（審査待ち）")

    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    visit(page, check_a11y, "20_case_report_review")
    act(page, "実績報告を審査済にする（額の確定の決裁へ回す）", "実績審査済（額の確定の決裁待ち）")

    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    act(page, "額を確定する", "額確定済（精算払・返還待ち）")
    assert page.locator("#confirmed-amount").inner_text() == "100,000円"  # min(100,000 decided, 180,000 × ⅔)
    visit(page, check_a11y, "21_case_confirmed", shoot=True)
    pay(page, base, check_a11y, case.pk, "精算払", "22_settlement")
    open_case(page, base, case.pk)
    assert status_of(page) == "完了"
    visit(page, check_a11y, "23_case_closed", shoot=True)

    # --- 8. the group reports 0円 of 消費税仕入控除税額 from ホーム; another staff member confirms it ---------------
    log_in(page, base, "dantai")
    box = page.locator("#tax-report-box")
    assert TITLE in box.inner_text()
    visit(page, check_a11y, "24_home_group", shoot=True)
    box.get_by_role("link").first.click()
    page.get_by_role("heading", name="消費税仕入控除税額の報告", level=1).wait_for()
    visit(page, check_a11y, "25_tax_form", shoot=True)
    page.get_by_label("該当なし（仕入控除税額を報告する）").check()
    page.get_by_label("仕入控除税額（円）").fill("0")
    press(page, "報告書を提出する")
    done(page, "報告書を提出しました")
    report_url = page.url

    log_in(page, base, "tanto2")
    page.goto(f"{base}/tax-reports/")
    visit(page, check_a11y, "26_tax_list")
    page.get_by_role("link", name=case.reference).click()
    assert page.url == report_url
    press(page, "確認する")
    done(page, "報告を確認しました。")
    visit(page, check_a11y, "27_tax_confirmed", shoot=True)
    report = TaxCreditReport.objects.get(case=case)
    assert (report.status, report.amount, report.confirmed_by) == (TaxReportStatus.CONFIRMED, 0, users["tanto2"])
    assert not case.refund_orders.exists()

    # --- 9. the auditor requests the programme-year's workbook and finds the calls, scores and selection ---------
    log_in(page, base, "kansa")
    page.get_by_role("link", name=re.compile("市民活動交流事業補助金")).first.click()
    visit(page, check_a11y, "28_programme_year")
    page.get_by_role("button", name="台帳・案件一覧などをExcelで出力する").click()
    page.get_by_role("heading", name=re.compile("台帳")).wait_for()
    run_worker()
    download = page.get_by_role("link", name=re.compile("をダウンロードする"))
    download.wait_for()
    visit(page, check_a11y, "29_export_job")
    with page.expect_download() as download_info:
        download.click()
    book = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    for sheet in ("募集", "審査の採点", "利害関係の申告", "採択", "消費税仕入控除税額の報告"):
        assert sheet in book.sheetnames, book.sheetnames
    scores = _rows(book["審査の採点"])
    assert len(scores) == 16  # 2 members × 4 criteria × 2 applications
    assert {row["案件番号"] for row in _rows(book["採択"])} >= {case.reference, weak.reference}

    # --- the ledger: committed and paid are the confirmed amount ----------------------------------------------
    case.refresh_from_db()
    account = BudgetAccount.objects.get(programme_year=year)
    assert (case.status, case.decided_amount, case.confirmed_amount, case.paid_amount) == (
        Status.CLOSED, 100_000, 100_000, 100_000)
    assert account.committed == account.paid == 100_000


def _rows(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """A sheet's data rows as dicts keyed by the header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(v is not None for v in row)]
