"""Eligibility checks of full-lifecycle cases (地域づくり協議会の運営支援・活動支援), GRANTS.md §5.

Two kinds of check, each with a reason a council secretary can follow:

- on the organisation: active, of the kind the programme accepts, a head registered, an account on file, and
  an approved 地域づくり計画 in force for the 年度;
- on each expense line (of the application, of a change request, or of the 実績報告): linked to an item of
  the plan in force (plan-linked programmes), the 費目 allowed (or its condition confirmed), no excluded
  purpose, dated inside the grant period, and not dated before the decision (unless the year's rule allows it).

A failed check may be overridden by staff with a written justification; the override counts once a second
person approved it. Line checks carry the line in their code (``plan_item@b12`` for budget line 12,
``…@r7`` for report line 7), so an override applies to that line only.
"""
import copy
import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from grants.cases.eligibility import CheckResult
from grants.cases.models import ChangeRequest, GrantCase, LineFields, LineKind
from grants.core.fiscal import fiscal_year_bounds, wareki
from grants.organizations.models import CommunityPlan, ItemLevel
from grants.programmes.models import ExpenseRule, Treatment

ORG_CHECKS = {
    "organization_active": "団体が活動中であること",
    "organization_kind": "交付対象の団体であること",
    "representative": "代表者が登録されていること",
    "bank_account": "振込先口座が登録されていること",
    "plan_in_force": "承認された地域づくり計画が今年度に効力をもつこと",
}
LINE_CHECKS = {
    "plan_item": "地域づくり計画の取組に基づく経費であること",
    "category": "対象となる費目であること",
    "purpose": "対象外の目的の活動でないこと",
    "period": "交付の対象期間内の経費であること",
    "before_decision": "交付決定より前の経費でないこと",
    "staff": "人件費の明細に事務局員が選ばれていること",
}
CHECK_LABELS = {**ORG_CHECKS, **LINE_CHECKS}


def base_code(check_code: str) -> str:
    return check_code.split("@", 1)[0]


def grant_period(case: GrantCase) -> tuple[dt.date, dt.date]:
    """The period whose costs the grant may pay: the 年度, narrowed to the project's start and completion
    deadline (or planned end) when they are set."""
    start, end = fiscal_year_bounds(case.programme_year.fiscal_year)
    if case.project_start:
        start = max(start, case.project_start)
    last = case.completion_deadline or case.project_end
    if last:
        end = min(end, last)
    return start, end


def as_changed(case: GrantCase, change: ChangeRequest) -> GrantCase:
    """``case`` as a pending 変更承認申請 would leave it, for judging the change's lines: with the changed
    completion deadline when the change asks for one (an unsaved copy; ``case`` itself is not touched)."""
    if not change.new_completion_deadline:
        return case
    judged = copy.copy(case)
    judged.completion_deadline = change.new_completion_deadline
    return judged


def decision_reference(case: GrantCase) -> tuple[dt.date, str]:
    """The day before which costs are not eligible, and its name: the decision date once decided, else the
    day of application (today while still a draft)."""
    if case.decided_on:
        return case.decided_on, "交付決定日"
    if case.submitted_at:
        return timezone.localtime(case.submitted_at).date(), "申請日"
    return timezone.localdate(), "申請日（本日）"


def _kind_label(kind: str) -> str:
    from grants.organizations.models import OrganizationKind

    return OrganizationKind(kind).label if kind in OrganizationKind.values else kind


def _org_results(case: GrantCase, plan: CommunityPlan | None) -> list[tuple[str, bool, str]]:
    org, programme = case.organization, case.programme_year.programme
    year = case.programme_year.fiscal_year_label
    return [
        ("organization_active", org.is_active,
         "この団体は活動中として登録されていません。団体の状況を確認してください。"),
        ("organization_kind", org.kind == programme.recipient_kind,
         f"この交付金は「{_kind_label(programme.recipient_kind)}」が対象です。"
         f"この団体の種別は「{org.get_kind_display()}」です。"),
        ("representative", org.current_representative() is not None,
         "現在の代表者（会長）が登録されていません。代表者の届出を確認してください。"),
        ("bank_account", org.current_bank_account() is not None,
         "振込先の口座が登録されていません。通帳の写しをもとに口座を登録してください。"),
        ("plan_in_force", plan is not None,
         f"{year}に効力のある、市の承認を受けた地域づくり計画がありません。計画を提出し、承認を受けてください。"),
    ]


def _line_results(
    case: GrantCase, line: LineFields, plan: CommunityPlan | None, rules: dict[int, ExpenseRule],
    staff_rule: bool = False, staff_totals: dict[int, int] | None = None,
) -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = []
    if staff_rule and line.category_id and line.category.is_staff_cost:
        # The rule pays each staff member up to a standard amount: an unnamed 人件費 line cannot be judged, and
        # a person's lines may not claim more than the employment recorded for the 年度.
        if line.staff_id is None:
            results.append(("staff", False, "人件費の明細には、どの事務局員の経費かを選んでください"
                            "（1人あたりの標準額と比べるため）。"))
        else:
            fy = case.programme_year.fiscal_year
            recorded = line.staff.cost_in(fy)
            claimed = (staff_totals or {}).get(line.staff_id, line.amount)
            year = case.programme_year.fiscal_year_label
            results.append(("staff", claimed <= recorded,
                            f"事務局員「{line.staff.name}」の人件費の明細（合計 {claimed:,}円）が、登録された"
                            f"雇用条件による{year}の人件費（{recorded:,}円）を超えています。"
                            "事務局員の記録（給与・期間）を確認してください。"))
    rule_year = case.programme_year
    if rule_year.programme.plan_linked:
        if line.plan_item_id is None:
            results.append(("plan_item", False, "この経費は地域づくり計画のどの取組に基づくかが選ばれていません。"
                            "計画の施策・取組を選んでください。"))
        elif line.plan_item.level == ItemLevel.FIELD:
            results.append(("plan_item", False, f"選ばれた「{line.plan_item}」は計画の分野です。"
                            "この経費が基づく施策・取組を選んでください。"))
        elif plan is None or line.plan_item.plan_id != plan.pk:
            results.append(("plan_item", False, f"選ばれた取組「{line.plan_item}」は、{rule_year.fiscal_year_label}"
                            "に効力のある地域づくり計画の項目ではありません（改定前の計画の項目の可能性があります）。"))
        else:
            results.append(("plan_item", True, ""))
    rule = rules.get(line.category_id) if line.category_id else None
    name = line.category.name if line.category_id else "（費目なし）"
    if rule is None:
        results.append(("category", False, f"「{name}」はこの交付金の対象となる費目として定められていません。"))
    elif rule.treatment == Treatment.EXCLUDED:
        why = f"（{rule.reason}）" if rule.reason else ""
        results.append(("category", False, f"「{name}」はこの交付金の対象外の費目です{why}。"))
    elif rule.treatment == Treatment.CONDITIONAL and not line.condition_confirmed:
        results.append(("category", False, f"「{name}」は条件付きで対象になる費目です。条件：{rule.condition}。"
                        "条件を満たす場合は、明細の確認欄に印を付けてください。"))
    else:
        results.append(("category", True, ""))
    if line.purpose_id and line.purpose.excluded:
        results.append(("purpose", False, f"目的「{line.purpose.name}」の活動は対象外です（{line.purpose.reason}）。"))
    else:
        results.append(("purpose", True, ""))
    start, end = grant_period(case)
    if line.spent_on is None:
        results.append(("period", False, "支出（予定）日が入力されていません。"))
    elif not start <= line.spent_on <= end:
        results.append(("period", False, f"支出（予定）日 {wareki(line.spent_on)} が、対象期間（{wareki(start)}〜"
                        f"{wareki(end)}）の外です。"))
    else:
        results.append(("period", True, ""))
    if not rule_year.allow_costs_before_decision and line.spent_on is not None:
        reference, what = decision_reference(case)
        ok = line.spent_on >= reference
        results.append(("before_decision", ok, f"支出（予定）日 {wareki(line.spent_on)} は{what}（{wareki(reference)}）"
                        "より前です。交付決定前の経費は対象になりません。"))
    return results


def run_line_checks(
    case: GrantCase, lines: Iterable[LineFields], prefix: str, overrides: dict, plan: CommunityPlan | None
) -> list[CheckResult]:
    rules = {r.category_id: r for r in case.programme_year.expense_rules.all()}
    from .budget import pays_staff_costs

    staff_rule = pays_staff_costs(case.programme_year)
    lines = list(lines)
    staff_totals: dict[int, int] = {}
    for line in lines:
        if line.kind == LineKind.EXPENSE and line.staff_id and line.category_id and line.category.is_staff_cost:
            staff_totals[line.staff_id] = staff_totals.get(line.staff_id, 0) + line.amount
    results = []
    for line in lines:
        if line.kind != LineKind.EXPENSE:
            continue
        for code, passed, reason in _line_results(case, line, plan, rules, staff_rule, staff_totals):
            full = f"{code}@{prefix}{line.pk}"
            label = f"{LINE_CHECKS[code]}（{line.description}）"
            results.append(CheckResult(full, label, passed, "" if passed else reason, overrides.get(full)))
    return results


def plan_in_force(case: GrantCase) -> CommunityPlan | None:
    return CommunityPlan.objects.in_force(case.organization_id, case.programme_year.fiscal_year)


def approved_overrides(case: GrantCase) -> dict:
    """Overrides that count: those approved by a second person."""
    return {o.check_code: o for o in case.overrides.select_related("actor", "approved_by")
            if o.approved_by_id is not None}


def judged_plan(case: GrantCase) -> CommunityPlan | None:
    """The plan version the case is judged against: the one fixed on the case at its decision (or at its latest
    approved change), else the plan in force for the 年度."""
    return case.plan if case.plan_id else plan_in_force(case)


def run_checks(
    case: GrantCase, lines: Iterable[LineFields] | None = None, prefix: str = "b",
    plan: CommunityPlan | None = None,
) -> list[CheckResult]:
    """Every check of ``case``: the organisation's, then each expense line of ``lines`` (default: the case's
    current budget lines), against ``plan`` (default: ``judged_plan``). Each result carries its approved
    override, if any."""
    from .budget import current_lines

    plan = plan or judged_plan(case)
    overrides = approved_overrides(case)
    results = [CheckResult(code, ORG_CHECKS[code], passed, "" if passed else reason, overrides.get(code))
               for code, passed, reason in _org_results(case, plan)]
    if lines is None:
        lines = current_lines(case)
    results.extend(run_line_checks(case, lines, prefix, overrides, plan))
    return results


def eligible_lines(
    case: GrantCase, lines: list[LineFields], prefix: str, plan: CommunityPlan | None = None
) -> list[LineFields]:
    """The lines that count: the income lines (deducted where the rule says so) and the expense lines whose every
    check passed or was overridden with approval."""
    results = run_line_checks(case, lines, prefix, approved_overrides(case), plan or judged_plan(case))
    bad = {r.code.split("@", 1)[1] for r in results if not r.ok}
    return [line for line in lines if line.kind == LineKind.INCOME or f"{prefix}{line.pk}" not in bad]


def checks_for_stage(case: GrantCase) -> list[CheckResult]:
    """The checks staff look at now: the 実績報告's lines once it is submitted, the pending change's lines
    while a change is examined, otherwise the application's lines."""
    from grants.cases.models import Status

    if case.status in (Status.REPORTED, Status.REPORT_VERIFIED, Status.CONFIRMED, Status.CLOSED):
        from .lifecycle import report_checks

        return report_checks(case)
    if case.status in (Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED):
        change = case.change_requests.filter(status="pending").first()
        if change is not None:
            lines = list(change.lines.select_related("category", "plan_item", "purpose", "staff"))
            return run_checks(as_changed(case, change), lines, "b", plan=plan_in_force(case))
    if case.status in (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED):
        return run_checks(case, plan=plan_in_force(case))
    return run_checks(case)


# Where overrides may be recorded: the stage whose lines are being examined.
OVERRIDE_STATES = {"submitted", "change_requested", "reported"}


def valid_override_code(case: GrantCase, check_code: str) -> bool:
    """Whether ``check_code`` names a check that failed for ``case`` at its present stage."""
    return any(r.code == check_code and not r.passed for r in checks_for_stage(case))
