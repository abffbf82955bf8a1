"""What a rule needs from the flow of its programme, and the refusal of a rule the flow cannot feed.

A rule is data, so a rule may name an input its programme's flow never gives: a 面積割 in a formula grant whose
cases are created from household counts and figures on file, or a cost-based rate in a flow without budget
lines. Such a rule is refused when it is saved in the admin, with the reason, instead of failing in the annual
run. What each flow gives is declared where it is registered (``grants.cases.workflows``, published through
``grants.core.workflow.supplies_of``); the measures (人口, 面積 …) are rows of ``Measure``.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from grants.core.workflow import machines_of, supplies_of
from grants.organizations.models import Measure

from .models import AmountBasis, FormulaComponent, ProgrammeYear, input_label

CASE_MODEL = "cases.GrantCase"
YEAR_NO = "year_no"


@dataclass(frozen=True)
class Need:
    """One input a rule needs (``code``: households, eligible_cost, a measure's code …) and the part of the rule
    that needs it, in words (「算定項目「面積割」」)."""

    code: str
    part: str


def rule_needs(rule: ProgrammeYear, components: Iterable[FormulaComponent], *, has_steps: bool = False) -> list[Need]:
    """The inputs ``rule`` needs with ``components`` (those being saved, not yet in the database): the eligible
    cost (and income when it is deducted) for a cost-based rule, the project's year (何年目) with repeat-year
    steps or a year limit, each component's count or cost input and the input of its condition."""
    needs: list[Need] = []
    if rule.amount_basis and rule.amount_basis != AmountBasis.FORMULA:
        basis = f"交付額の算定方法「{rule.get_amount_basis_display()}」"
        needs.append(Need("eligible_cost", basis))
        if rule.deduct_income:
            needs.append(Need("income", "事業収入の控除"))
    if has_steps or rule.max_project_years is not None:
        needs.append(Need(YEAR_NO, "同一事業の年目ごとの補助率・上限額"))
    for component in components:
        part = f"算定項目「{component.label}」"
        code = component.input_code or _cost_input(component)
        if code:
            needs.append(Need(code, part))
        if component.condition_input:
            needs.append(Need(component.condition_input, f"{part}の適用条件"))
    return needs


def _cost_input(component: FormulaComponent) -> str | None:
    return {"staff_cost": "staff_costs", "actual_cost": "running_costs"}.get(component.kind)


def _flow_name(variant: str) -> str:
    """The flow's first step, as the refusal names it: 申請書兼請求書, 交付申請 …"""
    label = next((m.label for m in machines_of(CASE_MODEL) if m.variant == variant), variant)
    inner = label.partition("（")[2] or label
    return inner.split(" → ")[0].rstrip("）")


def supplied_inputs(variant: str) -> set[str] | None:
    """The inputs the flow ``variant`` gives the engine (its declared inputs, and every measure's code when it
    supplies the measures), or None when the flow declared nothing (nothing is refused then)."""
    supplies = supplies_of(CASE_MODEL, variant)
    if supplies is None:
        return None
    codes = set(supplies.inputs)
    if supplies.measures:
        codes.update(Measure.objects.values_list("code", flat=True))
    return codes


def unfed_needs(rule: ProgrammeYear, components: Iterable[FormulaComponent], variant: str, *,
                has_steps: bool = False) -> list[str]:
    """Why the flow ``variant`` cannot feed ``rule`` with ``components``, one Japanese sentence per need it
    cannot supply (empty when it can), e.g. 「算定項目「面積割」は面積を使いますが、この事業の手続
    （申請書兼請求書）では面積を受け取れません。」"""
    supplied = supplied_inputs(variant)
    if supplied is None:
        return []
    flow = _flow_name(variant)
    reasons = []
    for need in rule_needs(rule, components, has_steps=has_steps):
        if need.code not in supplied:
            what = "何年目（同一事業として補助を受ける年数）" if need.code == YEAR_NO else input_label(need.code)
            reasons.append(f"{need.part}は{what}を使いますが、この事業の手続（{flow}）では{what}を受け取れません。")
    return list(dict.fromkeys(reasons))
