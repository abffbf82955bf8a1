"""One 地域づくり協議会's whole year of the 地域づくり活動支援交付金 in a real browser, by the pages only (issue 4's
acceptance test): the secretary writes the 地域づくり計画 and staff approve it; staff open the year's cases; the
secretary applies with a budget linked to the plan; staff override the failed 交際費 check and the approver
approves the override; the case is reviewed below the applied amount and decided; the first 概算払 is drafted,
approved, batched, paid and confirmed by the bank; a 変更承認申請 lowers the amount; the 実績報告 (with a
再交付) justifies less than was advanced, so 額の確定 orders a refund, which finance records; the auditor finds
the council on the dashboard and every act in the programme-year's workbook. axe finds no WCAG 2.1 A/AA
violation on any page type visited. After the setup nothing is done but through the pages."""
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from grants.accounts.models import Role
from grants.cases.models import GrantCase, RefundOrder, Status
from grants.core.fiscal import wareki
from grants.core.wording import done_message
from grants.ledger.models import BudgetAccount, OrderStatus, TransferSettings
from grants.organizations.models import CommunityPlan, PlanStatus
from tests import factories
from tests.councils import builders
from tests.factories import CURRENT_FY
from tests.pages.browser import add_plan_items, attach_plan_file, done, log_in, open_case
from tests.reports.zengin_parser import parse_zengin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

COUNCIL = "大歳地域づくり協議会"
GIFT = "防災協定締結式の記念品"  # the 交際費 line: excluded, passed by an approved override


def press(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=label, exact=True).click()


def act(page, label: str, status: str) -> None:  # type: ignore[no-untyped-def]
    """One of the generic 手続 buttons of the case page; the case is then in ``status``."""
    press(page, label)
    done(page, done_message(label))
    assert status_of(page) == status


def status_of(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("#case-status").inner_text()


def add_line(page, form: str, category: int, item: str, description: str, amount: int, **extra: str) -> None:  # type: ignore[no-untyped-def]
    """Fill and send the line form ``#{form}-line-form`` (budget, change or report)."""
    prefix = f"#{form}-line-"
    page.locator(f"{prefix}category").select_option(str(category))
    page.locator(f"{prefix}plan_item").select_option(label=item)
    page.locator(f"{prefix}description").fill(description)
    page.locator(f"{prefix}amount").fill(str(amount))
    page.locator(f"{prefix}spent_on").fill(timezone.localdate().isoformat())
    if extra.get("confirmed"):
        page.locator(f"{prefix}condition_confirmed").check()
    if extra.get("recipient"):
        page.locator(f"{prefix}recipient").fill(extra["recipient"])
    page.locator(f"{prefix}form").get_by_role("button", name="明細を追加する").click()
    done(page, "明細を追加しました。")


def test_one_council_through_the_whole_year(live_server, page, check_a11y, settings, tmp_path, run_worker) -> None:  # type: ignore[no-untyped-def]
    # --- setup: people, the programme-year with two 概算払 instalments, the city's transfer settings ---------
    settings.MEDIA_ROOT = tmp_path
    base = live_server.url
    org, _ = builders.council(name=COUNCIL, username="jimukyoku")
    for username, role in (("tanto", Role.STAFF), ("kessai", Role.APPROVER), ("kaikei", Role.FINANCE),
                           ("kaikei2", Role.FINANCE), ("kansa", Role.AUDITOR)):
        factories.UserFactory(username=username, role=role)
    katsudo = builders.katsudo_year()
    builders.instalments(katsudo, [(1, 2), (1, 4)])
    TransferSettings.objects.create(requester_code="0000012345", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170",
                                    branch_code="001", account_type="2", account_number="0000001")
    cats = builders.categories()
    today = timezone.localdate()

    # --- 地域づくり計画: the secretary drafts it with 分野 → 施策 → two 取組 and a PDF, and submits it ----------
    log_in(page, base, "jimukyoku")
    page.get_by_role("link", name="地域づくり計画").click()
    check_a11y(page, "year-01-plan-list")
    page.get_by_role("link", name="新しい計画（最初の計画・次の期の計画）を作成する").click()
    page.get_by_label("期", exact=True).fill("第3期")
    page.get_by_label("計画の名称", exact=True).fill("大歳地域づくり計画")
    assert page.get_by_label("計画期間（初年度）").input_value() == str(CURRENT_FY)
    page.get_by_role("button", name="作成する").click()
    done(page, "地域づくり計画（作成中）を作成しました。")
    add_plan_items(page, (
        ("field", None, "1", "安心・安全"),
        ("measure", "分野 1 安心・安全", "1-1", "防災力の向上"),
        ("action", "施策 1-1 防災力の向上", "1-1-1", "防災訓練"),
        ("action", "施策 1-1 防災力の向上", "1-1-2", "水路・道路の小規模補修"),
    ))
    attach_plan_file(page, "地域づくり計画書")
    check_a11y(page, "year-02-plan-draft")
    page.get_by_role("button", name="計画を提出する").click()
    done(page, "計画を提出しました。")
    plan_url = page.url

    # Staff approve the plan, then open the year's cases (the council's draft case) from the programme-year.
    log_in(page, base, "tanto")
    page.goto(plan_url)
    check_a11y(page, "year-03-plan-submitted")
    page.get_by_role("button", name="計画を承認する").click()
    done(page, "計画を承認しました。")
    assert page.locator("#plan-status").inner_text() == "承認済"
    page.get_by_role("link", name="ホーム").click()
    page.get_by_role("link", name=re.compile("地域づくり活動支援交付金")).click()
    page.get_by_role("link", name="交付対象のすべての団体の申請書（下書き）を一括作成する").click()
    # a council programme has no household counts to choose: the page only explains what it makes
    assert page.get_by_label("登録済みの世帯数を使う").count() == 0
    page.get_by_text("収支予算書から計算します").wait_for()
    page.get_by_role("button", name="一括作成を開始する").click()
    page.get_by_text("完了しました。").wait_for()
    case = GrantCase.objects.get(programme_year=katsudo, organization=org)
    assert case.status == Status.DRAFT
    plan = CommunityPlan.objects.get(organization=org)
    assert plan.status == PlanStatus.APPROVED and plan.attachments.count() == 1

    # --- 交付申請: the project, three budget lines linked to the plan's 取組, submitted ------------------------
    log_in(page, base, "jimukyoku")
    page.get_by_role("link", name=case.reference).click()
    assert status_of(page) == "申請前"
    page.locator("#application-project_title").fill("防災訓練と水路補修")
    page.locator("#application-project_start").fill(today.isoformat())
    page.locator("#application-project_end").fill(f"{CURRENT_FY + 1}-03-31")
    page.get_by_role("button", name="申請の概要を保存する").click()
    done(page, "申請の概要を保存しました。")
    for category, item, description, amount, extra in (
        ("genzairyo", "1-1-2 水路・道路の小規模補修（取組）", "水路補修の原材料", 600_000, {}),
        ("shokuryohi", "1-1-1 防災訓練（取組）", "訓練中の飲み物", 8_000, {"confirmed": "yes"}),
        ("kosaihi", "1-1-1 防災訓練（取組）", GIFT, 20_000, {}),
    ):
        open_case(page, base, case.pk)
        add_line(page, "budget", cats[category].pk, item, description, amount, **extra)
    open_case(page, base, case.pk)
    # the 交際費 line is 対象外: left out of the 補助対象経費 (600,000 + 8,000), its reason beside the budget
    assert page.locator("#computed-amount").inner_text() == "608,000円"
    assert GIFT in page.locator("#excluded-lines").inner_text()
    check_a11y(page, "year-04-case-draft")
    act(page, "交付申請書を提出する", "申請済（審査待ち）")

    # --- 審査: the 交際費 check fails with its reason; staff record an override, the approver approves it ---------
    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    checks = page.locator("#full-checks")
    gift_row = checks.locator("tr", has_text=f"対象となる費目であること（{GIFT}）")
    assert gift_row.locator("td").first.inner_text() == "対象外（補助対象経費から除きます）"
    assert "「交際費」はこの交付金の対象外の費目です（交際費は交付金の対象になりません）。" in gift_row.inner_text()
    assert checks.locator("tr", has_text="対象となる費目であること（訓練中の飲み物）").locator("td").first.inner_text() \
        == "適合"
    check_a11y(page, "year-05-case-review")
    page.locator("#id_check_code").select_option(label=f"対象となる費目であること（{GIFT}）")
    page.locator("#id_justification").fill("防災協定の締結を地域に周知する式典の記念品で、計画の取組に欠かせないため")
    press(page, "特例判断を記録する")
    done(page, "特例判断を記録しました。")
    assert "不適合（特例判断の承認待ち）" in page.locator("#full-checks").inner_text()
    assert "判断した方は承認できません。" in page.locator("#pending-overrides").inner_text()

    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    page.get_by_role("button", name=f"特例判断「対象となる費目であること（{GIFT}）」を承認する").click()
    done(page, "特例判断を承認しました。")
    assert "特例で適合" in page.locator("#full-checks").locator("tr", has_text=f"対象となる費目であること（{GIFT}）").inner_text()
    assert "kessai 担当" in page.locator("#approved-overrides").inner_text()

    # Staff review below the applied amount, with the conditions, the completion deadline and the reason.
    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    page.locator("#verify-assessed_amount").fill("600000")
    page.locator("#verify-conditions").fill("事業の内容を広報紙で周知すること")
    page.locator("#verify-completion_deadline").fill(f"{CURRENT_FY + 1}-03-31")
    page.locator("#verify-note").fill("食糧費と記念品の一部は協議会の自己負担とすることで協議が整ったため")
    press(page, "審査済にする（決裁へ回す）")
    done(page, "審査済にしました。")
    assert status_of(page) == "審査済（決裁待ち）"

    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    act(page, "交付決定する", "交付決定済")
    assert page.locator("#decided-amount").inner_text() == "600,000円"
    notices = page.locator("#notices")
    assert "交付決定通知書" in notices.inner_text()
    pdf = page.request.get(base + notices.get_by_role("link", name="交付決定通知書（PDF）を開く").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    orders = page.locator("#payment-orders").inner_text()
    assert "概算払 第1回" in orders and "300,000円" in orders and "150,000円" in orders
    check_a11y(page, "year-06-case-decided")
    page.get_by_role("link", name=str(plan)).click()  # the plan version the case was judged against
    assert page.locator("#plan-status").inner_text() == "承認済" and page.url == plan_url

    # --- 概算払: staff draft the first order, finance approves it, batches it; another finance user approves ---
    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    press(page, "概算払 第1回の支出命令を起票する")
    done(page, "支出命令を起票しました。")

    log_in(page, base, "kaikei")
    open_case(page, base, case.pk)
    press(page, "概算払 第1回の支出を承認する")
    done(page, "支出を承認しました。")
    page.get_by_role("link", name="振込", exact=True).click()
    queue = page.locator("#queue-orders")
    assert "概算払 第1回" in queue.inner_text() and "第2回" not in queue.inner_text()
    check_a11y(page, "year-07-payment-queue")
    press(page, "振込バッチを作成する")
    done(page, "振込バッチを作成しました。")
    batch_url = page.url

    log_in(page, base, "kaikei2")
    page.goto(batch_url)
    press(page, "振込バッチを承認し、振込ファイルを作成する")
    done(page, "振込バッチを承認し、総合振込ファイルを作成しました。")
    with page.expect_download() as zengin_info:
        page.get_by_role("link", name="総合振込ファイルをダウンロードする").click()
    data = zengin_info.value.path().read_bytes()
    records = parse_zengin(data)
    assert all(len(r["_bytes"]) == 120 for r in records)
    assert [r["データ区分"] for r in records] == ["1", "2", "8", "9"]
    assert (records[1]["振込金額"], records[2]["合計金額"]) == ("0000300000", "000000300000")
    check_a11y(page, "year-08-batch-approved")
    press(page, "振込完了")
    done(page, "振込の結果を記録しました。")
    assert "振込完了" in page.locator("#items").inner_text()
    open_case(page, base, case.pk)
    assert "支払済" in page.locator("#payment-orders").locator("tr", has_text="概算払 第1回").inner_text()

    # --- 変更承認申請: a lower amount, the 交際費 line taken out of the changed budget ---------------------------
    log_in(page, base, "jimukyoku")
    open_case(page, base, case.pk)
    page.locator("#change-reason").fill("記念品の購入をやめ、事業費を見直したため")
    page.locator("#change-requested_amount").fill("500000")
    page.locator("#change-start-form").get_by_role("button", name="変更承認申請を作成する").click()
    done(page, "変更承認申請を作成しました。")
    page.locator("#change-lines").get_by_role("button", name=f"明細「{GIFT}」を削除する").click()
    done(page, "明細を削除しました。")
    assert GIFT not in page.locator("#change-lines").inner_text()
    page.locator("#change-submit-form").get_by_role("button", name="変更承認申請を提出する").click()
    done(page, "変更承認申請を提出しました。")
    assert status_of(page) == "変更承認申請中（審査待ち）"

    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    check_a11y(page, "year-09-case-change-requested")
    assert page.locator("#change-check-assessed_amount").input_value() == "500000"
    page.locator("#change-check-form").get_by_role("button").click()
    done(page, "変更承認申請を審査済にしました。")
    assert status_of(page) == "変更審査済（決裁待ち）"

    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    act(page, "変更を承認する（変更交付決定）", "交付決定済")
    assert page.locator("#decided-amount").inner_text() == "500,000円"
    assert "変更交付決定通知書" in page.locator("#notices").inner_text()
    assert "承認" in page.locator("#change-history").inner_text()

    # --- 実績報告: narrative, completion today, lines (one a 再交付), a receipt; submitted ----------------------
    log_in(page, base, "jimukyoku")
    open_case(page, base, case.pk)
    page.locator("#report-narrative").fill("防災訓練を行い、水路の補修を自治会に再交付して実施しました。")
    page.locator("#report-completed_on").fill(today.isoformat())
    page.get_by_role("button", name="実績報告の概要を保存する").click()
    done(page, "実績報告の概要を保存しました。")
    for category, item, description, amount, extra in (
        ("kofukin", "1-1-2 水路・道路の小規模補修（取組）", "水路補修の再交付", 150_000,
         {"recipient": "大歳第1自治会"}),
        ("genzairyo", "1-1-2 水路・道路の小規模補修（取組）", "水路補修の原材料", 100_000, {}),
        ("shokuryohi", "1-1-1 防災訓練（取組）", "訓練中の飲み物", 5_000, {"confirmed": "yes"}),
    ):
        open_case(page, base, case.pk)
        add_line(page, "report", cats[category].pk, item, description, amount, **extra)
    open_case(page, base, case.pk)
    page.locator("#receipt-title").fill("原材料の領収書")
    page.locator("#receipt-file").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 receipt"}])
    page.get_by_role("button", name="領収書の写しを登録する").click()
    done(page, "領収書の写しを登録しました。")
    open_case(page, base, case.pk)
    assert "大歳第1自治会" in page.locator("#report-lines").inner_text()
    assert "原材料の領収書" in page.locator("#receipt-list").inner_text()
    check_a11y(page, "year-10-case-report-draft")
    act(page, "実績報告書を提出する", "実績報告済（審査待ち）")

    log_in(page, base, "tanto")
    open_case(page, base, case.pk)
    act(page, "実績報告を審査済にする（額の確定の決裁へ回す）", "実績審査済（額の確定の決裁待ち）")
    assert page.locator("#justified-amount").inner_text() == "255,000円"

    # 額の確定 at 255,000 yen; 300,000 yen was advanced, so 45,000 yen is ordered back.
    log_in(page, base, "kessai")
    open_case(page, base, case.pk)
    act(page, "額を確定する", "額確定済（精算払・返還待ち）")
    assert page.locator("#confirmed-amount").inner_text() == "255,000円"
    refund = page.locator("#refund-facts").inner_text()
    due_on = RefundOrder.objects.get(case=case).due_on
    assert "45,000円" in refund and wareki(due_on) in refund and "納付待ち" in refund
    assert "返還命令" in page.locator("#notices").inner_text()
    check_a11y(page, "year-11-case-confirmed")

    log_in(page, base, "kaikei")
    open_case(page, base, case.pk)
    owed = page.locator("#refund-outstanding").locator("tr", has_text="合計").locator("td").inner_text()
    assert owed == "45,000円"
    page.locator("#refund-amount").fill(owed.replace(",", "").removesuffix("円"))
    page.locator("#refund-received_on").fill(today.isoformat())
    press(page, "返還金の納付を記録する")
    done(page, "返還金の納付を記録しました。")
    assert status_of(page) == "完了"
    assert "納付済" in page.locator("#refund-facts").inner_text()
    check_a11y(page, "year-12-case-closed")

    # --- the auditor: the council on the dashboard, every act in the programme-year's workbook ----------------
    log_in(page, base, "kansa")
    page.get_by_role("link", name="予算ダッシュボード").click()
    page.get_by_role("heading", name="地域づくり協議会の管理費割合").wait_for()
    row = page.locator("#council-shares").locator("tr", has_text=COUNCIL)
    assert row.locator("[data-field=katsudo]").inner_text() == "255,000円"
    assert row.locator("[data-field=share]").inner_text() == "0.0%"  # no 運営支援 this year
    check_a11y(page, "year-13-dashboard")
    page.get_by_role("link", name="ホーム").click()
    page.get_by_role("link", name=re.compile("地域づくり活動支援交付金")).click()
    page.get_by_role("button", name="台帳・案件一覧などをExcelで出力する").click()
    page.get_by_role("heading", name=re.compile("台帳")).wait_for()
    run_worker()
    download = page.get_by_role("link", name=re.compile("をダウンロードする"))
    download.wait_for()
    check_a11y(page, "year-14-export-job")
    with page.expect_download() as download_info:
        download.click()
    book = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    for sheet in ("特例判断", "支出命令", "返還命令", "再交付"):
        assert sheet in book.sheetnames
    # The override, with its author and its approver (its copy carried to the change went with the deleted line).
    overrides = _rows(book["特例判断"])
    assert [(o["判断者"], o["承認者"], o["状態"]) for o in overrides] == [("tanto 担当", "kessai 担当", "承認済")]
    assert overrides[0]["確認項目"].startswith("対象となる費目であること") and "引継ぎ" not in overrides[0]["理由"]
    orders_sheet = _rows(book["支出命令"])
    # The first advance paid; the second withdrawn by the change (re-planned at 500,000 × 3/4 − 300,000) and its
    # re-planned order withdrawn by the 実績報告 (what is owed after it is settled at the 額の確定).
    assert [(o["回"], o["名称"], o["金額（円）"], o["状態"]) for o in orders_sheet] == [
        (1, "概算払 第1回", 300_000, "支払済"), (2, "概算払 第2回", 150_000, "取りやめ"),
        (3, "概算払 第2回", 75_000, "取りやめ")]
    assert orders_sheet[0]["起票者"] == "tanto 担当" and orders_sheet[0]["承認者"] == "kaikei 担当"
    assert all(o["案件番号"] == case.reference for o in orders_sheet)
    refunds = _rows(book["返還命令"])
    assert [(r["返還を命じる額（円）"], r["元金の納付額（円）"], r["未納の元金（円）"]) for r in refunds] == [(45_000, 45_000, 0)]
    subgrants = _rows(book["再交付"])
    assert [(s["再交付先"], s["金額（円）"]) for s in subgrants] == [("大歳第1自治会", 150_000)]

    # --- the ledger: the commitment is the confirmed amount, and so is what was paid net of the refund ---------
    case.refresh_from_db()
    account = BudgetAccount.objects.get(programme_year=katsudo)
    assert (case.status, case.decided_amount, case.confirmed_amount) == (Status.CLOSED, 500_000, 255_000)
    assert (case.paid_amount, case.refunded_amount) == (300_000, 45_000)
    assert account.committed == case.confirmed_amount == 255_000
    assert account.paid - account.refunded == case.confirmed_amount
    assert not case.payment_orders.filter(status__in=[OrderStatus.SCHEDULED, OrderStatus.PREPARED,
                                                      OrderStatus.APPROVED]).exists()


def _rows(sheet) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """A sheet's data rows as dicts keyed by the header."""
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(v is not None for v in row)]
