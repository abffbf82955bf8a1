"""The panel and the selection in a real browser: a 審査委員 declares no conflict and scores (a score out of range
first), staff read the ranking and prepare the selection with the remaining budget shown as they type, and the
approver decides it; axe finds no WCAG 2.1 A/AA violation on any page visited."""
import datetime as dt

import pytest

from grants.competitive.models import Score, Selection
from grants.notices.models import Notice
from tests.competitive import steps
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_judge_scores_staff_prepare_and_the_approver_decides(live_server, page, check_a11y, open_call, npo,  # type: ignore[no-untyped-def]  # noqa: F811
                                                            npo_b, staff, approver, judge, judge2) -> None:  # noqa: F811
    open_call.presentation_on = dt.datetime(2027, 1, 20, 4, 30, tzinfo=dt.UTC)
    open_call.presentation_place = "山口市民会館 小ホール"
    open_call.save()
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    steps.score(weak, judge2, 2)
    steps.score(good, judge2, 4)

    log_in(page, live_server.url, judge.username)
    page.get_by_role("link", name="審査", exact=True).click()
    page.get_by_text("山口市民会館 小ホール").wait_for()
    check_a11y(page, "panel_home")
    page.get_by_role("link", name=str(npo[0])).click()
    check_a11y(page, "panel_declare")
    page.get_by_role("button", name="申告する").click()
    page.locator("#id_conflicted_error", has_text="どちらかを選んでください。").wait_for()
    check_a11y(page, "panel_declare_errors")
    page.get_by_label("利害関係はありません").check()
    page.get_by_role("button", name="申告する").click()
    done(page, "利害関係がないことを申告しました。")
    page.get_by_text("講師謝礼（3回）").wait_for()
    for name, value in (("公益性", "5"), ("先駆性", "4"), ("実現性", "4"), ("発展性", "9")):
        page.get_by_label(f"{name}の点数").fill(value)
    page.get_by_label("公益性の講評").fill("地域の子どもと高齢者をつなぐ点を評価します。")
    page.get_by_role("button", name="採点を保存する").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("公益性の講評").input_value() == "地域の子どもと高齢者をつなぐ点を評価します。"
    check_a11y(page, "panel_application_errors")
    page.get_by_label("発展性の点数").fill("3")
    page.get_by_role("button", name="採点を保存する").click()
    done(page, "採点を保存しました。")
    check_a11y(page, "panel_application")
    assert Score.objects.filter(member__user=judge).count() == 4

    log_in(page, live_server.url, staff.username)
    page.get_by_role("link", name="審査と採択").click()
    check_a11y(page, "panel_calls")
    page.get_by_role("link", name=f"{open_call.title}の審査結果（順位）").click()
    page.get_by_text("地域の子どもと高齢者をつなぐ点を評価します。").wait_for()
    check_a11y(page, "panel_ranking")
    page.get_by_role("link", name="この募集の採択（採択案の作成・決裁）へ").click()
    page.get_by_label("「子ども食堂の交流会」を採択する").check()
    page.get_by_label("「子ども食堂の交流会」の採択額（円）").fill("140000")
    page.locator("#remaining-budget", has_text="860,000円").wait_for()
    page.get_by_label("「まちなかコンサート」の不採択の理由").fill("事業の継続性の見通しが十分ではありませんでした。")
    check_a11y(page, "panel_selection_form")
    page.get_by_role("button", name="採択案を保存する").click()
    done(page, "採択案を保存しました。")
    page.get_by_role("button", name="採択案を決裁に回す").click()
    done(page, "採択案を決裁に回しました。")

    log_in(page, live_server.url, approver.username)
    page.goto(f"{live_server.url}/panel/calls/{open_call.pk}/selection/")
    check_a11y(page, "panel_selection_proposed")
    page.get_by_role("button", name="採択を決定する").click()
    done(page, "採択を決定しました。")
    page.get_by_role("link", name="不採択通知書（PDF）").wait_for()
    check_a11y(page, "panel_selection_decided")
    assert Selection.objects.get().decided_by == approver
    assert Notice.objects.filter(kind__in=("selection", "non_selection")).count() == 2
    page.goto(f"{live_server.url}/cases/{good.pk}/")
    page.locator("#screening-outcome", has_text="140,000円").wait_for()
    page.locator("#screening-summary", has_text="1位").wait_for()
    check_a11y(page, "case_screening")
