"""The formula engine: a programme-year's rule (data) applied to an applicant's counts.

amount = round(max(floor, min(cap, Σ components))), each step shown as a line so that an association head can
follow the computation (GRANTS.md §4). A competitive rule's rate and cap may depend on the project's year (何年目,
``RepeatYearStep``) and a project may be funded for at most ``max_project_years`` years. Components, bands and
repeat-year steps are read with ``prefetch_related`` by callers that compute many amounts (``load_rule``).
"""
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from grants.core.money import RoundingMode, round_to

from .models import (
    AmountBasis,
    ComponentKind,
    FormulaComponent,
    ProgrammeYear,
    input_label,
)

# Counts are ints; a figure with decimals (面積 12.34 km²) is a Decimal; staff costs are a list of yen.
Inputs = Mapping[str, "int | Decimal | Sequence[int]"]


class MissingInputError(ValueError):
    """An input the rule needs (e.g. 世帯数 on the base date) was not given."""


class YearLimitError(ValueError):
    """The project's year (``year_no``, 何年目) is past the rule's ``max_project_years``: not eligible."""


YEAR_NO = "year_no"
YEAR_NO_NAME = "何年目（同一事業として補助を受ける年数）"


@dataclass(frozen=True)
class YearTerms:
    """The rate (exact fraction) and cap (whole yen, None = none) that apply to the project's ``year_no``-th
    year, and whether they come from a repeat-year step (so the lines name the year)."""

    year_no: int
    rate_numerator: int
    rate_denominator: int
    cap_amount: int | None
    from_step: bool


@dataclass(frozen=True)
class Line:
    """One line of a computation: label, how it was reached, and the amount in whole yen."""

    label: str
    basis: str
    amount: int
    applied: bool = True


@dataclass(frozen=True)
class Computation:
    """The result: the lines in order and the final amount (whole yen)."""

    lines: list[Line] = field(default_factory=list)
    amount: int = 0

    def as_json(self) -> dict[str, object]:
        return {"lines": [asdict(line) for line in self.lines], "amount": self.amount}


def load_rule(programme_year_id: int) -> ProgrammeYear:
    """Fetch a rule with its components (their bands and measures), repeat-year steps and cost bands in six
    queries."""
    return ProgrammeYear.objects.prefetch_related(
        "components__bands", "components__measure", "repeat_steps", "cost_bands").get(pk=programme_year_id)


def _name(name: str) -> str:
    return input_label(name)


def _quantity(inputs: Inputs, name: str, label: str = "") -> int | Decimal:
    """A count (int) or a figure with decimals (Decimal) named ``name``, ≥ 0. ``label`` names it in errors."""
    value = inputs.get(name)
    if value is None:
        raise MissingInputError(f"{label or _name(name)}が入力されていません。")
    if isinstance(value, Decimal) and value.is_finite():
        if value < 0:
            raise ValueError(f"{label or _name(name)}が負の数になっています。")
        return value
    return _count(inputs, name)


def _floor_yen(value: int | Decimal) -> int:
    """A yen product of a figure with decimals, rounded down to the yen (円未満切捨て)."""
    return int(Decimal(value).to_integral_value(rounding=ROUND_FLOOR))


def _condition_name(component: FormulaComponent) -> str:
    """The Japanese name of the input of the component's condition, read once per component (a rule loaded once
    serves a whole chunk of the annual run)."""
    name = getattr(component, "_condition_name", None)
    if name is None:
        name = component.condition_label
        setattr(component, "_condition_name", name)  # noqa: B010 (a cache on the instance, not a field)
    return str(name)


def _per_unit_line(component: FormulaComponent, count: int | Decimal) -> Line:
    """count × unit amount; a figure with decimals is shown with its unit and the product rounded down to the yen
    (「12.34 km² × 10,000円 = 123,400円（円未満切捨て）」)."""
    unit = component.unit_amount
    if not isinstance(count, Decimal):
        return Line(component.label, f"{count:,} × {unit:,}円", count * unit)
    amount = _floor_yen(count * unit)
    what = component.measure.unit if component.measure_id and component.measure else ""
    shown = f"{count:,} {what}".rstrip()
    return Line(component.label, f"{shown} × {unit:,}円 = {amount:,}円（円未満切捨て）", amount)


def _count(inputs: Inputs, name: str) -> int:
    value = inputs.get(name)
    if value is None:
        raise MissingInputError(f"{_name(name)}が入力されていません。")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{_name(name)}は整数で指定してください。")
    if value < 0:
        raise ValueError(f"{_name(name)}が負の数になっています。")
    return value


def _amounts(inputs: Inputs, name: str) -> list[int]:
    values = inputs.get(name)
    if values is None:
        raise MissingInputError(f"{_name(name)}が入力されていません。")
    if isinstance(values, int | Decimal):
        raise ValueError(f"{_name(name)}は1人ずつの金額の一覧で指定してください。")
    result = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{_name(name)}は0円以上の整数で指定してください。")
        result.append(value)
    return result


def year_terms(rule: ProgrammeYear, inputs: Inputs) -> YearTerms:
    """The rate and cap of ``rule`` for the year named by ``inputs["year_no"]`` (何年目, an int ≥ 1).

    ``year_no`` defaults to 1 when the rule has neither repeat-year steps nor ``max_project_years``; otherwise it
    is required (``MissingInputError``). Raises ``ValueError`` for a non-integer or a year below 1 and
    ``YearLimitError`` for a year past ``max_project_years``. Source: the 要綱's 補助率・上限額 by year and its
    同一事業の補助は N 年まで (GRANTS.md §4, e.g. 大和高田市).
    """
    steps = list(rule.repeat_steps.all())
    limit = rule.max_project_years
    value = inputs.get(YEAR_NO)
    if value is None:
        if steps or limit is not None:
            raise MissingInputError(f"{YEAR_NO_NAME}が入力されていません。")
        value = 1
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{YEAR_NO_NAME}は整数で指定してください。")
    if value < 1:
        raise ValueError(f"{YEAR_NO_NAME}は1以上で指定してください（初めての年は1年目）。")
    if limit is not None and value > limit:
        raise YearLimitError(
            f"この事業は同一事業として{value}年目です。この補助金は同一事業について{limit}年までです。"
        )
    step = rule.step_for(value) if steps else None
    if step is None:
        return YearTerms(value, rule.rate_numerator, rule.rate_denominator, rule.cap_amount, False)
    return YearTerms(value, step.rate_numerator, step.rate_denominator, step.cap_amount, True)


def _cap_line(terms: YearTerms, cap: int) -> Line:
    """The cap applied, naming the year when the cap is that of a repeat-year step."""
    year = f"{terms.year_no}年目の" if terms.from_step else ""
    return Line("上限額", f"{year}上限額 {cap:,}円を適用", cap)


def _staff_cost_line(component: FormulaComponent, inputs: Inputs) -> Line:
    """Σ over staff members of min(standard amount per member, actual cost of that member)."""
    costs = _amounts(inputs, "staff_costs")
    standard = component.unit_amount
    parts = [f"min({standard:,}円, {cost:,}円)" for cost in costs]
    total = sum(min(standard, cost) for cost in costs)
    return Line(component.label, " ＋ ".join(parts) or "事務局員なし", total)


def _actual_cost_line(component: FormulaComponent, inputs: Inputs) -> Line:
    """Actual running costs, limited to ``unit_amount`` (0 = no limit)."""
    actual = _count(inputs, "running_costs")
    if component.unit_amount and actual > component.unit_amount:
        return Line(component.label, f"実支出額 {actual:,}円（限度額 {component.unit_amount:,}円を適用）",
                    component.unit_amount)
    return Line(component.label, f"実支出額 {actual:,}円", actual)


def _component_line(component: FormulaComponent, inputs: Inputs) -> Line:
    if component.condition_input:
        have = _quantity(inputs, component.condition_input)
        if have < (component.condition_min or 0):
            what = _condition_name(component)
            basis = f"適用なし（{what} {have:,} が条件 {component.condition_min:,} 以上に未達）"
            return Line(component.label, basis, 0, False)
    if component.kind == ComponentKind.FLAT:
        return Line(component.label, "定額", component.unit_amount)
    if component.kind == ComponentKind.STAFF_COST:
        return _staff_cost_line(component, inputs)
    if component.kind == ComponentKind.ACTUAL_COST:
        return _actual_cost_line(component, inputs)
    code = component.input_code or ""
    count = _quantity(inputs, code, component.measure.name if component.measure_id and component.measure else "")
    bands = list(component.bands.all())
    if not bands:
        return _per_unit_line(component, count)
    parts: list[str] = []
    total: int | Decimal = 0
    for band in bands:
        within = band.count_within(count)
        if within:
            parts.append(f"{band.range_label}の部分 {within:,} × {band.unit_amount:,}円")
            total += within * band.unit_amount
    if isinstance(total, Decimal):
        return Line(component.label, (" ＋ ".join(parts) or "0") + "（円未満切捨て）", _floor_yen(total))
    return Line(component.label, " ＋ ".join(parts) or "0", total)


def compute(rule: ProgrammeYear, inputs: Inputs) -> Computation:
    """Apply ``rule`` to ``inputs``: counts by name (households, population, newsletters), yen totals
    (running_costs, eligible_cost, income), ``staff_costs``, a list of yen per staff member, and ``year_no``,
    the project's year (何年目, int ≥ 1; default 1 unless the rule has repeat-year steps or a year limit).

    Returns a ``Computation`` whose amount is whole yen. Raises ``MissingInputError`` when a needed input is
    absent, ``YearLimitError`` when ``year_no`` is past the rule's ``max_project_years`` and ``ValueError`` for
    a negative or non-integer input. The year's step (if any) gives the rate and the cap in place of the rule's.
    Source: the programme-year's 交付基準 (e.g. 下松市 max(¥5,000, ¥3,000 + ¥50 × households) is FLAT 3,000 +
    PER_HOUSEHOLD 50 with floor 5,000; 浜松市 ½ of eligible cost, cap ¥2,000,000, 千円未満切捨て is COST basis,
    rate 1/2, cap, unit 1,000; 大和高田市 ⅔, cap ¥150,000 in year 1 and ¥100,000 in years 2–3, at most 3 years
    is COST basis with two steps and ``max_project_years`` 3).
    """
    terms = year_terms(rule, inputs)
    if rule.amount_basis in (AmountBasis.COST, AmountBasis.COST_PLUS):
        return _compute_cost(rule, inputs, terms)
    lines = [_component_line(c, inputs) for c in rule.components.all()]
    subtotal = sum(line.amount for line in lines)
    lines.append(Line("小計", "各項目の合計", subtotal))
    return _finish(rule, terms, lines, subtotal, floor=True)


def _rate_text(numerator: int, denominator: int) -> str:
    """A rate as the 要綱 writes it: 10/10 for the whole, otherwise the fraction as entered (2/3, 1/2)."""
    return "10/10" if numerator == denominator else f"{numerator}/{denominator}"


def _rounding_text(mode: str) -> str:
    """「円未満切捨て」「円未満四捨五入」「円未満切上げ」: how a rate product's fraction of a yen is treated."""
    return f"円未満{RoundingMode(mode).label}"


def _rate_product(rule: ProgrammeYear, eligible: int, terms: YearTerms) -> Line | None:
    """eligible × the year's rate, or Σ each cost band's part × its rate (marginal bands), brought to whole yen by
    the rule's ``rate_rounding_mode`` once, on the exact sum. None when the rate is 10/10 without bands or steps
    (the product is the eligible cost itself, already shown)."""
    # In the order of their bounds whatever the source (a stored rule or a version's snapshot): the open band last.
    bands = sorted(rule.cost_bands.all(), key=lambda band: (band.up_to is None, band.up_to or 0))
    rounding = _rounding_text(rule.rate_rounding_mode)
    num, den = terms.rate_numerator, terms.rate_denominator
    year = f"{terms.year_no}年目の補助率 {_rate_text(num, den)}：" if terms.from_step else ""
    if bands:
        exact, parts, below = Fraction(0), [], 0
        for band in bands:
            top = eligible if band.up_to is None else min(eligible, band.up_to)
            part = max(0, top - below)
            name = f"{below:,}円を超える部分" if band.up_to is None else (
                f"{band.up_to:,}円までの部分" if below == 0 else f"{below:,}円を超え{band.up_to:,}円までの部分")
            parts.append(f"{name} {part:,}円（補助対象外）" if band.rate_numerator == 0 else
                         f"{name} {part:,}円 × {_rate_text(band.rate_numerator, band.rate_denominator)}")
            exact += Fraction(part * band.rate_numerator, band.rate_denominator)
            if band.up_to is None:
                break
            below = band.up_to
        amount = round_to(exact, 1, rule.rate_rounding_mode)
        return Line("補助率", f"{' ＋ '.join(parts)}（{rounding}）", amount)
    if (num, den) == (1, 1) and not terms.from_step:
        return None
    amount = round_to(Fraction(eligible * num, den), 1, rule.rate_rounding_mode)
    return Line("補助率", f"{year}{eligible:,}円 × {_rate_text(num, den)}（{rounding}）", amount)


def _compute_cost(rule: ProgrammeYear, inputs: Inputs, terms: YearTerms) -> Computation:
    """COST basis: min(rate product, eligible − income, Σ components, cap(year)), then rounding. COST_PLUS basis:
    min(Σ components + rate product, eligible − income, cap(year)), then rounding. The rate product is
    ``_rate_product`` (single rate or marginal cost bands, rounded to the yen by the rule's own mode)."""
    eligible = _count(inputs, "eligible_cost")
    lines = [Line("補助対象経費", "対象と認められた経費の合計", eligible)]
    product = _rate_product(rule, eligible, terms)
    amount = eligible if product is None else product.amount
    if product is not None:
        lines.append(product)
    components = list(rule.components.all())
    if rule.amount_basis == AmountBasis.COST_PLUS:
        parts = [_component_line(c, inputs) for c in components]
        lines.extend(parts)
        added = sum(line.amount for line in parts)
        total = added + amount
        names = "＋".join(line.label for line in parts)
        lines.append(Line("合計", f"{names} {added:,}円 ＋ 補助率による額 {amount:,}円" if parts
                          else "補助率による額", total))
        amount = total
        if amount > eligible:  # a base amount never pays more than the project costs (補助対象経費を限度)
            amount = eligible
            lines.append(Line("補助対象経費による限度", f"補助対象経費 {eligible:,}円を限度", amount))
    if rule.deduct_income:
        income = _count(inputs, "income")
        net = max(0, eligible - income)
        lines.append(Line("事業収入の控除", f"{eligible:,}円 − 事業収入 {income:,}円 = {net:,}円", net))
        amount = min(amount, net)
    if components and rule.amount_basis == AmountBasis.COST:
        limit_lines = [_component_line(c, inputs) for c in components]
        lines.extend(limit_lines)
        limit = sum(line.amount for line in limit_lines)
        lines.append(Line("限度額", "算定式による限度額（各項目の合計）", limit))
        if amount > limit:
            amount = limit
            lines.append(Line("限度額の適用", f"限度額 {limit:,}円を適用", amount))
    return _finish(rule, terms, lines, amount)


def _finish(
    rule: ProgrammeYear, terms: YearTerms, lines: list[Line], amount: int, *, floor: bool = False
) -> Computation:
    """The year's cap (上限額), the floor (下限額, FORMULA basis only), the rule's rounding (単位・方法) and the
    final line."""
    if terms.cap_amount is not None and amount > terms.cap_amount:
        amount = terms.cap_amount
        lines.append(_cap_line(terms, amount))
    if floor and rule.floor_amount is not None and amount < rule.floor_amount:
        amount = rule.floor_amount
        lines.append(Line("下限額", f"下限額 {rule.floor_amount:,}円を適用", amount))
    rounded = round_to(amount, rule.rounding_unit, rule.rounding_mode)
    if rule.rounding_unit > 1:
        label = f"{rule.rounding_unit:,}円未満{rule.get_rounding_mode_display()}"
        lines.append(Line("端数処理", label, rounded))
    lines.append(Line("交付額", "算定額", rounded))
    return Computation(lines=lines, amount=rounded)
