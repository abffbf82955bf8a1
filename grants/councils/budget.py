"""Budget and report lines of a full-lifecycle case, and the amounts computed from them (GRANTS.md §3–§4).

The application's 収支予算書 is the case's ``BudgetLine`` rows without a change request; once a 変更承認申請 is
approved, its lines are the current budget. Amounts come from the programme-year's rule (engine.compute):
- 運営支援 (STAFF_COST + ACTUAL_COST components): staff costs per staff member (lines of a 人件費 費目 with a
  事務局員), and running costs (every other expense line);
- 活動支援 (COST basis): the eligible expense total (income deducted when the rule says so), limited by the
  rule's formula (e.g. 均等割 + 世帯割 of the 地域's households).
"""
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from grants.accounts.models import User
from grants.cases.models import (
    BudgetLine,
    ChangeRequest,
    ChangeStatus,
    GrantCase,
    LineFields,
    LineKind,
    PerformanceReport,
    ReportLine,
    Status,
)
from grants.cases.permissions import access_case
from grants.core.models import record_event
from grants.organizations.models import HouseholdCount, OrganizationKind, PlanItem, SecretariatStaff
from grants.programmes.engine import Computation, compute, load_rule
from grants.programmes.models import ActivityPurpose, ExpenseCategory

MAX_LINE_AMOUNT = 1_000_000_000  # ¥1 billion: far above any council budget line; guards against typos


class LineError(Exception):
    """A line cannot be written; the message is in Japanese and names the field."""


def current_change(case: GrantCase) -> ChangeRequest | None:
    return case.change_requests.filter(status=ChangeStatus.APPROVED).order_by("-pk").first()


def current_lines(case: GrantCase) -> list[BudgetLine]:
    """The case's budget as it stands: the latest approved change's lines, else the application's."""
    change = current_change(case)
    qs = BudgetLine.objects.filter(case=case, change_request=change)
    return list(qs.select_related("category", "plan_item", "purpose", "staff").order_by("kind", "order", "pk"))


def pays_staff_costs(programme_year: object) -> bool:
    """Whether the year's rule pays 事務局員 costs per person (a STAFF_COST component: 運営支援)."""
    from grants.programmes.models import ComponentKind

    return programme_year.components.filter(kind=ComponentKind.STAFF_COST).exists()  # type: ignore[attr-defined]


def area_households(case: GrantCase) -> int:
    """Member households of the associations of the council's 地域 on the rule's base date (latest count of
    each association on that date), or the 地域's published households when no count is on file."""
    org = case.organization
    base = case.programme_year.base_date
    counts = (HouseholdCount.objects
              .filter(organization__area=org.area_id, organization__kind=OrganizationKind.JICHIKAI, base_date=base)
              .order_by("organization_id", "-recorded_at", "-pk"))
    seen, total = set(), 0
    for count in counts.only("organization_id", "households"):
        if count.organization_id not in seen:
            seen.add(count.organization_id)
            total += count.households
    if not seen and org.area_id and org.area.households:
        return org.area.households
    return total


def inputs_for(case: GrantCase, lines: Sequence[LineFields]) -> dict[str, object]:
    """Engine inputs from ``lines`` (already filtered to what counts): staff costs per staff member, running
    costs, eligible cost, income, and the 地域's households."""
    per_staff: dict[int, int] = defaultdict(int)
    running = eligible = income = 0
    for line in lines:
        if line.kind == LineKind.INCOME:
            income += line.amount
            continue
        eligible += line.amount
        if line.category_id and line.category.is_staff_cost and line.staff_id:
            per_staff[line.staff_id] += line.amount
        else:
            running += line.amount
    return {
        "staff_costs": [per_staff[k] for k in sorted(per_staff)],
        "running_costs": running,
        "eligible_cost": eligible,
        "income": income,
        "households": area_households(case),
    }


def compute_amount(case: GrantCase, lines: Sequence[LineFields]) -> Computation:
    """The programme-year's rule applied to ``lines`` (whole yen)."""
    return compute(load_rule(case.programme_year_id), inputs_for(case, lines))


# -- writing lines --------------------------------------------------------------------------------------------

EDITABLE_BUDGET = {Status.DRAFT}


def _check_line_fields(case: GrantCase, data: dict[str, object]) -> dict[str, object]:
    """Validate a line's fields; returns model field values. Raises ``LineError`` naming the field."""
    kind = data.get("kind") or LineKind.EXPENSE
    if kind not in LineKind.values:
        raise LineError("区分: 収入か支出を選んでください。")
    description = str(data.get("description") or "").strip()
    if not description:
        raise LineError("内容: 入力してください。")
    if len(description) > 200:
        raise LineError("内容: 200文字以内で入力してください。")
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_LINE_AMOUNT:
        raise LineError(f"金額: 1円以上{MAX_LINE_AMOUNT:,}円以下の整数で入力してください。")
    values: dict[str, object] = {"kind": kind, "description": description, "amount": amount,
                                 "spent_on": data.get("spent_on"),
                                 "condition_confirmed": bool(data.get("condition_confirmed")),
                                 "category": None, "plan_item": None, "purpose": None, "staff": None}
    if kind == LineKind.EXPENSE:
        category = data.get("category")
        if not isinstance(category, ExpenseCategory):
            raise LineError("費目: 支出の明細には費目を選んでください。")
        values["category"] = category
        item = data.get("plan_item")
        if item is not None:
            if not isinstance(item, PlanItem) or item.plan.organization_id != case.organization_id:
                raise LineError("計画の取組: この協議会の地域づくり計画の項目を選んでください。")
            values["plan_item"] = item
        purpose = data.get("purpose")
        if purpose is not None:
            if not isinstance(purpose, ActivityPurpose) or purpose.programme_year_id != case.programme_year_id:
                raise LineError("活動の目的: この年度の交付基準にある目的を選んでください。")
            values["purpose"] = purpose
        staff = data.get("staff")
        if staff is not None:
            if not isinstance(staff, SecretariatStaff) or staff.organization_id != case.organization_id:
                raise LineError("事務局員: この協議会の事務局員を選んでください。")
            values["staff"] = staff
    return values


def _locked_case(actor: User, case_id: int) -> GrantCase:
    case = access_case(actor, case_id, for_update=True)
    if case.programme_year.programme.lifecycle != "full":
        raise LineError("この事業の案件には収支の明細はありません。")
    if actor.role not in ("association_head", "staff"):
        raise LineError("収支の明細を入力する権限がありません。")
    return case


def _target(case: GrantCase, where: str) -> dict[str, object]:
    """Where a line goes: ``budget`` (the application, only while a draft), ``change`` (the open draft change
    request), ``report`` (the 実績報告, while the case is decided and the report not yet submitted)."""
    if where == "budget":
        if case.status not in EDITABLE_BUDGET:
            raise LineError("提出前の申請でのみ収支予算を変更できます。")
        return {"model": BudgetLine, "fields": {"case": case, "change_request": None}}
    if where == "change":
        change = case.change_requests.filter(status=ChangeStatus.DRAFT).first()
        if change is None or case.status != Status.DECIDED:
            raise LineError("作成中の変更承認申請がありません。")
        return {"model": BudgetLine, "fields": {"case": case, "change_request": change}}
    if where == "report":
        report = PerformanceReport.objects.filter(case=case).first()
        if report is None or case.status != Status.DECIDED:
            raise LineError("実績報告は、交付決定後、提出前のあいだだけ入力できます。"
                            "先に実績報告の概要を保存してください。")
        return {"model": ReportLine, "fields": {"report": report}}
    raise LineError("明細の種類が正しくありません。")


def add_line(*, case_id: int, actor: User, where: str, data: dict[str, object]) -> LineFields:
    """Add a line to the application budget, the draft change request or the 実績報告 (see ``_target``).
    ``data``: kind, category, plan_item, purpose, staff, description, amount (whole yen), spent_on,
    condition_confirmed, and for the report ``recipient`` (再交付先). Raises ``LineError``."""
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        target = _target(case, where)
        values = _check_line_fields(case, data)
        if where == "report":
            recipient = str(data.get("recipient") or "").strip()
            if recipient and values["kind"] != LineKind.EXPENSE:
                raise LineError("再交付先: 支出の明細にのみ入力できます。")
            if len(recipient) > 120:
                raise LineError("再交付先: 120文字以内で入力してください。")
            values["recipient"] = recipient
        model = target["model"]
        line = model.objects.create(**target["fields"], **values)
        record_event(actor=actor, subject=case, action=f"add_{where}_line",
                     note=f"{line.get_kind_display()} {line.category or ''} {line.description} {line.amount:,}円")
    return line


def delete_line(*, case_id: int, actor: User, where: str, line_id: int) -> None:
    """Remove a line of the application budget, the draft change request or the unsent 実績報告."""
    with transaction.atomic():
        case = _locked_case(actor, case_id)
        target = _target(case, where)
        model = target["model"]
        line = model.objects.filter(pk=line_id, **target["fields"]).first()
        if line is None:
            raise LineError("明細が見つかりません。")
        note = f"{line.get_kind_display()} {line.category or ''} {line.description} {line.amount:,}円"
        if where == "change":
            # An override carried onto this copy (lifecycle._carry_overrides) goes with it; the original stays.
            case.overrides.filter(check_code__endswith=f"@b{line.pk}").delete()
        line.delete()
        record_event(actor=actor, subject=case, action=f"delete_{where}_line", note=note)


def copy_lines(lines: Sequence[BudgetLine], **fields: object) -> list[BudgetLine]:
    """New budget lines copying ``lines`` with ``fields`` set (e.g. to start a change request)."""
    keep = ("kind", "category_id", "plan_item_id", "purpose_id", "staff_id", "description", "amount", "spent_on",
            "condition_confirmed", "order")
    return BudgetLine.objects.bulk_create(
        BudgetLine(**{name: getattr(line, name) for name in keep}, **fields) for line in lines
    )


def staff_lines(case: GrantCase) -> list[dict[str, object]]:
    """Suggested 人件費 lines for the 年度 from the council's secretariat staff records (one per person:
    monthly cost × months employed in the 年度), for the 運営支援 application."""
    fy = case.programme_year.fiscal_year
    category = ExpenseCategory.objects.filter(is_staff_cost=True).order_by("order").first()
    suggestions = []
    for staff in SecretariatStaff.objects.filter(organization=case.organization).order_by("employed_from", "pk"):
        cost = staff.cost_in(fy)
        if cost:
            suggestions.append({"staff": staff, "category": category, "amount": cost,
                                "description": f"{staff.role} {staff.name} 人件費（{staff.months_in(fy)}か月）"})
    return suggestions
