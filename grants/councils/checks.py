"""The checks of the 地域づくり協議会's programmes, as providers a programme enables (GRANTS.md §5,
``Programme.checks``; the case's own checks are in ``grants.cases.checks``):

- ``plan_in_force``: an approved 地域づくり計画 in force for the 年度. The case keeps the plan version it was
  assessed against (``GrantCase.plan``); a decision is refused if the plan was revised since, and an approved
  変更承認申請 moves the case to the plan then in force.
- ``plan_linkage`` (活動支援交付金): each expense line is linked to a 施策 or 取組 of that plan.
- ``staff_costs`` (運営支援交付金, a rule with a STAFF_COST component): each 人件費 line names its 事務局員 and no
  person's lines claim more than the employment recorded for the 年度.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from grants.cases.checks import Stage
from grants.cases.models import GrantCase, LineFields, LineKind
from grants.core import checks as registry
from grants.core.checks import CheckProvider, Judgment
from grants.organizations.models import CommunityPlan, ItemLevel
from grants.programmes.models import ComponentKind, ProgrammeYear


def plan_in_force(case: GrantCase) -> CommunityPlan | None:
    return CommunityPlan.objects.in_force(case.organization_id, case.programme_year.fiscal_year)


def judged_plan(case: GrantCase) -> CommunityPlan | None:
    """The plan version the case is judged against: the one fixed on the case at its assessment (or at its
    latest approved change), else the plan in force for the 年度."""
    return case.plan if case.plan_id else plan_in_force(case)


def stage_plan(case: GrantCase, stage: Stage) -> CommunityPlan | None:
    """The plan a stage is judged against: the plan in force while the application or a change is examined
    (a change may relink lines to a revised plan), else the version the case was judged against."""
    if "plan" not in stage.memo:
        stage.memo["plan"] = plan_in_force(case) if stage.name in ("application", "change") else judged_plan(case)
    return stage.memo["plan"]


def pays_staff_costs(programme_year: ProgrammeYear) -> bool:
    """Whether the year's rule pays 事務局員 costs per person (a STAFF_COST component: 運営支援)."""
    return programme_year.components.filter(kind=ComponentKind.STAFF_COST).exists()


class PlanInForce(CheckProvider):
    code, label = "plan_in_force", "地域づくり計画（承認され、今年度に効力をもつこと）"
    checks = {"plan_in_force": "承認された地域づくり計画が今年度に効力をもつこと"}
    rank = {"plan_in_force": 70}

    def organisation(self, case: GrantCase, stage: Stage) -> Iterable[Judgment]:
        year = case.programme_year.fiscal_year_label
        yield ("plan_in_force", stage_plan(case, stage) is not None,
               f"{year}に効力のある、市の承認を受けた地域づくり計画がありません。計画を提出し、承認を受けてください。")

    def assessed(self, case: GrantCase) -> None:
        case.plan = plan_in_force(case)

    def before_decision(self, case: GrantCase) -> str | None:
        in_force = plan_in_force(case)
        if in_force is None or in_force.pk != case.plan_id:
            return ("審査の後に地域づくり計画が改定されました（または効力を失いました）。"
                    "審査をやり直すため、差し戻してください。")
        return None

    def change_approved(self, case: GrantCase) -> None:
        case.plan = plan_in_force(case) or case.plan


class PlanLinkage(CheckProvider):
    code, label = "plan_linkage", "地域づくり計画との関連付けが必要（経費の明細ごとに計画の施策・取組）"
    checks = {"plan_item": "地域づくり計画の取組に基づく経費であること"}
    rank = {"plan_item": 120}

    def line(self, case: GrantCase, line: LineFields, stage: Stage) -> Iterable[Judgment]:
        plan = stage_plan(case, stage)
        item = line.plan_item
        if item is None:
            yield ("plan_item", False, "この経費は地域づくり計画のどの取組に基づくかが選ばれていません。"
                                       "計画の施策・取組を選んでください。")
        elif item.level == ItemLevel.FIELD:
            yield ("plan_item", False, f"選ばれた「{item}」は計画の分野です。"
                                       "この経費が基づく施策・取組を選んでください。")
        elif plan is None or item.plan_id != plan.pk:
            yield ("plan_item", False, f"選ばれた取組「{item}」は、{case.programme_year.fiscal_year_label}"
                                       "に効力のある地域づくり計画の項目ではありません（改定前の計画の項目の可能性があります）。")
        else:
            yield ("plan_item", True, "")


class StaffCosts(CheckProvider):
    code, label = "staff_costs", "事務局員の人件費（事務局員の記録との照合）"
    checks = {"staff": "人件費の明細に事務局員が選ばれていること"}
    rank = {"staff": 110}

    def line(self, case: GrantCase, line: LineFields, stage: Stage) -> Iterable[Judgment]:
        if "pays_staff" not in stage.memo:
            stage.memo["pays_staff"] = pays_staff_costs(case.programme_year)
            stage.memo["staff_totals"] = _staff_totals(stage.lines or [])
        if not (stage.memo["pays_staff"] and line.category is not None and line.category.is_staff_cost):
            return
        # The rule pays each staff member up to a standard amount: an unnamed 人件費 line cannot be judged, and
        # a person's lines may not claim more than the employment recorded for the 年度.
        staff = line.staff
        if staff is None:
            yield ("staff", False, "人件費の明細には、どの事務局員の経費かを選んでください"
                                   "（1人あたりの標準額と比べるため）。")
            return
        recorded = staff.cost_in(case.programme_year.fiscal_year)
        claimed = stage.memo["staff_totals"].get(line.staff_id, line.amount)
        year = case.programme_year.fiscal_year_label
        yield ("staff", claimed <= recorded,
               f"事務局員「{staff.name}」の人件費の明細（合計 {claimed:,}円）が、登録された"
               f"雇用条件による{year}の人件費（{recorded:,}円）を超えています。事務局員の記録（給与・期間）を確認してください。")


def _staff_totals(lines: Sequence[LineFields]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for line in lines:
        if (line.kind == LineKind.EXPENSE and line.staff_id
                and line.category is not None and line.category.is_staff_cost):
            totals[line.staff_id] = totals.get(line.staff_id, 0) + line.amount
    return totals


for _provider in (PlanInForce(), PlanLinkage(), StaffCosts()):
    registry.register(_provider)
