"""The engine against the published examples of GRANTS.md §4, each entered as data: the formula grants (下松市,
長浜市) and the competitive subsidies (浜松市, 大和高田市 with its rate and cap by repeat year and its year limit,
山武市), then the attacks on the year input and on the repeat-year steps' refusals."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grants.core.money import RoundingMode
from grants.programmes.engine import MissingInputError, YearLimitError, compute, load_rule
from grants.programmes.models import (
    AmountBasis,
    ComponentBand,
    ComponentKind,
    CostBand,
    FormulaComponent,
    ProgrammeYear,
    RepeatYearStep,
)
from tests import factories
from tests.factories import CURRENT_FY
from tests.organizations.builders import measure, per_unit

pytestmark = pytest.mark.django_db


def kudamatsu():  # type: ignore[no-untyped-def]
    """下松市 自治会助成金: max(¥5,000, ¥3,000 + ¥50 × member households)."""
    return factories.rule(
        code="kudamatsu",
        components=[(ComponentKind.FLAT, "均等割", 3_000), (ComponentKind.PER_HOUSEHOLD, "世帯割", 50)],
        floor=5_000,
    )


def nagahama():  # type: ignore[no-untyped-def]
    """長浜市 地域づくり交付金: ¥350,000 + ¥200 × households, 世帯割 only with ≥ 2 newsletters a year."""
    py = factories.rule(
        code="nagahama",
        components=[(ComponentKind.FLAT, "基本額", 350_000), (ComponentKind.PER_HOUSEHOLD, "世帯割", 200)],
    )
    FormulaComponent.objects.filter(programme_year=py, kind=ComponentKind.PER_HOUSEHOLD).update(
        condition_input="newsletters", condition_min=2
    )
    return py


def cost_rule(code: str, *, steps: tuple[tuple[int, int, int, int | None], ...] = (), **fields: object) -> ProgrammeYear:
    """A COST-basis rule (対象経費 × 補助率) with ``fields`` of ProgrammeYear and repeat-year ``steps``
    (from_year, rate numerator, rate denominator, cap in yen or None)."""
    programme = factories.programme(code)
    programme.workflow = "full"  # the flow that supplies the eligible cost and the year (a formula flow cannot)
    programme.save()
    py = ProgrammeYear.objects.create(
        programme=programme, fiscal_year=CURRENT_FY, base_date=dt.date(CURRENT_FY, 4, 1),
        application_opens=dt.date(CURRENT_FY, 4, 1), application_closes=dt.date(CURRENT_FY + 1, 3, 31),
        **{"amount_basis": AmountBasis.COST, **fields})
    for from_year, numerator, denominator, cap in steps:
        RepeatYearStep.objects.create(programme_year=py, from_year=from_year, rate_numerator=numerator,
                                      rate_denominator=denominator, cap_amount=cap)
    return py


def hamamatsu() -> ProgrammeYear:
    """浜松市: ½ of eligible cost, cap ¥2,000,000, 千円未満切捨て."""
    return cost_rule("hamamatsu", rate_numerator=1, rate_denominator=2, cap_amount=2_000_000, rounding_unit=1000)


def yamato_takada() -> ProgrammeYear:
    """大和高田市: ⅔, cap ¥150,000 in year 1, ¥100,000 in years 2–3, at most 3 years."""
    return cost_rule("yamato_takada", steps=((1, 2, 3, 150_000), (2, 2, 3, 100_000)), max_project_years=3)


def sammu() -> ProgrammeYear:
    """山武市: lower of eligible cost and (eligible cost − project income), cap ¥300,000."""
    return cost_rule("sammu", deduct_income=True, cap_amount=300_000)


@pytest.mark.parametrize(("households", "amount"), [(50, 5_500), (20, 5_000)])
def test_kudamatsu(households: int, amount: int) -> None:
    result = compute(load_rule(kudamatsu().pk), {"households": households})
    assert result.amount == amount


def test_kudamatsu_shows_floor_line() -> None:
    result = compute(load_rule(kudamatsu().pk), {"households": 20})
    assert [(line.label, line.amount) for line in result.lines] == [
        ("均等割", 3_000), ("世帯割", 1_000), ("小計", 4_000), ("下限額", 5_000), ("交付額", 5_000)
    ]


@pytest.mark.parametrize(("newsletters", "amount"), [(2, 950_000), (1, 350_000)])
def test_nagahama(newsletters: int, amount: int) -> None:
    result = compute(load_rule(nagahama().pk), {"households": 3_000, "newsletters": newsletters})
    assert result.amount == amount


def test_condition_unmet_line_says_why() -> None:
    result = compute(load_rule(nagahama().pk), {"households": 3_000, "newsletters": 1})
    line = result.lines[1]
    assert (line.applied, line.amount) == (False, 0)
    assert "広報紙の年間発行回数 1" in line.basis


def test_marginal_bands_and_cap_and_thousand_yen_rounding() -> None:
    """100 % of the first part, less for the rest: 1–100 households ¥600, above 100 ¥400; cap ¥100,000."""
    py = factories.rule(code="banded", components=[(ComponentKind.FLAT, "均等割", 20_500)], cap=100_000, unit=1000)
    per = FormulaComponent.objects.create(programme_year=py, order=2, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割")
    ComponentBand.objects.create(component=per, from_count=1, to_count=100, unit_amount=600)
    ComponentBand.objects.create(component=per, from_count=101, to_count=None, unit_amount=400)
    rule = load_rule(py.pk)
    # 20,500 + 100×600 + 30×400 = 92,500 → 92,000 (千円未満切捨て)
    assert compute(rule, {"households": 130}).amount == 92_000
    # 20,500 + 60,000 + 100×400 = 120,500 → cap 100,000
    assert compute(rule, {"households": 200}).amount == 100_000
    assert compute(rule, {"households": 80}).lines[1].basis == "1〜100の部分 80 × 600円"


def test_per_capita_component() -> None:
    py = factories.rule(code="capita", components=[(ComponentKind.PER_CAPITA, "人口割", 30)])
    assert compute(load_rule(py.pk), {"population": 13_274}).amount == 398_220


def test_missing_input_is_explained_in_japanese() -> None:
    with pytest.raises(MissingInputError, match="世帯数が入力されていません"):
        compute(load_rule(kudamatsu().pk), {})


def test_rule_loads_components_in_few_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    py = nagahama()
    with django_assert_max_num_queries(6):  # the rule, components, their bands and measures, steps, cost bands
        rule = load_rule(py.pk)
        compute(rule, {"households": 10, "newsletters": 2})


# -- competitive subsidies: rate and cap by repeat year (何年目), year limit, project income --------------------

def test_hamamatsu_half_cap_and_thousand_yen_rounding() -> None:
    result = compute(load_rule(hamamatsu().pk), {"eligible_cost": 1_234_567})
    # 1,234,567 × 1/2 = 617,283.5 → 617,283 (円未満切捨て) → 617,000 (千円未満切捨て)
    assert result.amount == 617_000
    # no steps, no limit: year_no defaults to 1 and the lines do not name a year
    assert not any("年目" in line.basis for line in result.lines)


@pytest.mark.parametrize(("year_no", "amount"), [(1, 150_000), (2, 100_000), (3, 100_000)])
def test_yamato_takada_cap_falls_after_the_first_year(year_no: int, amount: int) -> None:
    # 300,000 × 2/3 = 200,000 → year 1 cap 150,000; years 2–3 cap 100,000
    result = compute(load_rule(yamato_takada().pk), {"eligible_cost": 300_000, "year_no": year_no})
    assert result.amount == amount


def test_yamato_takada_lines_say_which_years_rate_and_cap_applied() -> None:
    result = compute(load_rule(yamato_takada().pk), {"eligible_cost": 300_000, "year_no": 2})
    assert [(line.label, line.amount) for line in result.lines] == [
        ("補助対象経費", 300_000), ("補助率", 200_000), ("上限額", 100_000), ("交付額", 100_000)]
    assert "2年目の補助率 2/3" in result.lines[1].basis
    assert result.lines[2].basis == "2年目の上限額 100,000円を適用"


def test_yamato_takada_fourth_year_is_refused_in_japanese() -> None:
    with pytest.raises(YearLimitError, match="この事業は同一事業として4年目です。この補助金は同一事業について3年までです。"):
        compute(load_rule(yamato_takada().pk), {"eligible_cost": 300_000, "year_no": 4})


def test_year_limit_error_is_a_value_error_so_pages_show_it() -> None:
    assert issubclass(YearLimitError, ValueError)


def test_sammu_income_deducted_before_the_cap() -> None:
    # min(250,000, 250,000 − 40,000) = 210,000
    assert compute(load_rule(sammu().pk), {"eligible_cost": 250_000, "income": 40_000}).amount == 210_000


def test_step_applies_from_its_year_until_the_next_step() -> None:
    """10/10 in year 1, ½ in years 2–4, ⅓ from year 5 (no cap): each boundary year takes the new step."""
    py = cost_rule("steps", steps=((1, 1, 1, None), (2, 1, 2, None), (5, 1, 3, None)))
    rule = load_rule(py.pk)
    amounts = {year: compute(rule, {"eligible_cost": 90_000, "year_no": year}).amount for year in (1, 2, 4, 5, 9)}
    assert amounts == {1: 90_000, 2: 45_000, 4: 45_000, 5: 30_000, 9: 30_000}


def test_years_before_the_first_step_take_the_rules_own_rate_and_cap() -> None:
    py = cost_rule("late_step", rate_numerator=1, rate_denominator=2, cap_amount=40_000, steps=((3, 1, 4, None),))
    rule = load_rule(py.pk)
    assert compute(rule, {"eligible_cost": 100_000, "year_no": 2}).amount == 40_000  # 50,000 → cap 40,000
    assert compute(rule, {"eligible_cost": 100_000, "year_no": 3}).amount == 25_000  # ¼, the step has no cap


def test_step_cap_limits_the_formula_basis_too() -> None:
    py = factories.rule(code="formula_steps", components=[(ComponentKind.FLAT, "均等割", 80_000)], cap=70_000)
    RepeatYearStep.objects.create(programme_year=py, from_year=2, rate_numerator=1, rate_denominator=1,
                                  cap_amount=50_000)
    rule = load_rule(py.pk)
    assert compute(rule, {"year_no": 1}).amount == 70_000
    result = compute(rule, {"year_no": 2})
    assert result.amount == 50_000
    assert ("上限額", "2年目の上限額 50,000円を適用") in [(line.label, line.basis) for line in result.lines]


def test_missing_year_with_steps_is_refused() -> None:
    with pytest.raises(MissingInputError, match="何年目"):
        compute(load_rule(yamato_takada().pk), {"eligible_cost": 300_000})


def test_missing_year_with_only_a_limit_is_refused() -> None:
    with pytest.raises(MissingInputError, match="何年目"):
        compute(load_rule(cost_rule("limited", max_project_years=2).pk), {"eligible_cost": 300_000})


@pytest.mark.parametrize("year_no", [0, -1, True, "2", 2.0])
def test_year_below_one_or_not_an_integer_is_refused(year_no: object) -> None:
    with pytest.raises(ValueError, match="何年目"):
        compute(load_rule(yamato_takada().pk), {"eligible_cost": 300_000, "year_no": year_no})  # type: ignore[dict-item]


# -- the repeat-year step's refusals: clean() in Japanese, and the database's constraints ------------------------

def test_step_clean_refuses_a_rate_above_one_and_year_zero() -> None:
    py = yamato_takada()
    step = RepeatYearStep(programme_year=py, from_year=0, rate_numerator=3, rate_denominator=2)
    with pytest.raises(ValidationError) as refused:
        step.clean()
    assert "分子は分母以下" in str(refused.value.message_dict["rate_numerator"])
    assert "1以上" in str(refused.value.message_dict["from_year"])


def test_step_clean_refuses_a_year_past_the_limit() -> None:
    step = RepeatYearStep(programme_year=yamato_takada(), from_year=4, rate_numerator=1, rate_denominator=2)
    with pytest.raises(ValidationError, match="上限年数（3年）を超えています"):
        step.clean()


def test_programme_year_clean_refuses_a_limit_of_zero_years() -> None:
    py = hamamatsu()
    py.max_project_years = 0
    with pytest.raises(ValidationError) as refused:
        py.clean()
    assert "1年以上" in str(refused.value.message_dict["max_project_years"])


@pytest.mark.parametrize(("from_year", "numerator", "denominator"), [(3, 1, 0), (3, 3, 2), (0, 1, 2), (2, 1, 2)])
def test_database_refuses_bad_or_duplicate_steps(from_year: int, numerator: int, denominator: int) -> None:
    """Denominator 0, a rate above one, year 0 and a second step for year 2 are each refused by a constraint."""
    py = yamato_takada()
    with pytest.raises(IntegrityError), transaction.atomic():
        RepeatYearStep.objects.create(programme_year=py, from_year=from_year, rate_numerator=numerator,
                                      rate_denominator=denominator)


def test_database_refuses_a_limit_of_zero_years() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeYear.objects.filter(pk=hamamatsu().pk).update(max_project_years=0)


# -- shapes of issue 12: marginal rate bands on cost, a base amount plus a rate product, the rate product's rounding --

def banded_cost_rule(code: str = "banded_cost", **fields: object) -> ProgrammeYear:
    """「100,000円までの部分の10/10、100,000円を超える部分の2/3」, cap ¥300,000 unless told otherwise."""
    fields.setdefault("cap_amount", 300_000)
    py = cost_rule(code, **fields)
    CostBand.objects.create(programme_year=py, up_to=100_000, rate_numerator=1, rate_denominator=1)
    CostBand.objects.create(programme_year=py, up_to=None, rate_numerator=2, rate_denominator=3)
    return py


def test_marginal_cost_bands_pay_each_part_at_its_rate() -> None:
    result = compute(load_rule(banded_cost_rule().pk), {"eligible_cost": 150_000})
    # 100,000 × 10/10 + 50,000 × 2/3 = 133,333.33… → 133,333 (円未満切捨て)
    assert result.amount == 133_333
    assert result.lines[1].basis == (
        "100,000円までの部分 100,000円 × 10/10 ＋ 100,000円を超える部分 50,000円 × 2/3（円未満切捨て）"
    )


def test_marginal_cost_bands_below_the_first_bound_use_only_the_first_rate() -> None:
    result = compute(load_rule(banded_cost_rule().pk), {"eligible_cost": 80_000})
    assert result.amount == 80_000
    assert result.lines[1].basis == "100,000円までの部分 80,000円 × 10/10 ＋ 100,000円を超える部分 0円 × 2/3（円未満切捨て）"


def test_marginal_cost_bands_are_capped() -> None:
    # 100,000 + 400,000 × 2/3 = 366,666 → cap 300,000
    result = compute(load_rule(banded_cost_rule().pk), {"eligible_cost": 500_000})
    assert result.amount == 300_000
    assert ("上限額", 300_000) in [(line.label, line.amount) for line in result.lines]


def test_three_cost_bands_name_the_middle_part_from_and_to() -> None:
    py = cost_rule("three_bands")
    CostBand.objects.create(programme_year=py, up_to=100_000, rate_numerator=1, rate_denominator=1)
    CostBand.objects.create(programme_year=py, up_to=300_000, rate_numerator=1, rate_denominator=2)
    CostBand.objects.create(programme_year=py, up_to=None, rate_numerator=1, rate_denominator=4)
    result = compute(load_rule(py.pk), {"eligible_cost": 500_000})
    # 100,000 + 200,000 / 2 + 200,000 / 4 = 250,000
    assert result.amount == 250_000
    assert "100,000円を超え300,000円までの部分 200,000円 × 1/2" in result.lines[1].basis
    assert "300,000円を超える部分 200,000円 × 1/4" in result.lines[1].basis


@pytest.mark.parametrize(("mode", "amount", "words"), [
    (RoundingMode.FLOOR, 33_333, "円未満切捨て"),
    (RoundingMode.CEIL, 33_334, "円未満切上げ"),
    (RoundingMode.HALF_UP, 33_333, "円未満四捨五入"),
])
def test_rate_product_is_rounded_by_the_rules_own_mode(mode: str, amount: int, words: str) -> None:
    py = cost_rule(f"third_{mode}", rate_numerator=1, rate_denominator=3, rate_rounding_mode=mode)
    result = compute(load_rule(py.pk), {"eligible_cost": 100_000})
    assert result.amount == amount
    assert result.lines[1].basis == f"100,000円 × 1/3（{words}）"


def test_half_up_of_the_rate_product_rounds_a_half_yen_up_then_the_thousand_yen_unit_applies() -> None:
    py = cost_rule("half_up_then_thousand", rate_numerator=1, rate_denominator=2,
                   rate_rounding_mode=RoundingMode.HALF_UP, rounding_unit=1000)
    result = compute(load_rule(py.pk), {"eligible_cost": 2_001})
    # 2,001 × 1/2 = 1,000.5 → 1,001 (円未満四捨五入) → 1,000 (千円未満切捨て)
    assert [line.amount for line in result.lines[1:]] == [1_001, 1_000, 1_000]


def test_base_amount_plus_a_share_of_the_cost() -> None:
    """COST_PLUS: 基本額 ¥50,000 + ½ of eligible cost, cap ¥200,000."""
    py = cost_rule("cost_plus", amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2,
                   cap_amount=200_000)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="基本額", unit_amount=50_000)
    rule = load_rule(py.pk)
    result = compute(rule, {"eligible_cost": 123_457})
    # 50,000 + 61,728 (123,457 × 1/2 = 61,728.5, 円未満切捨て) = 111,728
    assert result.amount == 111_728
    assert [(line.label, line.amount) for line in result.lines] == [
        ("補助対象経費", 123_457), ("補助率", 61_728), ("基本額", 50_000), ("合計", 111_728), ("交付額", 111_728)
    ]
    assert result.lines[3].basis == "基本額 50,000円 ＋ 補助率による額 61,728円"
    assert compute(rule, {"eligible_cost": 400_000}).amount == 200_000


def test_base_amount_plus_cost_never_exceeds_the_cost_less_income() -> None:
    py = cost_rule("cost_plus_income", amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2,
                   deduct_income=True)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="基本額", unit_amount=50_000)
    # 50,000 + 30,000 = 80,000, but 60,000 − 10,000 = 50,000 is the limit
    assert compute(load_rule(py.pk), {"eligible_cost": 60_000, "income": 10_000}).amount == 50_000


def test_base_amount_plus_marginal_bands_in_one_rule() -> None:
    py = banded_cost_rule("plus_bands", amount_basis=AmountBasis.COST_PLUS, cap_amount=None)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="基本額", unit_amount=10_000)
    # 10,000 + 100,000 + 30,000 × 2/3 = 130,000
    assert compute(load_rule(py.pk), {"eligible_cost": 130_000}).amount == 130_000


def test_count_band_covers_its_from_and_to_counts() -> None:
    band = ComponentBand(from_count=101, to_count=200, unit_amount=400)
    assert [band.count_within(n) for n in (100, 101, 150, 200, 250)] == [0, 1, 50, 100, 100]
    assert band.range_label == "101〜200"
    assert ComponentBand(from_count=201, to_count=None, unit_amount=300).range_label == "201以上"


# -- figures other than households (人口, 面積 …): a 数量割 multiplies a measure, decimals rounded down ----------

def test_area_with_decimals_is_rounded_down_to_the_yen_and_the_line_says_so() -> None:
    py = factories.rule(code="area", components=[(ComponentKind.FLAT, "均等割", 10_000)])
    per_unit(py, "area", "面積割", 10_000, 1)
    per_unit(py, "population", "人口割", 333, 2)
    result = compute(load_rule(py.pk), {"area": Decimal("12.34"), "population": 7})
    lines = {line.label: (line.basis, line.amount) for line in result.lines}
    assert lines["面積割"] == ("12.34 km² × 10,000円 = 123,400円（円未満切捨て）", 123_400)
    assert lines["人口割"] == ("7 × 333円", 2_331)
    odd = compute(load_rule(py.pk), {"area": Decimal("0.57"), "population": 0})
    assert [(line.basis, line.amount) for line in odd.lines if line.label == "面積割"] == [
        ("0.57 km² × 10,000円 = 5,700円（円未満切捨て）", 5_700)]
    third = FormulaComponent.objects.get(programme_year=py, label="面積割")
    third.unit_amount = 333
    third.save()
    cut = compute(load_rule(py.pk), {"area": Decimal("0.57"), "population": 0})
    # 0.57 × 333 = 189.81 → 189 (円未満切捨て), never rounded half up or to even
    assert [(line.basis, line.amount) for line in cut.lines if line.label == "面積割"] == [
        ("0.57 km² × 333円 = 189円（円未満切捨て）", 189)]
    assert cut.amount == 10_000 + 189


def test_a_condition_may_test_any_measure_and_names_it() -> None:
    py = factories.rule(code="cond", components=[(ComponentKind.PER_HOUSEHOLD, "世帯割", 100)])
    FormulaComponent.objects.filter(programme_year=py).update(condition_input="area", condition_min=1)
    result = compute(load_rule(py.pk), {"households": 10, "area": Decimal("0.50")})
    assert result.lines[0].basis == "適用なし（面積 0.50 が条件 1 以上に未達）"
    assert compute(load_rule(py.pk), {"households": 10, "area": Decimal("1.00")}).amount == 1_000


def test_a_missing_figure_is_named_in_the_error() -> None:
    py = factories.rule(code="missing", components=[(ComponentKind.FLAT, "均等割", 10_000)])
    per_unit(py, "area", "面積割", 10_000, 1)
    with pytest.raises(MissingInputError, match="面積が入力されていません。"):
        compute(load_rule(py.pk), {"households": 10})


def test_a_per_unit_component_needs_its_measure_and_others_take_none() -> None:
    py = factories.rule(code="clean", components=[(ComponentKind.FLAT, "均等割", 10_000)])
    with pytest.raises(ValidationError) as raised:
        FormulaComponent(programme_year=py, kind=ComponentKind.PER_UNIT, label="面積割", unit_amount=1).clean()
    assert "数量割には、単価を掛ける数値の項目" in str(raised.value)
    with pytest.raises(ValidationError) as raised:
        FormulaComponent(programme_year=py, kind=ComponentKind.FLAT, label="均等割", unit_amount=1,
                         measure=measure("area"), condition_input="rainfall", condition_min=1).clean()
    assert "数値の項目は数量割のときだけ選びます。" in str(raised.value)
    assert "適用条件の項目「rainfall」は、世帯数または登録されている数値の項目ではありません。" in str(raised.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.PER_UNIT, label="面積割", unit_amount=1)


def test_base_amount_plus_a_share_never_pays_more_than_the_eligible_cost() -> None:
    py = cost_rule("cost_plus_limit", amount_basis=AmountBasis.COST_PLUS, rate_numerator=1, rate_denominator=2)
    FormulaComponent.objects.create(programme_year=py, kind=ComponentKind.FLAT, label="基本額", unit_amount=50_000)
    result = compute(load_rule(py.pk), {"eligible_cost": 30_000})
    # 50,000 + 15,000 = 65,000 > 30,000 of cost → 30,000
    assert result.amount == 30_000
    assert ("補助対象経費による限度", "補助対象経費 30,000円を限度", 30_000) in [
        (line.label, line.basis, line.amount) for line in result.lines]
