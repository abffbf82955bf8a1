"""The engine against the published examples of GRANTS.md §4, each entered as data."""
import pytest

from grants.programmes.engine import MissingInputError, compute, load_rule
from grants.programmes.models import ComponentBand, ComponentKind, FormulaComponent
from tests import factories

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
    ComponentBand.objects.create(component=per, lower=0, upper=100, unit_amount=600)
    ComponentBand.objects.create(component=per, lower=100, upper=None, unit_amount=400)
    rule = load_rule(py.pk)
    # 20,500 + 100×600 + 30×400 = 92,500 → 92,000 (千円未満切捨て)
    assert compute(rule, {"households": 130}).amount == 92_000
    # 20,500 + 60,000 + 100×400 = 120,500 → cap 100,000
    assert compute(rule, {"households": 200}).amount == 100_000
    assert compute(rule, {"households": 80}).lines[1].basis == "80 × 600円"


def test_per_capita_component() -> None:
    py = factories.rule(code="capita", components=[(ComponentKind.PER_CAPITA, "人口割", 30)])
    assert compute(load_rule(py.pk), {"population": 13_274}).amount == 398_220


def test_missing_input_is_explained_in_japanese() -> None:
    with pytest.raises(MissingInputError, match="世帯数が入力されていません"):
        compute(load_rule(kudamatsu().pk), {})


def test_rule_loads_components_in_few_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    py = nagahama()
    with django_assert_max_num_queries(3):
        rule = load_rule(py.pk)
        compute(rule, {"households": 10, "newsletters": 2})
