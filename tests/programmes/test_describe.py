"""describe_rule: a rule read aloud for a public page, from the same data the engine computes with — the published
examples of GRANTS.md §4 (浜松市, 大和高田市, 山武市, 下松市, 長浜市) and the shapes between them."""
import pytest

from grants.core.money import RoundingMode
from grants.programmes.describe import describe_rule, year_spans
from grants.programmes.engine import load_rule
from grants.programmes.models import (
    AmountBasis,
    ComponentBand,
    ComponentKind,
    CostBand,
    FormulaComponent,
    RepeatYearStep,
)
from tests import factories
from tests.organizations.builders import per_unit
from tests.programmes.test_engine import (
    banded_cost_rule,
    cost_rule,
    hamamatsu,
    kudamatsu,
    nagahama,
    sammu,
    yamato_takada,
)

pytestmark = pytest.mark.django_db


def test_hamamatsu_rate_cap_and_rounding() -> None:
    assert describe_rule(load_rule(hamamatsu().pk)) == [
        "補助対象経費の1/2を補助します。", "上限額は2,000,000円です。", "1,000円未満は切り捨てます。"]


def test_yamato_takada_cap_by_year_and_year_limit() -> None:
    assert describe_rule(load_rule(yamato_takada().pk)) == [
        "補助対象経費の2/3を補助します。",
        "上限額は1年目150,000円、2〜3年目100,000円です。",
        "同一の事業への補助は3年までです。",
    ]


def test_sammu_income_deducted() -> None:
    assert describe_rule(load_rule(sammu().pk)) == [
        "補助対象経費の全額を補助します。",
        "上限額は300,000円です。",
        "事業収入がある場合は、補助対象経費から差し引いた額が限度です。",
    ]


def test_rate_by_year_without_limit_is_open_ended() -> None:
    py = cost_rule("falling", steps=((1, 1, 1, 200_000), (2, 1, 2, 200_000), (4, 1, 3, None)))
    assert describe_rule(load_rule(py.pk)) == [
        "補助対象経費に、1年目は全額、2〜3年目は1/2、4年目以降は1/3を掛けた額を補助します。",
        "上限額は1〜3年目200,000円、4年目以降は上限なしです。",
    ]


def test_years_before_the_first_step_show_the_rules_own_terms() -> None:
    py = cost_rule("late_step", rate_numerator=1, rate_denominator=2, cap_amount=40_000, steps=((3, 1, 4, None),),
                   max_project_years=5)
    spans = year_spans(load_rule(py.pk))
    assert [(s.label, s.rate_numerator, s.rate_denominator, s.cap_amount) for s in spans] == [
        ("1〜2年目", 1, 2, 40_000), ("3〜5年目", 1, 4, None)]


def test_step_past_the_limit_is_not_described() -> None:
    py = yamato_takada()
    RepeatYearStep.objects.create(programme_year=py, from_year=4, rate_numerator=1, rate_denominator=3,
                                  cap_amount=50_000)  # on file before the limit was lowered: never applies
    assert "上限額は1年目150,000円、2〜3年目100,000円です。" in describe_rule(load_rule(py.pk))


def test_kudamatsu_components_and_floor() -> None:
    assert describe_rule(load_rule(kudamatsu().pk)) == [
        "交付額は次の項目の合計です。",
        "均等割は3,000円です。",
        "世帯割は1世帯あたり50円です。",
        "合計が5,000円に満たないときは、5,000円を交付します。",
    ]


def test_nagahama_condition_is_said() -> None:
    sentences = describe_rule(load_rule(nagahama().pk))
    assert "世帯割は1世帯あたり200円です（広報紙の年間発行回数が2以上の場合に限ります）。" in sentences


def test_bands_cap_and_cost_components() -> None:
    py = factories.rule(code="banded", components=[(ComponentKind.STAFF_COST, "人件費", 2_400_000),
                                                    (ComponentKind.ACTUAL_COST, "運営経費", 600_000)],
                        cap=3_000_000, unit=1000)
    per = FormulaComponent.objects.create(programme_year=py, order=3, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割")
    ComponentBand.objects.create(component=per, from_count=1, to_count=100, unit_amount=600)
    ComponentBand.objects.create(component=per, from_count=101, to_count=None, unit_amount=400)
    assert describe_rule(load_rule(py.pk)) == [
        "交付額は次の項目の合計です。",
        "人件費は事務局員1人ごとに、人件費の実支出額と2,400,000円の低い方です。",
        "運営経費は実支出額（600,000円まで）です。",
        "世帯割は1〜100世帯の部分は1世帯あたり600円、101世帯以上の部分は1世帯あたり400円です。",
        "上限額は3,000,000円です。",
        "1,000円未満は切り捨てます。",
    ]


def test_cost_basis_limited_by_components() -> None:
    py = cost_rule("katsudo")
    FormulaComponent.objects.create(programme_year=py, order=0, kind=ComponentKind.FLAT, label="均等割",
                                    unit_amount=2_000_000)
    assert describe_rule(load_rule(py.pk)) == [
        "補助対象経費の全額を補助します。", "ただし、次の項目の合計額が限度です。", "均等割は2,000,000円です。"]


def test_marginal_cost_bands_are_said_part_by_part() -> None:
    py = banded_cost_rule()
    assert describe_rule(load_rule(py.pk)) == [
        "補助対象経費のうち、100,000円までの部分は全額、100,000円を超える部分は2/3を補助します。",
        "上限額は300,000円です。",
    ]


def test_a_part_above_the_last_bound_paid_at_0_1_is_said_unpaid_not_paid_at_0_1() -> None:
    py = cost_rule("upper_unpaid")
    CostBand.objects.create(programme_year=py, up_to=100_000, rate_numerator=1, rate_denominator=1)
    CostBand.objects.create(programme_year=py, up_to=200_000, rate_numerator=1, rate_denominator=2)
    CostBand.objects.create(programme_year=py, up_to=None, rate_numerator=0, rate_denominator=1)
    assert describe_rule(load_rule(py.pk))[0] == (
        "補助対象経費のうち、100,000円までの部分は全額、100,000円を超え200,000円までの部分は1/2を補助します。"
        "200,000円を超える部分は補助の対象になりません。")


def test_base_amount_plus_share_of_cost_and_half_up_rounding_are_said() -> None:
    py = cost_rule("plus", amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2,
                   rate_rounding_mode=RoundingMode.HALF_UP)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="基本額", unit_amount=50_000)
    assert describe_rule(load_rule(py.pk)) == [
        "交付額は、次の項目の額に、補助率による額を加えた額です。",
        "基本額は50,000円です。",
        "補助率による額は、補助対象経費の1/2です。",
        "ただし、補助対象経費の額が限度です。",
        "補助率を掛けた額の1円未満の端数は四捨五入します。",
    ]


def test_a_quantity_component_is_described_per_its_measure_unit_and_a_condition_names_its_measure() -> None:
    py = factories.rule(code="area_desc", components=[(ComponentKind.FLAT, "均等割", 10_000)])
    per_unit(py, "area", "面積割", 10_000, 1)
    FormulaComponent.objects.filter(programme_year=py, label="均等割").update(condition_input="newsletters",
                                                                             condition_min=2)
    sentences = describe_rule(load_rule(py.pk))
    assert "面積割は1km²あたり10,000円です。" in sentences
    assert "均等割は10,000円です（広報紙の年間発行回数が2以上の場合に限ります）。" in sentences
