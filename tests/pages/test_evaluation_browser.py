"""The evaluation in a real browser: a 評価委員 logs in, finds their assignment from ホーム's 評価 menu, declares no
conflict (an empty declaration first), scores with one score out of range (kept as typed, the error at its field),
saves a draft and submits; staff open the case's evaluation from the case page, assign a second evaluator (a tied
one refused at the form) and choose what is published. axe finds no WCAG 2.1 A/AA violation on any page visited."""
import datetime as dt

import pytest

from grants.evaluation.models import Assignment, Publication, Score
from tests import factories
from tests.evaluation.cast import assign, cast
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_evaluator_declares_and_scores_and_staff_assign_and_publish(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    c = cast()
    a = assign(c)
    log_in(page, live_server.url, c.evaluator.username)
    page.get_by_text("評価をお願いしている案件が1件あります。").wait_for()
    check_a11y(page, "evaluation_home_box")
    page.get_by_role("link", name="評価", exact=True).click()
    page.get_by_role("heading", name="評価（評価委員）").wait_for()
    check_a11y(page, "evaluation_home")
    page.get_by_role("link", name=c.case.reference).click()
    page.get_by_role("button", name="申告する").click()
    page.locator("#id_conflicted_error", has_text="どちらかを選んでください。").wait_for()
    check_a11y(page, "evaluation_declare_errors")
    page.get_by_label("利益相反はありません").check()
    page.get_by_role("button", name="申告する").click()
    done(page, "利益相反がないことを申告しました。")
    page.get_by_text("毎回の交流会が満員でした。").wait_for()
    check_a11y(page, "evaluation_case")
    page.get_by_label("目標の達成度の点数").fill("4")
    page.get_by_label("目標の達成度の講評").fill("目標を大きく上回りました。")
    page.get_by_label("事業の継続性の点数").fill("5")  # its 満点 is 3
    page.get_by_role("button", name="下書きを保存する").click()
    page.get_by_role("alert").wait_for()
    assert page.get_by_label("目標の達成度の講評").input_value() == "目標を大きく上回りました。"
    check_a11y(page, "evaluation_case_errors")
    page.get_by_label("事業の継続性の点数").fill("3")
    page.get_by_role("button", name="下書きを保存する").click()
    done(page, "下書きを保存しました。")
    page.get_by_label("地域への波及効果の点数").fill("4")
    page.get_by_role("button", name="評価を提出する").click()
    done(page, "評価を提出しました。")
    page.get_by_role("heading", name="提出した評価").wait_for()
    check_a11y(page, "evaluation_case_submitted")
    assert Assignment.objects.get(pk=a.pk).status == "submitted"

    factories.RepresentativeFactory(organization=c.org, user=c.evaluator2, name="評価 二郎", role="clerk",
                                    started_on=dt.date(2024, 4, 1))
    third = factories.UserFactory(username="hyoka3", role="evaluator", display_name="評価 三郎")
    log_in(page, live_server.url, c.staff.username)
    page.goto(f"{live_server.url}/cases/{c.case.pk}/")
    page.get_by_role("link", name="評価委員の割当と評価の結果").click()
    page.get_by_text("目標を大きく上回りました。").first.wait_for()
    check_a11y(page, "case_evaluation")
    page.get_by_label("評価委員（必須）").select_option(label="評価 二郎")
    page.get_by_label("相互評価").check()
    page.get_by_role("button", name="割り当てる").click()
    page.get_by_role("alert").wait_for()
    page.get_by_text("役員・利用者（現在または過去）のため").first.wait_for()
    check_a11y(page, "case_evaluation_assign_errors")
    page.get_by_label("評価委員（必須）").select_option(label=str(third))
    page.get_by_label("第三者評価").check()
    page.get_by_role("button", name="割り当てる").click()
    done(page, "評価 三郎さんに第三者評価を依頼しました。")
    page.get_by_label("評価点（評価項目ごとの平均点）を公表する").check()
    page.get_by_label("公表用の講評").fill("地域に根ざした事業です。")
    page.get_by_label("目標の達成度：目標を大きく上回りました。").check()
    page.get_by_role("button", name="公表の内容を決める").click()
    done(page, "評価結果の公表を決めました。")
    check_a11y(page, "case_evaluation_published")
    assert Publication.objects.get().publish_scores
    assert Score.objects.get(comment="目標を大きく上回りました。").comment_published
