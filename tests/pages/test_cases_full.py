"""The full-lifecycle case page up to the decision: 申請の概要, 収支予算書 (lines, 人件費 suggestions, computed
amount), 審査, 要件の確認 with overrides approved by a second person, and the decision's facts. Every new URL
answers 404 for another council's case and changes nothing."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle
from grants.cases.models import BudgetLine, EligibilityOverride, GrantCase, Status
from grants.core.fiscal import wareki
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.cases.steps import login
from tests.councils import builders
from tests.councils.helpers import line
from tests.councils.steps import post, today
from tests.factories import CURRENT_FY
from tests.pages.case_pages import decided, draft_with_lines, other_council_case, page, unchanged


def new_urls(case_pk: int) -> list[str]:
    return [
        reverse("case_application", args=[case_pk]),
        reverse("case_line_add", args=[case_pk, "budget"]),
        reverse("case_line_delete", args=[case_pk, "budget", 1]),
        reverse("case_staff_lines", args=[case_pk]),
        reverse("case_review", args=[case_pk]),
        reverse("case_override_approve", args=[case_pk, 1]),
        reverse("case_order_action", args=[case_pk, 1, "prepare"]),
        reverse("case_change_start", args=[case_pk]),
        reverse("case_change_submit", args=[case_pk]),
        reverse("case_change_check", args=[case_pk]),
        reverse("case_report", args=[case_pk]),
        reverse("case_receipt_add", args=[case_pk]),
        reverse("case_refund_receipt", args=[case_pk]),
        reverse("case_cancel", args=[case_pk]),
    ]


@pytest.mark.django_db
def test_every_new_page_answers_404_for_another_councils_case(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    other = other_council_case(katsudo, staff)
    before = AuditEvent.objects.count()
    login(client, council[1])
    assert client.get(reverse("case_detail", args=[other.pk])).status_code == 404
    for url in new_urls(other.pk):
        response = client.post(url, {"project_title": "乗っ取り", "project_start": "2026-05-01",
                                      "project_end": "2026-06-01", "description": "x", "amount": 1, "kind": "expense",
                                      "note": "x"})
        assert response.status_code == 404, url
    assert client.get(reverse("case_receipt", args=[other.pk, 1])).status_code == 404
    other.refresh_from_db()
    assert other.project_title == "地域づくり活動" and other.budget_lines.count() == 1
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_unknown_line_kind_and_order_act_are_404(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft_with_lines(katsudo, council, staff)
    login(client, staff)
    assert client.post(reverse("case_line_add", args=[case.pk, "ledger"]), {}).status_code == 404
    assert client.post(reverse("case_order_action", args=[case.pk, 999, "prepare"]), {}).status_code == 404
    assert client.get(reverse("case_application", args=[case.pk])).status_code == 405


@pytest.mark.django_db
def test_secretary_sees_application_budget_totals_computation_and_checks(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft_with_lines(katsudo, council, staff)
    line(case, council[1], kind="income", description="参加費", amount=50_000)
    line(case, council[1], category=cats["shokuryohi"], plan_item=builders.item(plan, "1-1-1"), amount=8_000,
         description="作業中の飲み物")
    html = page(login(client, council[1]), case)
    for text in ("申請の概要", "地域づくり活動", "収支予算書", "水路補修の原材料", "1-1-2 水路・道路の小規模補修",
                 "収入の合計", "50,000円", "支出の合計", "1,008,000円", "-958,000円",
                 "作業中の飲み物代であること（弁当・酒類は対象外）", "未確認", "食糧費（条件付きで対象）",
                 "交際費（対象外）", "収支予算による算定額", "均等割", "1,008,000円", "要件の確認",
                 "条件付きで対象になる費目です", "明細を追加する", "申請の概要を保存する"):
        assert text in html, text
    # A council does not get the staff's forms.
    assert "審査済にする（決裁へ回す）" not in html and "特例判断を記録する" not in html


@pytest.mark.django_db
def test_save_application_and_its_refusals(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft_with_lines(katsudo, council, staff)
    url = reverse("case_application", args=[case.pk])
    shown = post(login(client, council[1]), url, {"project_title": "防災と水路の事業",
                                                  "project_start": f"{CURRENT_FY}-04-01",
                                                  "project_end": f"{CURRENT_FY + 1}-03-31"})
    assert shown == ["申請の概要を保存しました。"]
    case.refresh_from_db()
    assert case.project_title == "防災と水路の事業" and case.project_start.isoformat() == f"{CURRENT_FY}-04-01"

    shown = post(client, url, {"project_title": "x", "project_start": f"{CURRENT_FY - 1}-04-01",
                               "project_end": f"{CURRENT_FY + 1}-03-31"})
    assert shown and shown[0].startswith("着手予定日:")
    # a form with errors comes back as typed, each error at its field (issue 15)
    body = client.post(url, {"project_title": "", "project_start": "いつか", "project_end": ""}).content.decode()
    assert 'id="application-project_title_error"' in body and 'value="いつか"' in body
    assert "日付を正しく入力" in body[body.index('id="application-project_start_error"'):]
    shown = post(login(client, approver), url, {"project_title": "決裁者の変更", "project_start": f"{CURRENT_FY}-04-01",
                                                "project_end": f"{CURRENT_FY + 1}-03-31"})
    assert shown == ["提出前の申請でのみ、申請者または担当者が入力できます。"]
    case.refresh_from_db()
    assert case.project_title == "防災と水路の事業"


@pytest.mark.django_db
def test_add_and_delete_budget_lines_through_the_form(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    shown = post(client, reverse("case_line_add", args=[case.pk, "budget"]), {
        "kind": "expense", "category": cats["shokuryohi"].pk, "plan_item": builders.item(plan, "1-1-1").pk,
        "description": "訓練中の飲み物", "amount": "12000", "spent_on": today().isoformat(),
        "condition_confirmed": "on"})
    assert shown == ["明細を追加しました。"]
    added = BudgetLine.objects.get(case=case, description="訓練中の飲み物")
    assert (added.amount, added.condition_confirmed, added.category, added.change_request) == (
        12_000, True, cats["shokuryohi"], None)
    assert "確認済" in page(client, case)

    shown = post(client, reverse("case_line_delete", args=[case.pk, "budget", added.pk]))
    assert shown == ["明細を削除しました。"]
    assert not BudgetLine.objects.filter(pk=added.pk).exists()


@pytest.mark.django_db
def test_line_form_refusals_name_the_field(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, cats = draft_with_lines(katsudo, council, staff)
    other_plan = other_council_case(katsudo, staff).organization.plans.get()
    url = reverse("case_line_add", args=[case.pk, "budget"])
    login(client, council[1])
    today = timezone.localdate().isoformat()
    assert post(client, url, {"kind": "expense", "description": "費目なし", "amount": "1000", "spent_on": today}) == [
        "費目: 支出の明細には費目を選んでください。"]
    assert post(client, url, {"kind": "expense", "category": cats["hoshohi"].pk, "description": "他の協議会の取組",
                              "amount": "1000", "plan_item": builders.item(other_plan, "1-1-1").pk,
                              "spent_on": today}) == ["計画の施策・取組: 選択肢の中から選んでください。"]
    shown = post(client, url, {"kind": "expense", "category": cats["hoshohi"].pk, "description": "x",
                               "amount": "1,000", "spent_on": today})
    assert shown == ["金額（円）: 半角数字（円単位の整数）で入力してください。"]
    shown = post(client, url, {"kind": "expense", "category": cats["hoshohi"].pk, "description": "日付なし",
                               "amount": "1000"})
    assert shown == ["支出（予定）日: 支出の明細には支出（予定）日を入力してください。"]
    assert case.budget_lines.count() == 2


@pytest.mark.django_db
def test_lines_cannot_be_added_after_submission(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, cats = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    shown = post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED, shown
    shown = post(client, reverse("case_line_add", args=[case.pk, "budget"]),
                 {"kind": "expense", "category": cats["hoshohi"].pk, "description": "追加", "amount": "1000",
                  "spent_on": timezone.localdate().isoformat()})
    assert shown == ["提出前の申請でのみ収支予算を変更できます。"]
    assert "明細を追加する" not in page(client, case)


@pytest.mark.django_db
def test_staff_lines_are_suggested_and_added_for_unei(client, council, unei, staff, approver) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    builders.approved_plan(org, staff)
    person = builders.staff_member(org, secretary)  # 207,000 a month
    case = builders.draft_case(unei, org)
    html = page(login(client, secretary), case)
    months = person.months_in(unei.fiscal_year)
    assert "事務局員の人件費を明細に追加する" in html and f"{person.cost_in(unei.fiscal_year):,}円" in html
    assert post(client, reverse("case_staff_lines", args=[case.pk])) == ["事務局員の人件費の明細を追加しました。"]
    added = case.budget_lines.get()
    assert (added.staff, added.amount, added.category.is_staff_cost) == (person, 207_000 * months, True)
    assert added.description == f"事務局員 佐藤 花子 人件費（{months}か月）"

    shown = post(login(client, approver), reverse("case_staff_lines", args=[case.pk]))
    assert shown == ["収支の明細を入力する権限がありません。"]
    assert case.budget_lines.count() == 1


@pytest.mark.django_db
def test_staff_lines_refused_without_staff_records(client, council, unei, staff) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    case = builders.draft_case(unei, org)
    html = page(login(client, secretary), case)
    assert "今年度に雇用している事務局員が登録されていません。" in html
    assert post(client, reverse("case_staff_lines", args=[case.pk])) == [
        "事務局員: 今年度に雇用している事務局員が登録されていません。"]
    assert not case.budget_lines.exists()


@pytest.mark.django_db
def test_generic_submit_and_staff_review_form(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, plan, _ = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.applied_amount == 1_000_000

    html = page(login(client, staff), case)
    assert "審査" in html and 'name="assessed_amount"' in html and 'value="1000000"' in html
    assert 'data-action="verify"' not in html  # the generic button is replaced by the form
    deadline = f"{CURRENT_FY + 1}-02-28"
    shown = post(client, reverse("case_review", args=[case.pk]), {
        "assessed_amount": "900000", "conditions": "広報紙で周知すること", "completion_deadline": deadline,
        "note": "講師謝礼を減額"})
    assert shown == ["審査済にしました。決裁者が交付決定します。"]
    case.refresh_from_db()
    assert (case.status, case.assessed_amount, case.decision_conditions, case.plan) == (
        Status.VERIFIED, 900_000, "広報紙で周知すること", plan)
    assert case.completion_deadline.isoformat() == deadline
    html = page(client, case)
    assert "交付決定の案（審査の結果）" in html and "900,000円" in html and f'href="/councils/plans/{plan.pk}/"' in html


@pytest.mark.django_db
def test_review_refusals(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    case.refresh_from_db()
    events = AuditEvent.objects.for_object(case).count()
    url = reverse("case_review", args=[case.pk])
    data = {"assessed_amount": "1000001", "conditions": "", "completion_deadline": f"{CURRENT_FY + 1}-03-31"}
    assert post(client, url, data) == ["この操作を行う権限がありません。"]
    login(client, staff)
    assert post(client, url, data) == [
        "査定額は1円以上、1,000,000円（申請額と対象経費による算定額の低い方）以下にしてください。"]
    assert post(client, url, {**data, "assessed_amount": "900000"}) == [
        "申請額より低い額で査定するときは、理由を備考に入力してください。"]
    # a form with errors comes back as typed, each error at its field (issue 15)
    response = client.post(url, {**data, "assessed_amount": "", "completion_deadline": "", "conditions": "周知"})
    body = response.content.decode()
    assert response.status_code == 200 and not list(response.context["messages"])
    assert 'id="verify-assessed_amount_error"' in body and 'id="verify-completion_deadline_error"' in body
    assert re.search(r'aria-describedby="[^"]*verify-assessed_amount_error"', body) and "周知</textarea>" in body
    assert unchanged(case, events)


@pytest.mark.django_db
def test_override_is_pending_until_another_person_approves_it(client, council, katsudo, staff, staff2,
                                                               approver) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft_with_lines(katsudo, council, staff)
    bad = line(case, council[1], category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=20_000,
               description="来賓への手土産")
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    code = f"category@b{bad.pk}"
    html = page(login(client, staff), case)
    assert f'value="{code}"' in html and "「交際費」はこの交付金の対象外の費目です（交際費は交付金の対象になりません）。" in html

    shown = post(client, reverse("override_check", args=[case.pk]),
                 {"check_code": code, "justification": "地域の慣行として必要と認める"})
    assert shown == ["特例判断を記録しました。別の担当者または決裁者が承認すると、要件を満たしたものとして扱います。"]
    override = EligibilityOverride.objects.get(case=case, check_code=code)
    html = page(client, case)
    assert "承認待ちの特例判断" in html and "不適合（特例判断の承認待ち）" in html
    assert "判断した方は承認できません。" in html
    assert post(client, reverse("case_override_approve", args=[case.pk, override.pk])) == [
        "特例判断をした方は、同じ判断を承認できません。別の職員が承認してください。"]
    override.refresh_from_db()
    assert override.approved_by is None

    assert post(login(client, council[1]), reverse("case_override_approve", args=[case.pk, override.pk])) == [
        "特例判断を承認する権限がありません。"]
    assert post(login(client, staff2), reverse("case_override_approve", args=[case.pk, override.pk])) == [
        "特例判断を承認しました。"]
    override.refresh_from_db()
    assert override.approved_by == staff2
    html = page(client, case)
    assert "承認済みの特例判断" in html and "特例で適合" in html
    assert "staff 担当" in html and "staff2 担当" in html  # both names on the record


@pytest.mark.django_db
def test_override_of_a_check_that_passed_is_refused(client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    response = login(client, staff).post(reverse("override_check", args=[case.pk]),
                                         {"check_code": "bank_account", "justification": "x"})
    # the page again (a check that passed is not among the choices, so there is no form to show it in)
    assert response.status_code == 200 and "不適合の項目を特例として扱う" not in response.content.decode()
    assert not EligibilityOverride.objects.exists()


@pytest.mark.django_db
def test_decision_through_generic_button_shows_facts_orders_and_notice(client, council, katsudo, staff,
                                                                       approver) -> None:  # type: ignore[no-untyped-def]
    builders.instalments(katsudo, [(1, 2)])
    case, plan, _ = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    login(client, staff)
    post(client, reverse("case_review", args=[case.pk]), {
        "assessed_amount": "1000000", "conditions": "事業の内容を広報紙で周知すること",
        "completion_deadline": f"{CURRENT_FY + 1}-03-31"})
    # The verifier has no decide button; the approver decides with the generic button.
    assert 'data-action="decide"' not in page(client, case)
    shown = post(login(client, approver), reverse("case_action", args=[case.pk, "decide"]), {"note": ""})
    case.refresh_from_db()
    assert case.status == Status.DECIDED and case.decided_amount == 1_000_000, shown
    html = page(client, case)
    for text in ("交付決定額", "1,000,000円", "事業の内容を広報紙で周知すること", wareki(dt.date(CURRENT_FY + 1, 3, 31)),
                 f'href="/councils/plans/{plan.pk}/"', "概算払・精算払", "概算払 第1回", "500,000円", "交付決定通知書",
                 'id="report"', "提出期限"):
        assert text in html, text
    assert Notice.objects.filter(case=case, kind="decision").count() == 1


@pytest.mark.django_db
def test_refuse_through_generic_button_shows_not_granted(client, council, katsudo, staff, approver) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft_with_lines(katsudo, council, staff)
    login(client, council[1])
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    post(login(client, staff), reverse("case_review", args=[case.pk]), {
        "assessed_amount": "1000000", "completion_deadline": f"{CURRENT_FY + 1}-03-31"})
    assert post(login(client, approver), reverse("case_action", args=[case.pk, "refuse"]), {"note": ""}) == [
        "理由を入力してください。"]
    post(client, reverse("case_action", args=[case.pk, "refuse"]), {"note": "計画との関係が不明確"})
    case.refresh_from_db()
    assert case.status == Status.NOT_GRANTED
    html = page(client, case)
    assert "不交付決定" in html and 'id="report"' not in html


@pytest.mark.django_db
def test_decided_case_page_for_every_role(client, council, katsudo, staff, approver, finance, auditor) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    for user in (council[1], staff, approver, finance, auditor):
        html = page(login(client, user), case)
        assert "交付決定" in html and "概算払 第1回" in html
    html = page(login(client, auditor), case)
    assert "起票する" not in html and "変更承認申請を作成する" not in html and "取り消す" not in html


# Regressions found while building the council pages: override carried into a change, decision after a plan
# revision, 額の確定 while a bank result is unknown.


def test_regression_review_form_shows_what_the_eligible_lines_justify(world, client):  # type: ignore[no-untyped-def]
    """The 審査 help names 「要件を満たした明細による算定額」: the page shows it, and proposes the lower amount."""
    case = builders.draft_case(world.py, world.org)
    line(case, world.secretary, category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=300_000)
    line(case, world.secretary, category=world.cats["kosaihi"], plan_item=builders.item(world.plan, "1-1-1"),
         amount=10_000, description="記念品")
    lifecycle.submit(case_id=case.pk, actor=world.secretary)
    client.force_login(world.staff)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert '<dd id="eligible-computed">300,000円</dd>' in html
    assert 'value="300000"' in html  # the proposed 査定額


@pytest.mark.django_db
def test_an_ineligible_line_is_left_out_of_the_amount_with_its_reason_and_the_review_goes_on(
        client, council, katsudo, staff) -> None:  # type: ignore[no-untyped-def]
    """Issue 15: the 補助対象経費 no longer counts the 対象外 line its own label excludes, the page says which line is
    left out and why, and one such line does not stop the 審査."""
    case, plan, cats = draft_with_lines(katsudo, council, staff)
    line(case, council[1], category=cats["kosaihi"], plan_item=builders.item(plan, "1-1-1"), amount=20_000,
         description="来賓への記念品")
    html = page(login(client, council[1]), case)
    assert 'id="computed-amount">1,000,000円' in html  # 600,000 + 400,000, not 1,020,000
    excluded = html[html.index('id="excluded-lines"'):]
    excluded = excluded[:excluded.index("</table>")]
    assert "来賓への記念品" in excluded and "「交際費」はこの交付金の対象外の費目です" in excluded
    assert "水路補修の原材料" not in excluded
    assert "対象外（補助対象経費から除きます）" in html
    post(client, reverse("case_action", args=[case.pk, "submit"]), {"note": ""})
    login(client, staff)
    assert post(client, reverse("case_review", args=[case.pk]), {
        "assessed_amount": "1000000", "conditions": "", "completion_deadline": f"{CURRENT_FY + 1}-03-31",
        "note": ""}) == ["審査済にしました。決裁者が交付決定します。"]
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.assessed_amount == 1_000_000
