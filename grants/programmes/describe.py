"""A programme-year's rule in plain, polite Japanese for a public page (募集案内): one sentence per element.

The sentences are read from the same data the engine computes with (``engine.compute``), so the page and the
amount never disagree: the rate and cap by repeat year (``RepeatYearStep``), the year limit, the deduction of
project income, the formula's components, floor and cap, and the rounding (GRANTS.md §4).
"""
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from grants.core.money import RoundingMode

from .models import AmountBasis, ComponentKind, FormulaComponent, ProgrammeYear

T = TypeVar("T")

# The unit of a per-count component: what one of the count is called.
_PER: dict[str, str] = {
    ComponentKind.PER_HOUSEHOLD: "世帯",
    ComponentKind.PER_CAPITA: "人",
}

_ROUNDING_VERB: dict[str, str] = {
    RoundingMode.FLOOR: "切り捨てます",
    RoundingMode.CEIL: "切り上げます",
    RoundingMode.HALF_UP: "四捨五入します",
}


@dataclass(frozen=True)
class YearSpan:
    """Years ``first``..``last`` (inclusive; ``last`` None = every later year) of the same project, with the
    rate (exact fraction) and cap (whole yen, None = no cap) that apply to them."""

    first: int
    last: int | None
    rate_numerator: int
    rate_denominator: int
    cap_amount: int | None

    @property
    def label(self) -> str:
        """「1年目」「2〜3年目」「4年目以降」."""
        if self.last is None:
            return f"{self.first}年目以降"
        if self.last == self.first:
            return f"{self.first}年目"
        return f"{self.first}〜{self.last}年目"


def year_spans(rule: ProgrammeYear) -> list[YearSpan]:
    """The rule's rate and cap by repeat year, as consecutive spans from year 1 up to ``max_project_years``.

    Without steps, one span (year 1 on) with the rule's own rate and cap. Years before the first step take the
    rule's own rate and cap, as in ``engine.year_terms``; steps past the year limit are left out.
    """
    limit = rule.max_project_years
    steps = sorted(rule.repeat_steps.all(), key=lambda s: s.from_year)
    if limit is not None:
        steps = [step for step in steps if step.from_year <= limit]
    starts: list[tuple[int, int, int, int | None]] = []
    if not steps or steps[0].from_year > 1:
        starts.append((1, rule.rate_numerator, rule.rate_denominator, rule.cap_amount))
    starts += [(s.from_year, s.rate_numerator, s.rate_denominator, s.cap_amount) for s in steps]
    spans = []
    for index, (first, num, den, cap) in enumerate(starts):
        last = starts[index + 1][0] - 1 if index + 1 < len(starts) else limit
        spans.append(YearSpan(first, last, num, den, cap))
    return spans


def merged_spans(spans: list[YearSpan], value: Callable[[YearSpan], T]) -> list[tuple[str, T]]:
    """Adjacent repeat-year spans with the same ``value`` joined: [(label of the joined years (「1年目」「2〜3年目」),
    value)], in year order."""
    runs: list[YearSpan] = []
    for span in spans:
        if runs and value(runs[-1]) == value(span):
            runs[-1] = replace(runs[-1], last=span.last)
        else:
            runs.append(span)
    return [(run.label, value(run)) for run in runs]


def _rate(numerator: int, denominator: int) -> str:
    return "全額" if numerator == denominator else f"{numerator}/{denominator}"


def _rate_sentence(spans: list[YearSpan]) -> str:
    rates = merged_spans(spans, lambda span: _rate(span.rate_numerator, span.rate_denominator))
    if len(rates) == 1:
        return f"補助対象経費の{rates[0][1]}を補助します。"
    parts = "、".join(f"{label}は{rate}" for label, rate in rates)
    return f"補助対象経費に、{parts}を掛けた額を補助します。"


def _bands_rate_sentence(rule: ProgrammeYear) -> str:
    """Marginal rate bands on cost, e.g. 「補助対象経費のうち、100,000円までの部分は全額、100,000円を超える部分は
    2/3を補助します。」."""
    parts, unpaid, below = [], [], 0
    for band in rule.cost_bands.all():
        if band.up_to is None:
            name = f"{below:,}円を超える部分"
        else:
            name = f"{band.up_to:,}円までの部分" if below == 0 else f"{below:,}円を超え{band.up_to:,}円までの部分"
        if band.rate_numerator == 0:  # a part the 要綱 does not pay (entered at 0/1): said so, not 「0/1を補助」
            unpaid.append(name)
        else:
            parts.append(f"{name}は{_rate(band.rate_numerator, band.rate_denominator)}")
        if band.up_to is None:
            break
        below = band.up_to
    said = f"補助対象経費のうち、{'、'.join(parts)}を補助します。" if parts else ""
    return said + (f"{'、'.join(unpaid)}は補助の対象になりません。" if unpaid else "")


def _cap_sentence(spans: list[YearSpan]) -> str | None:
    caps = merged_spans(spans, lambda span: span.cap_amount)
    if len(caps) == 1:
        cap = caps[0][1]
        return None if cap is None else f"上限額は{cap:,}円です。"
    parts = "、".join(f"{label}は上限なし" if cap is None else f"{label}{cap:,}円" for label, cap in caps)
    return f"上限額は{parts}です。"


def _bands_text(component: FormulaComponent, per: str) -> str:
    parts = []
    for band in component.bands.all():
        if band.to_count is None:
            parts.append(f"{band.from_count:,}{per}以上の部分は1{per}あたり{band.unit_amount:,}円")
        else:
            parts.append(f"{band.from_count:,}〜{band.to_count:,}{per}の部分は1{per}あたり{band.unit_amount:,}円")
    return "、".join(parts)


def _component_sentence(component: FormulaComponent) -> str:
    label, unit = component.label, component.unit_amount
    if component.kind == ComponentKind.FLAT:
        text = f"{label}は{unit:,}円"
    elif component.kind == ComponentKind.STAFF_COST:
        text = f"{label}は事務局員1人ごとに、人件費の実支出額と{unit:,}円の低い方"
    elif component.kind == ComponentKind.ACTUAL_COST:
        text = f"{label}は実支出額（{unit:,}円まで）" if unit else f"{label}は実支出額"
    else:
        # A quantity component (数量割) is per its measure's unit: 「面積割は1km²あたり10,000円です。」
        per = component.measure.unit if component.measure is not None else _PER.get(component.kind, "件")
        bands = _bands_text(component, per) if component.bands.all() else ""
        text = f"{label}は{bands}" if bands else f"{label}は1{per}あたり{unit:,}円"
    if component.condition_input:
        what = component.condition_label
        return f"{text}です（{what}が{component.condition_min}以上の場合に限ります）。"
    return f"{text}です。"


def describe_rule(rule: ProgrammeYear) -> list[str]:
    """The rule of ``rule`` as polite Japanese sentences, one per element, for a public page.

    COST basis, e.g. 大和高田市: 「補助対象経費の2/3を補助します。」「上限額は1年目150,000円、2〜3年目100,000円
    です。」「同一の事業への補助は3年までです。」; with income deducted 「事業収入がある場合は、補助対象経費から
    差し引いた額が限度です。」; with a rounding unit 「1,000円未満は切り捨てます。」. FORMULA basis: 「交付額は次の
    項目の合計です。」 then one sentence per component (label and unit amount in whole yen), the floor and cap.
    Marginal cost bands: 「補助対象経費のうち、100,000円までの部分は全額、100,000円を超える部分は2/3を補助します。」;
    COST_PLUS: 「交付額は、次の項目の額に、補助率による額を加えた額です。」, the components, then the rate; a rate
    product rounded other than down: 「補助率を掛けた額の1円未満の端数は四捨五入します。」.
    Reads components, bands and repeat-year steps (prefetched by ``engine.load_rule``); raises nothing.
    """
    spans = year_spans(rule)
    components = list(rule.components.all())
    sentences: list[str] = []
    rate = _bands_rate_sentence(rule) if rule.cost_bands.all() else _rate_sentence(spans)
    if rule.amount_basis == AmountBasis.COST:
        sentences.append(rate)
        if components:
            sentences.append("ただし、次の項目の合計額が限度です。")
            sentences += [_component_sentence(component) for component in components]
    elif rule.amount_basis == AmountBasis.COST_PLUS:
        if components:
            sentences.append("交付額は、次の項目の額に、補助率による額を加えた額です。")
            sentences += [_component_sentence(component) for component in components]
        sentences.append("補助率による額は、" + rate.removesuffix("を補助します。") + "です。")
        sentences.append("ただし、補助対象経費の額が限度です。")
    else:
        if components:
            sentences.append("交付額は次の項目の合計です。")
            sentences += [_component_sentence(component) for component in components]
        if rule.floor_amount is not None:
            sentences.append(f"合計が{rule.floor_amount:,}円に満たないときは、{rule.floor_amount:,}円を交付します。")
    cap = _cap_sentence(spans)
    if cap:
        sentences.append(cap)
    if rule.max_project_years is not None:
        sentences.append(f"同一の事業への補助は{rule.max_project_years}年までです。")
    cost_based = rule.amount_basis in (AmountBasis.COST, AmountBasis.COST_PLUS)
    if cost_based and rule.deduct_income:
        sentences.append("事業収入がある場合は、補助対象経費から差し引いた額が限度です。")
    if cost_based and rule.rate_rounding_mode != RoundingMode.FLOOR:
        verb = _ROUNDING_VERB.get(rule.rate_rounding_mode, "端数を処理します")
        sentences.append(f"補助率を掛けた額の1円未満の端数は{verb}。")
    if rule.rounding_unit > 1:
        verb = _ROUNDING_VERB.get(rule.rounding_mode, "端数を処理します")
        sentences.append(f"{rule.rounding_unit:,}円未満は{verb}。")
    return sentences
