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
from typing import TypedDict

from django.db import transaction

from grants.accounts.models import Role, User
from grants.core.models import record_event
from grants.core.workflow import ActionRefused, access, may
from grants.organizations.models import HouseholdCount, OrganizationKind, PlanItem, SecretariatStaff
from grants.programmes.engine import Computation, compute
from grants.programmes.models import ActivityPurpose, ExpenseCategory

from .models import (
    BudgetLine,
    ChangeRequest,
    ChangeStatus,
    GrantCase,
    LineFields,
    LineKind,
    PerformanceReport,
    ReportLine,
)
from .rules import rule_for_case
from .workflows import workflow_for_case, workflow_of

MAX_LINE_AMOUNT = 1_000_000_000  # ¥1 billion: far above any council budget line; guards against typos


class LineError(ActionRefused):
    """A line cannot be written; the message is in Japanese and names the field."""


def current_change(case: GrantCase) -> ChangeRequest | None:
    return case.change_requests.filter(status=ChangeStatus.APPROVED).order_by("-pk").first()


def current_lines(case: GrantCase) -> list[BudgetLine]:
    """The case's budget as it stands: the latest approved change's lines, else the application's."""
    change = current_change(case)
    qs = BudgetLine.objects.filter(case=case, change_request=change)
    return list(qs.select_related("category", "plan_item", "purpose", "staff").order_by("kind", "order", "pk"))


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


def inputs_for(case: GrantCase, lines: Sequence[LineFields]) -> dict[str, int | list[int]]:
    """Engine inputs from ``lines`` (already filtered to what counts): staff costs per staff member, running
    costs, eligible cost, income, the 地域's households, and the year of the same project (``year_no``, 何年目)."""
    per_staff: dict[int, int] = defaultdict(int)
    running = eligible = income = 0
    for line in lines:
        if line.kind == LineKind.INCOME:
            income += line.amount
            continue
        eligible += line.amount
        if line.category is not None and line.category.is_staff_cost and line.staff_id:
            per_staff[line.staff_id] += line.amount
        else:
            running += line.amount
    return {
        "staff_costs": [per_staff[k] for k in sorted(per_staff)],
        "running_costs": running,
        "eligible_cost": eligible,
        "income": income,
        "households": area_households(case),
        "year_no": case.repeat_year,
    }


def compute_amount(case: GrantCase, lines: Sequence[LineFields]) -> Computation:
    """The case's rule applied to ``lines`` (whole yen): the version it was decided under once decided, the
    programme-year's rule as it stands before (``rules.rule_for_case``)."""
    return compute(rule_for_case(case), inputs_for(case, lines))


# -- writing lines --------------------------------------------------------------------------------------------

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


def lock_for_lines(actor: User, case_id: int) -> GrantCase:
    """The case locked for writing its lines, refused for a workflow without lines or a user who may not."""
    flow = workflow_for_case(case_id)
    case = access(flow.machine, actor, case_id, lock=True)
    if not flow.budget_lines:
        raise LineError("この事業の案件には収支の明細はありません。")
    if actor.role not in (Role.ASSOCIATION_HEAD, Role.STAFF):
        raise LineError("収支の明細を入力する権限がありません。")
    return case


class _Target(TypedDict):
    model: type[BudgetLine] | type[ReportLine]
    fields: dict[str, object]


def _target(case: GrantCase, where: str, actor: User) -> _Target:
    """Where a line goes: ``budget`` (the application, only while a draft), ``change`` (the open draft change
    request), ``report`` (the 実績報告, while the case is decided and the report not yet submitted)."""
    machine = workflow_of(case).machine
    if where == "budget":
        if not may(machine, case, actor, "edit_application"):
            raise LineError("提出前の申請でのみ収支予算を変更できます。")
        return {"model": BudgetLine, "fields": {"case": case, "change_request": None}}
    if where == "change":
        change = case.change_requests.filter(status=ChangeStatus.DRAFT).first()
        if change is None or not may(machine, case, actor, "start_change"):
            raise LineError("作成中の変更承認申請がありません。")
        return {"model": BudgetLine, "fields": {"case": case, "change_request": change}}
    if where == "report":
        report = PerformanceReport.objects.filter(case=case).first()
        if report is None or not may(machine, case, actor, "enter_receipts"):
            raise LineError("実績報告は、交付決定後、提出前のあいだだけ入力できます。"
                            "先に実績報告の概要を保存してください。")
        return {"model": ReportLine, "fields": {"report": report}}
    raise LineError("明細の種類が正しくありません。")


def add_line(*, case_id: int, actor: User, where: str, data: dict[str, object]) -> LineFields:
    """Add a line to the application budget, the draft change request or the 実績報告 (see ``_target``).
    ``data``: kind, category, plan_item, purpose, staff, description, amount (whole yen), spent_on,
    condition_confirmed, and for the report ``recipient`` (再交付先). Raises ``LineError``."""
    with transaction.atomic():
        case = lock_for_lines(actor, case_id)
        target = _target(case, where, actor)
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
        case = lock_for_lines(actor, case_id)
        target = _target(case, where, actor)
        model = target["model"]
        line = model.objects.filter(pk=line_id, **target["fields"]).first()
        if line is None:
            raise LineError("明細が見つかりません。")
        note = f"{line.get_kind_display()} {line.category or ''} {line.description} {line.amount:,}円"
        if where == "change":
            # An override carried onto this copy (changes.carry_overrides) goes with it; the original stays.
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
