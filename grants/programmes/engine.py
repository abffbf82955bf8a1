"""The formula engine: a programme-year's rule (data) applied to an applicant's counts.

amount = round(max(floor, min(cap, Σ components))), each step shown as a line so that an association head can
follow the computation (GRANTS.md §4). Components and bands are read with ``prefetch_related`` by callers that
compute many amounts (``load_rule``).
"""
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from grants.core.money import round_to

from .models import COMPONENT_INPUT, CONDITION_INPUTS, ComponentKind, FormulaComponent, ProgrammeYear


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


def _count(inputs: Mapping[str, int], name: str) -> int:
    value = inputs.get(name)
    if value is None:
        raise MissingInputError(f"{CONDITION_INPUTS.get(name, name)}が入力されていません。")
    if value < 0:
        raise ValueError(f"{CONDITION_INPUTS.get(name, name)}が負の数になっています。")
    return value


def _component_line(component: FormulaComponent, inputs: Mapping[str, int]) -> Line:
    if component.condition_input:
        have = _count(inputs, component.condition_input)
        if have < (component.condition_min or 0):
            what = CONDITION_INPUTS[component.condition_input]
            basis = f"適用なし（{what} {have} が条件 {component.condition_min} 以上に未達）"
            return Line(component.label, basis, 0, False)
    if component.kind == ComponentKind.FLAT:
        return Line(component.label, "定額", component.unit_amount)
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


def compute(rule: ProgrammeYear, inputs: Mapping[str, int]) -> Computation:
    """Apply ``rule`` to ``inputs`` (counts by name: households, population, newsletters).

    Returns a ``Computation`` whose amount is whole yen. Raises ``MissingInputError`` when a needed count is
    absent and ``ValueError`` for a negative count. Source: the programme-year's 交付基準 (e.g. 下松市
    max(¥5,000, ¥3,000 + ¥50 × households) is FLAT 3,000 + PER_HOUSEHOLD 50 with floor 5,000).
    """
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
