"""Targets in the application and results with 自己評価 in the 実績報告 (grants.evaluation.targets): required when
the programme-year evaluates, refused row by row and field by field with nothing written, open only while the
application (or the report) may be written, and never to another group."""
from decimal import Decimal

import pytest

from grants.cases import lifecycle
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.evaluation import targets
from grants.evaluation.machines import EvaluationError
from grants.evaluation.models import Indicator, SelfAssessment
from grants.evaluation.targets import EvaluationInputError, ResultRow, SelfScore, TargetRow
from tests.councils.helpers import decide
from tests.councils.steps import decided, draft
from tests.evaluation.targets_world import answer, criteria, decided_with_targets, report_lines, with_targets


@pytest.mark.django_db
def test_an_application_without_targets_is_refused_when_the_year_evaluates(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    before = AuditEvent.objects.count()
    with pytest.raises(CaseActionError, match="目標と指標: 1つ以上入力して保存してから"):
        lifecycle.submit(case_id=case.pk, actor=council[1])
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.submitted_at is None and AuditEvent.objects.count() == before
    with_targets(case, council[1])
    lifecycle.submit(case_id=case.pk, actor=council[1])
    assert GrantCase.objects.get(pk=case.pk).status == Status.SUBMITTED


@pytest.mark.django_db
def test_a_year_without_criteria_asks_nothing(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    assert not targets.evaluates(case)
    lifecycle.submit(case_id=case.pk, actor=council[1])
    with pytest.raises(EvaluationError, match="評価項目がない"):
        with_targets(GrantCase.objects.get(pk=case.pk), council[1])


@pytest.mark.django_db
def test_targets_are_saved_in_order_and_replaced_and_audited(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with_targets(case, council[1])
    assert [(i.order, i.name, i.unit, i.baseline, i.target) for i in case.indicators.order_by("order")] == [
        (1, "講座の参加者数", "人", Decimal("40"), Decimal("100")), (2, "放置竹林の面積", "㎡", Decimal("500"),
                                                                      Decimal("200"))]
    with_targets(case, staff, [TargetRow(" 清掃の回数 ", "回", None, Decimal("12.5"))])
    assert list(case.indicators.values_list("name", "baseline", "target")) == [("清掃の回数", None, Decimal("12.5"))]
    assert AuditEvent.objects.filter(action="save_targets").count() == 2


@pytest.mark.django_db
def test_bad_targets_are_refused_row_by_row_and_nothing_is_written(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with_targets(case, council[1])
    before = AuditEvent.objects.count()
    bad = [TargetRow("参加者数", "人", None, Decimal("100")),
           TargetRow("", "", Decimal("-1"), None),
           TargetRow("x" * 101, "回", Decimal("1.234"), Decimal("99999999999"))]
    with pytest.raises(EvaluationInputError) as refused:
        with_targets(case, council[1], bad)
    assert refused.value.errors == {
        ("target", 1, "name"): ["入力してください。"], ("target", 1, "unit"): ["入力してください。"],
        ("target", 1, "baseline"): ["0以上の数値を入力してください。"], ("target", 1, "target"): ["入力してください。"],
        ("target", 2, "name"): ["100文字以内で入力してください。"],
        ("target", 2, "baseline"): ["小数点以下は2桁までで入力してください。"],
        ("target", 2, "target"): ["9,999,999,999.99以下の数値を入力してください。"],
    }
    assert "2行目 指標名: 入力してください。" in str(refused.value)
    assert "3行目 目標値: 9,999,999,999.99以下の数値を入力してください。" in str(refused.value)
    assert [i.name for i in case.indicators.order_by("order")] == ["講座の参加者数", "放置竹林の面積"]
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_no_rows_and_too_many_rows_are_refused(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with pytest.raises(EvaluationInputError) as none:
        with_targets(case, council[1], [])
    assert none.value.errors == {("target", 0, "name"): [targets.NO_TARGETS]}
    many = [TargetRow(f"指標{n}", "件", None, Decimal(n)) for n in range(targets.MAX_INDICATORS + 1)]
    with pytest.raises(EvaluationInputError, match="20件までです"):
        with_targets(case, council[1], many)
    assert not Indicator.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_another_groups_case_is_not_found_and_unchanged(katsudo, council, council_b, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with_targets(case, council[1])
    with pytest.raises(GrantCase.DoesNotExist):
        with_targets(case, council_b[1], [TargetRow("乗っ取り", "件", None, Decimal("1"))])
    with pytest.raises(GrantCase.DoesNotExist):
        targets.save_results(case_id=case.pk, actor=council_b[1], results=[], scores=[])
    assert case.indicators.count() == 2


@pytest.mark.django_db
def test_targets_are_closed_once_the_application_is_submitted(katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    with_targets(case, council[1])
    lifecycle.submit(case_id=case.pk, actor=council[1])
    for actor in (council[1], staff):
        with pytest.raises(EvaluationError):
            with_targets(case, actor, [TargetRow("後から", "件", None, Decimal("1"))])
    assert case.indicators.count() == 2


@pytest.mark.django_db
def test_the_report_needs_every_result_and_self_score(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    found = criteria(katsudo)
    case, plan, cats = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    report_lines(case, plan, cats, council[1])
    with pytest.raises(CaseActionError, match="各指標の実績値・自己評価の点数を入力して保存してから"):
        lifecycle.submit_report(case_id=case.pk, actor=council[1])
    assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED
    answer(case, council[1], found)
    lifecycle.submit_report(case_id=case.pk, actor=council[1])
    assert GrantCase.objects.get(pk=case.pk).status == Status.REPORTED
    assert list(case.indicators.order_by("order").values_list("result", "result_note")) == [
        (Decimal("120"), "毎回満員でした。"), (Decimal("300"), "半分ほど整備しました。")]
    assert dict(SelfAssessment.objects.filter(case=case).values_list("criterion__name", "score")) == {
        "目標の達成度": 4, "地域への波及効果": 3}


@pytest.mark.django_db
def test_bad_results_are_refused_at_their_rows_and_nothing_is_written(katsudo, council, council_b, staff,  # type: ignore[no-untyped-def]
                                                                      approver) -> None:
    found = criteria(katsudo)
    case, _, _ = draft(katsudo, council, staff)
    decided_with_targets(case, council[1], staff, approver)
    first, second = case.indicators.order_by("order")
    # Another case's indicator: its row is ignored, so this case's second indicator is still missing.
    other, _, _ = draft(katsudo, council_b, staff)
    foreign = Indicator.objects.create(case=other, order=1, name="他団体", unit="件", target=Decimal("1"))
    before = AuditEvent.objects.count()
    with pytest.raises(EvaluationInputError) as refused:
        targets.save_results(case_id=case.pk, actor=council[1],
                             results=[ResultRow(first.pk, Decimal("-3"), ""),
                                      ResultRow(foreign.pk, Decimal("5"), "")],
                             scores=[SelfScore(found[0].pk, 6, ""), SelfScore(found[2].pk, 1, "")])
    assert refused.value.errors == {
        ("result", 0, "result"): ["0以上の数値を入力してください。"], ("result", 1, "result"): ["入力してください。"],
        ("self", 0, "score"): ["1から5までの点数を選んでください。"], ("self", 1, "score"): ["点数を選んでください。"],
    }
    text = str(refused.value)
    assert "1行目（講座の参加者数） 実績値: 0以上の数値を入力してください。" in text
    assert "自己評価「地域への波及効果」 点数: 点数を選んでください。" in text
    assert not Indicator.objects.filter(case=case, result__isnull=False).exists()
    assert not SelfAssessment.objects.exists() and foreign.result is None
    assert AuditEvent.objects.count() == before
    assert second.result is None


@pytest.mark.django_db
def test_results_are_closed_before_the_decision_and_after_the_report(katsudo, council, staff, approver) -> None:  # type: ignore[no-untyped-def]
    found = criteria(katsudo)
    case, plan, cats = draft(katsudo, council, staff)
    with_targets(case, council[1])
    with pytest.raises(EvaluationError):
        answer(case, council[1], found)
    decide(case, council[1], staff, approver)
    report_lines(case, plan, cats, council[1])
    answer(case, council[1], found)
    lifecycle.submit_report(case_id=case.pk, actor=council[1])
    with pytest.raises(EvaluationError):
        answer(case, council[1], found, scores=(1, 1))
    assert SelfAssessment.objects.get(case=case, criterion=found[0]).score == 4


@pytest.mark.django_db
def test_a_case_applied_for_before_the_criteria_reports_its_self_evaluation_only(katsudo, council, staff,  # type: ignore[no-untyped-def]
                                                                                  approver) -> None:
    case, plan, cats = decided(katsudo, council, staff, approver)
    found = criteria(katsudo)
    report_lines(case, plan, cats, council[1])
    with pytest.raises(CaseActionError, match="自己評価の点数"):
        lifecycle.submit_report(case_id=case.pk, actor=council[1])
    targets.save_results(case_id=case.pk, actor=council[1], results=[],
                         scores=[SelfScore(c.pk, 3, "") for c in found if c.used_for_self])
    lifecycle.submit_report(case_id=case.pk, actor=council[1])
    assert GrantCase.objects.get(pk=case.pk).status == Status.REPORTED


def test_rows_name_their_fields_in_japanese() -> None:
    error = EvaluationInputError({("target", 0, "target"): ["入力してください。"]})
    assert str(error) == "1行目 目標値: 入力してください。"
