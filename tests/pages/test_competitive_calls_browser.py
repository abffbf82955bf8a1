"""The call pages in a real browser: an anonymous visitor reads the public list and a call's page, and staff edit
a draft call (adding a criterion row with the page's script) and the year's rule; axe finds no WCAG 2.1 A/AA
violation on any of them. Each page's screenshot is kept in /tmp/shots."""
from pathlib import Path

import pytest

from grants.competitive.models import Call
from tests.competitive import builders
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_call_pages_work_and_are_accessible(live_server, page, check_a11y, staff) -> None:  # type: ignore[no-untyped-def]
    year = builders.programme_year()
    published = builders.call(year, staff, presentation_place="山口市民会館")
    draft = builders.call(year, staff, publish=False)
    Call.objects.filter(pk=draft.pk).update(title="第2次募集（準備中）")
    draft.refresh_from_db()

    page.goto(f"{live_server.url}/koubo/")
    page.get_by_role("link", name=str(published)).wait_for()
    assert page.get_by_text("第2次募集（準備中）").count() == 0
    check_a11y(page, "competitive_public_list")
    shot(page, "competitive_public_list")
    page.get_by_role("link", name=str(published)).click()
    page.get_by_text("上限額は1年目150,000円、2〜3年目100,000円です。").wait_for()
    check_a11y(page, "competitive_public_detail")
    shot(page, "competitive_public_detail")

    log_in(page, live_server.url, staff.username)
    page.get_by_role("link", name="募集（市民活動）").click()
    page.get_by_role("link", name=str(draft)).click()
    check_a11y(page, "competitive_call_detail")
    shot(page, "competitive_call_detail")
    page.get_by_role("link", name="募集の内容と審査項目を変更する").click()
    page.get_by_role("button", name="審査項目の行を追加する").click()
    page.get_by_label("7行目の審査項目").fill("発信力")
    page.get_by_label("受付終了日").fill("2000-01-01")
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("受付終了日: 受付開始日より後の日付にしてください。").first.wait_for()
    assert page.get_by_label("7行目の審査項目").input_value() == "発信力"
    check_a11y(page, "competitive_call_edit_errors")
    shot(page, "competitive_call_edit_errors")
    page.get_by_label("受付終了日").fill(draft.closes_on.isoformat())
    page.get_by_role("button", name="保存する").click()
    done(page, "募集を保存しました。")
    assert list(Call.objects.get(pk=draft.pk).criteria.values_list("name", flat=True))[-1] == "発信力"

    page.get_by_role("link", name="補助率・上限額・費目の取扱い").click()
    check_a11y(page, "competitive_call_rule")
    shot(page, "competitive_call_rule")
    page.goto(f"{live_server.url}/competitive/calls/{draft.pk}/panel/")
    check_a11y(page, "competitive_call_panel")
    shot(page, "competitive_call_panel")
