"""The formula engine: a programme-year's rule (data) applied to an applicant's counts.

amount = round(max(floor, min(cap, Σ components))), each step shown as a line so that an association head can
follow the computation (GRANTS.md §4). Components and bands are read with ``prefetch_related`` by callers that
compute many amounts (``load_rule``).
"""
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from grants.core.money import round_to

from .models import (
    COMPONENT_INPUT,
    CONDITION_INPUTS,
    COST_INPUTS,
    AmountBasis,
    ComponentKind,
    FormulaComponent,
    ProgrammeYear,
)

Inputs = Mapping[str, "int | Sequence[int]"]


class MissingInputError(ValueError):
    """An input the rule needs (e.g. 世帯数 on the base date) was not given."""


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
    """Fetch a rule with its components and bands in three queries."""
    return ProgrammeYear.objects.prefetch_related("components__bands").get(pk=programme_year_id)


def _name(name: str) -> str:
    return CONDITION_INPUTS.get(name) or COST_INPUTS.get(name, name)


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
    if isinstance(values, int):
        raise ValueError(f"{_name(name)}は1人ずつの金額の一覧で指定してください。")
    result = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{_name(name)}は0円以上の整数で指定してください。")
        result.append(value)
    return result


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
        have = _count(inputs, component.condition_input)
        if have < (component.condition_min or 0):
            what = CONDITION_INPUTS[component.condition_input]
            basis = f"適用なし（{what} {have} が条件 {component.condition_min} 以上に未達）"
            return Line(component.label, basis, 0, False)
    if component.kind == ComponentKind.FLAT:
        return Line(component.label, "定額", component.unit_amount)
    if component.kind == ComponentKind.STAFF_COST:
        return _staff_cost_line(component, inputs)
    if component.kind == ComponentKind.ACTUAL_COST:
        return _actual_cost_line(component, inputs)
    count = _count(inputs, COMPONENT_INPUT[component.kind])
    bands = list(component.bands.all())
    if not bands:
        return Line(component.label, f"{count:,} × {component.unit_amount:,}円", count * component.unit_amount)
    parts, total = [], 0
    for band in bands:
        top = count if band.upper is None else min(count, band.upper)
        within = max(0, top - band.lower)
        if within:
            parts.append(f"{within:,} × {band.unit_amount:,}円")
            total += within * band.unit_amount
    return Line(component.label, " ＋ ".join(parts) or "0", total)


def compute(rule: ProgrammeYear, inputs: Inputs) -> Computation:
    """Apply ``rule`` to ``inputs``: counts by name (households, population, newsletters), yen totals
    (running_costs, eligible_cost, income) and ``staff_costs``, a list of yen per staff member.

    Returns a ``Computation`` whose amount is whole yen. Raises ``MissingInputError`` when a needed input is
    absent and ``ValueError`` for a negative or non-integer one. Source: the programme-year's 交付基準 (e.g.
    下松市 max(¥5,000, ¥3,000 + ¥50 × households) is FLAT 3,000 + PER_HOUSEHOLD 50 with floor 5,000; 浜松市
    ½ of eligible cost, cap ¥2,000,000, 千円未満切捨て is COST basis, rate 1/2, cap, unit 1,000).
    """
    if rule.amount_basis == AmountBasis.COST:
        return _compute_cost(rule, inputs)
    lines = [_component_line(c, inputs) for c in rule.components.all()]
    subtotal = sum(line.amount for line in lines)
    lines.append(Line("小計", "各項目の合計", subtotal))
    amount = subtotal
    if rule.cap_amount is not None and amount > rule.cap_amount:
        amount = rule.cap_amount
        lines.append(Line("上限額", f"上限額 {rule.cap_amount:,}円を適用", amount))
    if rule.floor_amount is not None and amount < rule.floor_amount:
        amount = rule.floor_amount
        lines.append(Line("下限額", f"下限額 {rule.floor_amount:,}円を適用", amount))
    rounded = round_to(amount, rule.rounding_unit, rule.rounding_mode)
    if rule.rounding_unit > 1:
        label = f"{rule.rounding_unit:,}円未満{rule.get_rounding_mode_display()}"
        lines.append(Line("端数処理", label, rounded))
    lines.append(Line("交付額", "算定額", rounded))
    return Computation(lines=lines, amount=rounded)


def _compute_cost(rule: ProgrammeYear, inputs: Inputs) -> Computation:
    """COST basis: min(eligible × rate (円未満切捨て), eligible − income, Σ components, cap), then rounding."""
    eligible = _count(inputs, "eligible_cost")
    lines = [Line("補助対象経費", "対象と認められた経費の合計", eligible)]
    num, den = rule.rate_numerator, rule.rate_denominator
    amount = eligible * num // den
    if (num, den) != (1, 1):
        lines.append(Line("補助率", f"{eligible:,}円 × {num}/{den}（円未満切捨て）", amount))
    if rule.deduct_income:
        income = _count(inputs, "income")
        net = max(0, eligible - income)
        lines.append(Line("事業収入の控除", f"{eligible:,}円 − 事業収入 {income:,}円 = {net:,}円", net))
        amount = min(amount, net)
    components = list(rule.components.all())
    if components:
        limit_lines = [_component_line(c, inputs) for c in components]
        lines.extend(limit_lines)
        limit = sum(line.amount for line in limit_lines)
        lines.append(Line("限度額", "算定式による限度額（各項目の合計）", limit))
        if amount > limit:
            amount = limit
            lines.append(Line("限度額の適用", f"限度額 {limit:,}円を適用", amount))
    if rule.cap_amount is not None and amount > rule.cap_amount:
        amount = rule.cap_amount
        lines.append(Line("上限額", f"上限額 {rule.cap_amount:,}円を適用", amount))
    rounded = round_to(amount, rule.rounding_unit, rule.rounding_mode)
    if rule.rounding_unit > 1:
        label = f"{rule.rounding_unit:,}円未満{rule.get_rounding_mode_display()}"
        lines.append(Line("端数処理", label, rounded))
    lines.append(Line("交付額", "算定額", rounded))
    return Computation(lines=lines, amount=rounded)
