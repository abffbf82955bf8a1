"""A group's application in a real browser: the head starts it from the open calls, types the 事業計画書 (the script
saves it and says so), loses the login while typing and gets the text back after logging in again, adds budget
lines (the amount is previewed while a line is typed, and computed line by line once added) and submits; axe finds
no WCAG 2.1 A/AA violation on the pages it visits. Screenshots go to /tmp/shots/."""
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from grants.cases.models import GrantCase
from grants.competitive.models import ProjectPlan
from tests.competitive import builders
from tests.factories import UserFactory
from tests.pages.browser import done, log_in, open_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def add_line(page, category: str, description: str, amount: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("費目", exact=True).select_option(label=category)
    page.get_by_label("内容（必須）").fill(description)
    page.get_by_label("金額（円）（必須）").fill(amount)
    page.get_by_label("支出（予定）日").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())


def test_a_group_applies_from_the_call_to_submission(live_server, page, check_a11y, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(username="tanto", role="staff")
    call = builders.call(builders.programme_year(), staff)
    org, head = builders.group(confirmed_by=staff)
    base = live_server.url

    log_in(page, base, head.username)
    page.get_by_role("link", name="市民活動の申請").click()
    page.get_by_role("heading", name="市民活動交流事業補助金の申請").wait_for()
    check_a11y(page, "competitive_application_start")
    shot(page, "competitive_application_start")
    page.get_by_label("事業名（必須）").fill("多世代交流の子ども食堂")
    page.get_by_role("button", name="新しい事業で申請書を作る").click()
    done(page, "申請書（下書き）を開きました。")
    case = GrantCase.objects.get(project_plan__call=call)

    # The plan saves itself after a pause in typing, and on leaving a field.
    page.get_by_label("事業の目的（提出までに必須）").fill("子どもと高齢者が食卓を囲み、地域で見守る関係をつくる")
    page.locator("#plan-save-status", has_text="下書きを保存しました（").wait_for(timeout=30_000)  # a loaded CI machine
    page.get_by_label("事業の内容（提出までに必須）").fill("月1回、公民館で食事会と昔遊びの会を開く")
    page.get_by_label("期待される効果（提出までに必須）").focus()
    page.locator("#plan-save-status", has_text="下書きを保存しました（").wait_for()
    assert ProjectPlan.objects.get(case=case).content == "月1回、公民館で食事会と昔遊びの会を開く"

    # The login expires while the group types: the text stays in this browser and comes back after logging in.
    page.context.clear_cookies()
    page.get_by_label("期待される効果（提出までに必須）").fill("孤立しがちな高齢者と子どもの居場所ができる")
    page.get_by_label("成果の指標（実績報告で報告するもの）（提出までに必須）").focus()
    page.locator("#plan-save-status", has_text="保存できませんでした").wait_for()
    shot(page, "competitive_plan_expired")
    assert ProjectPlan.objects.get(case=case).expected_effects == ""
    log_in(page, base, head.username)
    open_case(page, base, case.pk)
    page.get_by_role("button", name="入力を復元する").wait_for()
    check_a11y(page, "competitive_plan_restore")
    shot(page, "competitive_plan_restore")
    page.get_by_role("button", name="入力を復元する").click()
    page.locator("#plan-save-status", has_text="下書きを保存しました（").wait_for()
    assert ProjectPlan.objects.get(case=case).expected_effects == "孤立しがちな高齢者と子どもの居場所ができる"
    page.get_by_label("成果の指標（実績報告で報告するもの）（提出までに必須）").fill("参加者数 延べ300人\n開催回数 12回")
    page.get_by_role("button", name="下書きを保存する").click()
    done(page, "事業計画書の下書きを保存しました")

    # 申請の概要 and the budget lines: the amount is previewed while a line is typed, then computed once added.
    open_case(page, base, case.pk)
    page.get_by_label("着手予定日（必須）").fill(timezone.localdate().isoformat())
    page.get_by_label("完了予定日（必須）").fill(dt.date(call.fiscal_year + 1, 3, 31).isoformat())
    page.get_by_role("button", name="申請の概要を保存する").click()
    done(page, "申請の概要を保存しました。")
    for category, description, amount, expected in (("報償費（対象）", "講師謝礼（3回）", "150000", "100,000円"),
                                                     ("使用料及び賃借料（対象）", "会場使用料", "60000", "140,000円")):
        open_case(page, base, case.pk)
        add_line(page, category, description, amount)
        page.locator("#amount-preview-total", has_text=expected).wait_for()
        page.get_by_role("button", name="明細を追加する").click()
        done(page, "明細を追加しました。")
        page.locator("#computed-amount", has_text=expected).wait_for()
    open_case(page, base, case.pk)
    add_line(page, "飲食費（対象外）", "交流会の弁当", "20000")
    page.locator("#amount-preview-excluded", has_text="「飲食費」は補助の対象外です").wait_for()
    check_a11y(page, "competitive_case_draft")
    shot(page, "competitive_case_draft")

    page.get_by_role("button", name="申請書を提出する").click()
    page.locator("#case-status", has_text="申請済").wait_for()
    assert 'id="project-plan-form"' not in page.content()
    check_a11y(page, "competitive_case_submitted")
    shot(page, "competitive_case_submitted")
    case.refresh_from_db()
    assert (case.status, case.applied_amount) == ("submitted", 140_000)  # 210,000 × ⅔ = 140,000
