"""The calls' services (grants.competitive.calls): drafting and changing a call with its criteria, publishing it
on the call's machine, and the year's rule and 費目 kept by staff until the first application is submitted.
Each refusal names its field and writes nothing."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.competitive import calls, panel, selection
from grants.competitive.calls import CallError, CriterionInput, ExpenseInput, StepInput
from grants.competitive.models import Call, CallStatus, Criterion
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.programmes.models import ExpenseRule, RepeatYearStep, Treatment
from tests.competitive import builders, steps

TODAY = timezone.localdate()
CRITERIA = [CriterionInput("公益性", "広く市民の利益になるか", 3, 5), CriterionInput("実現性", "", 2, 5)]


def values(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "市民活動交流事業補助金（第2次募集）", "label": "サンプル", "summary": "新しい公益的な事業",
        "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=30), "budget": 2_000_000,
        "documents": "申請書\n事業計画書", "presentation_on": None, "presentation_place": "", "min_members": 5,
        "require_based_in_city": True, "require_bylaws": True, "require_member_list": False,
        "requires_tax_report": True,
    }
    data.update(changes)
    return data


def rule(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"rate_numerator": 1, "rate_denominator": 2, "cap_amount": 2_000_000,
                               "deduct_income": False, "rounding_unit": 1000, "rounding_mode": "floor",
                               "max_project_years": None}
    data.update(changes)
    return data


def test_staff_drafts_a_call_with_its_criteria(shimin_year, staff):  # type: ignore[no-untyped-def]
    call = calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)
    assert (call.status, call.budget, call.created_by) == (CallStatus.DRAFT, 2_000_000, staff)
    assert list(call.criteria.values_list("name", "weight", "max_score", "order")) == [
        ("公益性", 3, 5, 0), ("実現性", 2, 5, 1)]
    assert AuditEvent.objects.for_object(call).get().action == "create_call"


def test_a_double_click_on_create_makes_one_call(shimin_year, staff):  # type: ignore[no-untyped-def]
    first = calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)
    again = calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)
    assert again.pk == first.pk
    assert Call.objects.count() == 1 and Criterion.objects.count() == 2


def test_another_call_of_the_same_title_in_the_year_is_refused_by_name(shimin_year, staff, staff2):  # type: ignore[no-untyped-def]
    calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)
    with pytest.raises(CallError, match="^募集の名称: この年度に同じ名称の募集があります"):
        calls.create_call(actor=staff2, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"closes_on": TODAY - dt.timedelta(days=1)}, "closes_on", "受付終了日: 受付開始日より後の日付にしてください。"),
    ({"title": "  "}, "title", "募集の名称: 入力してください。"),
    ({"budget": 0}, "budget", "予算額（円）: 1円以上の整数"),
    ({"budget": 1.5}, "budget", "予算額（円）: 1円以上の整数"),
    ({"min_members": 0}, "min_members", "団体の構成員数の下限（人）"),
    ({"opens_on": "2026-04-01"}, "opens_on", "受付開始日: 日付を入力してください。"),
])
def test_wrong_call_input_is_refused_naming_the_field_and_nothing_is_written(  # type: ignore[no-untyped-def]
        shimin_year, staff, changes, field, message):
    with pytest.raises(CallError, match=message) as refused:
        calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(**changes), criteria=CRITERIA)
    assert refused.value.field == field
    assert not Call.objects.exists() and not Criterion.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize(("rows", "message"), [
    ([CriterionInput("公益性"), CriterionInput("公益性")], "審査項目 2行目の審査項目: 「公益性」が2回あります"),
    ([CriterionInput("公益性", weight=0)], "審査項目 1行目の重み: 1〜100の整数"),
    ([CriterionInput("公益性", max_score=101)], "審査項目 1行目の満点: 1〜100の整数"),
    ([CriterionInput("")], "審査項目 1行目の審査項目: 60文字以内"),
])
def test_wrong_criteria_are_refused_naming_the_row(shimin_year, staff, rows, message):  # type: ignore[no-untyped-def]
    with pytest.raises(CallError, match=message):
        calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=rows)
    assert not Call.objects.exists()


@pytest.mark.parametrize("role", ["approver", "association_head", "panel", "finance"])
def test_only_staff_draft_a_call_and_nothing_is_written_for_others(shimin_year, role):  # type: ignore[no-untyped-def]
    from tests import factories

    user = factories.UserFactory(username=f"u-{role}", role=role)
    with pytest.raises(CallError, match="募集の作成は担当職員のみが行えます。"):
        calls.create_call(actor=user, programme_year_id=shimin_year.pk, values=values(), criteria=CRITERIA)
    assert not Call.objects.exists() and not AuditEvent.objects.exists()


def test_a_call_is_opened_only_for_a_competitive_programme(programme_year, staff):  # type: ignore[no-untyped-def]
    with pytest.raises(CallError, match="^年度: 市民活動交流事業補助金（公募）") as refused:
        calls.create_call(actor=staff, programme_year_id=programme_year.pk, values=values(), criteria=CRITERIA)
    assert refused.value.field == "programme_year"


def test_staff_change_a_draft_call_and_its_criteria_in_one_act(shimin_year, staff):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    kept = call.criteria.get(name="公益性")
    calls.update_call(actor=staff, call_id=call.pk, values=values(budget=800_000), criteria=[
        CriterionInput("公益性・必要性", "市民の役に立つか", 4, 10, pk=kept.pk), CriterionInput("発信力", "", 1, 5)])
    call.refresh_from_db()
    assert call.budget == 800_000
    assert list(call.criteria.values_list("pk", "name", "weight", "max_score")) == [
        (kept.pk, "公益性・必要性", 4, 10), (call.criteria.get(name="発信力").pk, "発信力", 1, 5)]
    note = AuditEvent.objects.for_object(call).get(action="update_call").note
    assert "予算額（円）" in note and "審査項目「先駆性」を削除" in note and "審査項目「発信力」" in note


def test_a_published_call_cannot_be_edited(open_call, staff):  # type: ignore[no-untyped-def]
    with pytest.raises(CallError, match="公開中の募集は変更できません。"):
        calls.update_call(actor=staff, call_id=open_call.pk, values=values(budget=1), criteria=CRITERIA)
    open_call.refresh_from_db()
    assert open_call.budget == 1_000_000 and open_call.criteria.count() == 4


def test_a_wrong_criterion_in_an_edit_leaves_the_call_as_it_was(shimin_year, staff):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    with pytest.raises(CallError):
        calls.update_call(actor=staff, call_id=call.pk, values=values(budget=5),
                          criteria=[CriterionInput("公益性"), CriterionInput("x", weight=0)])
    call.refresh_from_db()
    assert call.budget == 1_000_000 and call.criteria.count() == 4


def test_publish_is_refused_without_criteria(shimin_year, staff):  # type: ignore[no-untyped-def]
    call = calls.create_call(actor=staff, programme_year_id=shimin_year.pk, values=values(), criteria=[])
    with pytest.raises(CallError, match="審査項目を1つ以上登録してから公開してください。"):
        workflow.perform(calls.CALL, call.pk, "publish_call", actor=staff)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_publish_is_refused_without_the_years_expense_rules(shimin_year, staff):  # type: ignore[no-untyped-def]
    ExpenseRule.objects.filter(programme_year=shimin_year).delete()
    call = builders.call(shimin_year, staff, publish=False)
    with pytest.raises(CallError, match="費目の取扱い（対象・対象外・条件付き）を登録してから"):
        workflow.perform(calls.CALL, call.pk, "publish_call", actor=staff)
    assert Call.objects.get().status == CallStatus.DRAFT


def test_an_approver_cannot_publish_a_call(shimin_year, staff, approver):  # type: ignore[no-untyped-def]
    call = builders.call(shimin_year, staff, publish=False)
    with pytest.raises(CallError, match="募集の公開は担当職員のみが行えます。"):
        workflow.perform(calls.CALL, call.pk, "publish_call", actor=approver)
    assert Call.objects.get().status == CallStatus.DRAFT


def test_the_years_rule_and_its_steps_are_saved_with_what_changed(open_call, staff):  # type: ignore[no-untyped-def]
    year = calls.update_year_rule(actor=staff, call_id=open_call.pk, values=rule(max_project_years=3), steps=[
        StepInput(1, 1, 2, 200_000), StepInput(2, 1, 3, 100_000)])
    assert (year.rate_numerator, year.rate_denominator, year.cap_amount, year.max_project_years) == (1, 2, 2_000_000, 3)
    assert list(RepeatYearStep.objects.filter(programme_year=year).values_list(
        "from_year", "rate_numerator", "rate_denominator", "cap_amount")) == [(1, 1, 2, 200_000), (2, 1, 3, 100_000)]
    note = AuditEvent.objects.for_object(year).get(action="update_year_rule").note
    assert "補助率（分子） 2→1" in note and "補助率（分母） 3→2" in note
    assert "2年目から 2/3・上限100,000円→1年目から 1/2・上限200,000円、2年目から 1/3・上限100,000円" in note


@pytest.mark.parametrize(("changes", "step_rows", "message"), [
    ({"rate_numerator": 3}, [], "補助率（分子）: 分母以下にしてください"),
    ({"rounding_unit": 7}, [], "端数処理の単位（円）"),
    ({"max_project_years": 2}, [StepInput(3, 1, 2, None)], "1行目の適用する年目: 同一事業の補助の上限年数（2年）以内"),
    ({}, [StepInput(2, 1, 2, None), StepInput(2, 1, 3, None)], "2行目の適用する年目: 2年目が2回あります"),
    ({}, [StepInput(1, 3, 2, None)], "1行目の補助率（分子）: 分母以下"),
])
def test_a_wrong_rule_is_refused_naming_the_field_and_nothing_changes(open_call, staff, changes, step_rows, message):  # type: ignore[no-untyped-def]
    with pytest.raises(CallError, match=message):
        calls.update_year_rule(actor=staff, call_id=open_call.pk, values=rule(**changes), steps=step_rows)
    open_call.programme_year.refresh_from_db()
    assert open_call.programme_year.rate_numerator == 2
    assert RepeatYearStep.objects.filter(programme_year=open_call.programme_year).count() == 2
    assert not AuditEvent.objects.filter(action="update_year_rule").exists()


def test_the_rule_is_locked_once_an_application_is_submitted(open_call, npo, staff):  # type: ignore[no-untyped-def]
    steps.submitted(open_call, *npo)
    with pytest.raises(CallError, match="提出された申請があるため、交付基準は変更できません"):
        calls.update_year_rule(actor=staff, call_id=open_call.pk, values=rule(), steps=[])
    with pytest.raises(CallError, match="提出された申請があるため"):
        calls.update_expense_rules(actor=staff, call_id=open_call.pk, rules=[])
    assert RepeatYearStep.objects.filter(programme_year=open_call.programme_year).count() == 2


def test_a_draft_application_does_not_lock_the_rule(open_call, npo, staff):  # type: ignore[no-untyped-def]
    steps.draft(open_call, *npo)
    assert calls.rule_locked_reason(open_call.programme_year) is None


def test_only_staff_change_the_rule(open_call, approver):  # type: ignore[no-untyped-def]
    with pytest.raises(CallError, match="交付基準の変更は担当職員のみが行えます。"):
        calls.update_year_rule(actor=approver, call_id=open_call.pk, values=rule(), steps=[])
    assert open_call.programme_year.repeat_steps.count() == 2


def test_expense_rules_are_set_one_by_one_with_their_condition_or_reason(open_call, staff):  # type: ignore[no-untyped-def]
    cats = builders.categories()
    calls.update_expense_rules(actor=staff, call_id=open_call.pk, rules=[
        ExpenseInput(cats["shokuryohi"].pk, Treatment.EXCLUDED, reason="飲食は対象外です"),
        ExpenseInput(cats["hokenryo"].pk, ""),
        ExpenseInput(cats["hoshohi"].pk, Treatment.ALLOWED)])
    rules = {r.category.code: r for r in ExpenseRule.objects.filter(programme_year=open_call.programme_year)}
    assert (rules["shokuryohi"].treatment, rules["shokuryohi"].reason, rules["shokuryohi"].condition) == (
        Treatment.EXCLUDED, "飲食は対象外です", "")
    assert "hokenryo" not in rules
    note = AuditEvent.objects.get(action="update_expense_rules").note
    assert note == ("食糧費: 条件付きで対象（条件: 講師・出演者の飲み物代であること（参加者の飲食は対象外））→対象外（理由: 飲食は対象外です）"
                    "、保険料: 対象→設定なし")


@pytest.mark.parametrize(("treatment", "message"), [
    (Treatment.CONDITIONAL, "食糧費の条件: 条件付きで対象とするときは"),
    (Treatment.EXCLUDED, "食糧費の対象外の理由: 対象外とするときは"),
])
def test_a_conditional_or_excluded_expense_needs_its_words(open_call, staff, treatment, message):  # type: ignore[no-untyped-def]
    cats = builders.categories()
    with pytest.raises(CallError, match=message):
        calls.update_expense_rules(actor=staff, call_id=open_call.pk, rules=[
            ExpenseInput(cats["hokenryo"].pk, ""), ExpenseInput(cats["shokuryohi"].pk, treatment)])
    assert ExpenseRule.objects.filter(programme_year=open_call.programme_year).count() == 10


def test_a_call_whose_selection_went_to_the_approver_takes_no_more_applications(open_call, screened, staff):  # type: ignore[no-untyped-def]
    """The walk-through found 第1次募集 offered as 受付中 after its 採択 was decided: a late application could
    never be screened. The window closes when the selection goes to the approver."""
    assert open_call.is_open()
    lines = [{"case_id": r.plan.case_id, "selected": True, "amount": r.plan.case.applied_amount}
             for r in panel.ranking(open_call)]
    sel = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines)
    assert open_call.is_open()  # a draft selection does not close it
    workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)
    assert not open_call.is_open()
