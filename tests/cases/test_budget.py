"""Exact yen of a council case's amount (GRANTS.md §3): the engine's STAFF_COST / ACTUAL_COST / COST-basis rules
against the published vectors, project income at verification and at the report, and the budget lines' refusals.

Every expected number is computed by hand in a comment next to it; the steps and the rate are in
tests/cases/money.py."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import budget, lifecycle
from grants.cases.workflows import CaseActionError
from grants.ledger.models import OrderKind
from grants.programmes.engine import compute
from grants.programmes.models import AmountBasis, ComponentKind, FormulaComponent, Programme, ProgrammeYear
from tests.cases.world import make_world, new_case
from tests.councils import builders
from tests.councils.builders import COUNCIL_CHECKS
from tests.councils.helpers import line
from tests.councils.steps import draft
from tests.factories import CURRENT_FY


def _rule(code: str, basis: str = AmountBasis.COST, components: tuple[tuple[str, int], ...] = (),
          **fields: object) -> ProgrammeYear:
    programme = Programme.objects.create(code=code, name=code, recipient_kind="kyogikai", workflow="full",
                                         checks=COUNCIL_CHECKS)
    py = ProgrammeYear.objects.create(
        programme=programme, fiscal_year=CURRENT_FY, base_date=dt.date(CURRENT_FY, 4, 1),
        application_opens=dt.date(CURRENT_FY, 4, 1), application_closes=dt.date(CURRENT_FY + 1, 3, 31),
        amount_basis=basis, **fields)
    for order, (kind, unit) in enumerate(components):
        FormulaComponent.objects.create(programme_year=py, order=order, kind=kind, label=kind, unit_amount=unit)
    return py


@pytest.mark.django_db
def test_hamamatsu_half_of_eligible_cost_rounded_down_to_thousands() -> None:
    rule = _rule("hamamatsu", rate_numerator=1, rate_denominator=2, cap_amount=2_000_000, rounding_unit=1000)
    result = compute(rule, {"eligible_cost": 1_234_567})
    # 1,234,567 × 1/2 = 617,283.5 → 617,283 (円未満切捨て) → 617,000 (千円未満切捨て)
    assert result.amount == 617_000
    assert [(line.label, line.amount) for line in result.lines] == [
        ("補助対象経費", 1_234_567), ("補助率", 617_283), ("端数処理", 617_000), ("交付額", 617_000)]
    # the cap: 5,000,000 × 1/2 = 2,500,000 → cap 2,000,000
    assert compute(rule, {"eligible_cost": 5_000_000}).amount == 2_000_000


@pytest.mark.django_db
def test_sammu_eligible_cost_less_income_with_cap() -> None:
    rule = _rule("sammu", deduct_income=True, cap_amount=300_000)
    # min(250,000, 250,000 − 40,000) = 210,000
    assert compute(rule, {"eligible_cost": 250_000, "income": 40_000}).amount == 210_000
    # min(400,000, 360,000) = 360,000 → cap 300,000
    assert compute(rule, {"eligible_cost": 400_000, "income": 40_000}).amount == 300_000
    # income above the cost: nothing is granted
    assert compute(rule, {"eligible_cost": 30_000, "income": 40_000}).amount == 0


@pytest.mark.django_db
def test_rate_half_rounds_each_yen_down() -> None:
    rule = _rule("half", rate_numerator=1, rate_denominator=2)
    assert compute(rule, {"eligible_cost": 1_001}).amount == 500  # 500.5 → 500
    assert compute(rule, {"eligible_cost": 1}).amount == 0  # 0.5 → 0


@pytest.mark.django_db
def test_formula_limits_the_cost_basis() -> None:
    rule = _rule("katsudo", components=((ComponentKind.FLAT, 2_000_000), (ComponentKind.PER_HOUSEHOLD, 100)))
    # limit = 2,000,000 + 100 × 3,000 = 2,300,000
    assert compute(rule, {"eligible_cost": 2_500_000, "households": 3_000}).amount == 2_300_000
    assert compute(rule, {"eligible_cost": 1_500_000, "households": 3_000}).amount == 1_500_000


@pytest.mark.django_db
def test_staff_cost_per_person_and_running_costs_with_their_limits() -> None:
    rule = _rule("unei", AmountBasis.FORMULA,
                 ((ComponentKind.STAFF_COST, 2_400_000), (ComponentKind.ACTUAL_COST, 600_000)))
    result = compute(rule, {"staff_costs": [2_484_000, 1_800_000], "running_costs": 700_000})
    # min(2,400,000, 2,484,000) + min(2,400,000, 1,800,000) = 4,200,000; min(600,000, 700,000) = 600,000
    assert [line.amount for line in result.lines[:2]] == [4_200_000, 600_000]
    assert result.amount == 4_800_000
    assert compute(rule, {"staff_costs": [], "running_costs": 550_000}).amount == 550_000


def test_case_amount_adds_each_persons_lines_before_the_standard(council, unei, staff, staff2, approver, finance,  # type: ignore[no-untyped-def]
                                                                  finance2, auditor):
    w = make_world(council, unei, staff, staff2, approver, finance, finance2, auditor)
    first = builders.staff_member(w.org, w.secretary)
    second = builders.staff_member(w.org, w.secretary, name="鈴木 一郎")
    case = builders.draft_case(unei, w.org, start=dt.date(CURRENT_FY, 4, 1))
    day = dt.date(CURRENT_FY, 4, 1)
    for person, amount in ((first, 1_300_000), (first, 1_184_000), (second, 1_000_000)):
        line(case, w.secretary, category=w.cats["jinkenhi"], staff=person, amount=amount, spent_on=day,
             description="人件費")
    line(case, w.secretary, category=w.cats["kounetsu"], amount=650_000, spent_on=day, description="光熱水費")
    result = budget.compute_amount(case, budget.current_lines(case))
    # 佐藤: 1,300,000 + 1,184,000 = 2,484,000 → 2,400,000; 鈴木: 1,000,000; running min(600,000, 650,000)
    # = 600,000 → 2,400,000 + 1,000,000 + 600,000 = 4,000,000
    assert result.amount == 4_000_000


def test_case_amount_deducts_project_income(council, staff, staff2, approver, finance, finance2, auditor):  # type: ignore[no-untyped-def]
    py = builders.katsudo_year(deduct_income=True)
    w = make_world(council, py, staff, staff2, approver, finance, finance2, auditor)
    case = new_case(w, 500_000)
    line(case, w.secretary, kind="income", amount=120_000, description="参加費収入")
    # min(500,000 × 10/10, 500,000 − 120,000, 2,000,000) = 380,000
    assert budget.compute_amount(case, budget.current_lines(case)).amount == 380_000


def test_regression_project_income_is_deducted_at_verification_and_at_the_report(  # type: ignore[no-untyped-def]
        council, staff, staff2, approver, finance, finance2, auditor):
    """COST basis with 事業収入の控除: income lines count at every stage, not only at the application. They used
    to be dropped with the expense lines that failed a check (``eligible_lines`` kept expense lines only), so
    審査 and 実績審査 computed the amount without deducting income."""
    py = builders.katsudo_year(deduct_income=True)
    w = make_world(council, py, staff, staff2, approver, finance, finance2, auditor)
    case = new_case(w, 500_000)
    line(case, w.secretary, kind="income", amount=120_000, description="参加費収入")
    lifecycle.submit(case_id=case.pk, actor=w.secretary)
    case.refresh_from_db()
    assert case.applied_amount == 380_000  # min(500,000, 500,000 − 120,000)
    with pytest.raises(CaseActionError, match="380,000円"):
        lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=500_000, completion_deadline=w.deadline())
    case = lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=380_000,
                            completion_deadline=w.deadline())
    assert case.computed_amount == 380_000
    lifecycle.decide(case_id=case.pk, actor=w.approver)

    lifecycle.save_report(case_id=case.pk, actor=w.secretary, narrative="実施", completed_on=timezone.localdate())
    line(case, w.secretary, where="report", category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"),
         amount=500_000, description="原材料（実績）")
    line(case, w.secretary, where="report", kind="income", amount=200_000, description="参加費収入（実績）")
    lifecycle.submit_report(case_id=case.pk, actor=w.secretary)
    case = lifecycle.verify_report(case_id=case.pk, actor=w.staff)
    # justified = min(500,000, 500,000 − 200,000) = 300,000; confirmed = min(380,000, 300,000) = 300,000
    assert case.justified_amount == 300_000
    case = lifecycle.confirm(case_id=case.pk, actor=w.approver)
    assert case.confirmed_amount == 300_000
    assert case.payment_orders.get(kind=OrderKind.SETTLEMENT).amount == 300_000


# Bad input in every form of the council pages: amounts that are negative, huge, not integers or in other
# digits; dates outside the 年度 or at the end of the calendar; empty, very long or control-character texts;
# HTML in every text (escaped in pages and notices); and rows of another council or programme-year posted
# directly. The page always answers (never a 500), names the field, and writes nothing.


@pytest.fixture
def drafted(katsudo, council, staff):  # type: ignore[no-untyped-def]
    return draft(katsudo, council, staff)


@pytest.mark.django_db
def test_service_refuses_descriptions_the_form_would_stop(council, drafted) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    for description in ("", "x" * 10_000):
        with pytest.raises(budget.LineError, match="内容"):
            budget.add_line(case_id=case.pk, actor=council[1], where="budget",
                            data={"kind": "expense", "category": cats["genzairyo"], "description": description,
                                  "amount": 1})
    for amount in (True, 1.0, "1", -5, 0, 10**12):
        with pytest.raises(budget.LineError, match="金額"):
            budget.add_line(case_id=case.pk, actor=council[1], where="budget",
                            data={"kind": "expense", "category": cats["genzairyo"], "description": "x",
                                  "amount": amount})


@pytest.mark.django_db
def test_service_refuses_rows_of_another_council_posted_past_the_form(council, council_b, staff, unei, drafted) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = drafted
    other_plan = builders.approved_plan(council_b[0], staff)
    from grants.programmes.models import ActivityPurpose

    base = {"kind": "expense", "category": cats["genzairyo"], "description": "x", "amount": 1}
    for extra, match in (
        ({"plan_item": builders.item(other_plan, "1-1-1")}, "計画の取組"),
        ({"purpose": ActivityPurpose.objects.create(programme_year=unei, name="運営")}, "活動の目的"),
        ({"staff": builders.staff_member(council_b[0], council_b[1])}, "事務局員"),
        ({"category": "genzairyo"}, "費目"),
    ):
        with pytest.raises(budget.LineError, match=match):
            budget.add_line(case_id=case.pk, actor=council[1], where="budget", data={**base, **extra})
