"""Builders for council (地域づくり協議会) tests: a council with its secretary, the sample 費目 and purposes,
the two programme-years (運営支援, 活動支援) and an approved plan, and past years as data (councils in their own 地域
with cases created in their final state). Dates are relative to today, so the suite runs in any 年度 (CURRENT_FY)."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, Status
from grants.councils.stats import KATSUDO_SHIEN, UNEI_SHIEN
from grants.ledger.models import BudgetAccount
from grants.ledger.services import set_budget
from grants.organizations.models import (
    Area,
    CommunityPlan,
    ItemLevel,
    Organization,
    OrganizationKind,
    PlanItem,
    PlanStatus,
    SecretariatStaff,
)
from grants.programmes.models import (
    ActivityPurpose,
    AmountBasis,
    ComponentKind,
    ExpenseCategory,
    ExpenseRule,
    FormulaComponent,
    Instalment,
    Programme,
    ProgrammeYear,
    Treatment,
)
from tests import factories
from tests.factories import CURRENT_FY

CATEGORIES = [
    ("jinkenhi", "賃金・人件費", True),
    ("hoshohi", "報償費", False),
    ("shomohin", "消耗品費", False),
    ("shokuryohi", "食糧費", False),
    ("insatsu", "印刷製本費", False),
    ("kosaihi", "交際費", False),
    ("genzairyo", "原材料費", False),
    ("kofukin", "負担金補助及び交付金", False),
    ("kounetsu", "光熱水費", False),
]


def categories() -> dict[str, ExpenseCategory]:
    return {code: ExpenseCategory.objects.get_or_create(code=code, defaults={"name": name, "order": i,
                                                                            "is_staff_cost": staff})[0]
            for i, (code, name, staff) in enumerate(CATEGORIES)}


def council(name: str = "大歳地域づくり協議会", username: str = "secretary") -> tuple[Organization, User]:
    """A council of the 大歳 area with a bank account and its secretary as current representative."""
    org = Organization.objects.create(kind=OrganizationKind.KYOGIKAI, code=f"K-{username}", name=name,
                                      area=factories.AreaFactory())
    factories.BankAccountFactory(organization=org, holder_kana="ｵｵﾄｼﾁｲｷﾂﾞｸﾘｷﾖｳｷﾞｶｲ")
    user = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, title="事務局長", started_on=dt.date(2020, 4, 1))
    return org, user


COUNCIL_CHECKS = ["organization", "recipient_kind", "plan_in_force", "staff_costs", "expense_lines"]


# The 略称 a case number carries (令和8年度 活動支援 第1号), as the demo and the data migration give them.
SHORT_NAMES = {"unei_shien": "運営支援", "katsudo_shien": "活動支援"}


def _programme(code: str, name: str, plan_linked: bool) -> Programme:
    checks = [*COUNCIL_CHECKS, "plan_linkage"] if plan_linked else COUNCIL_CHECKS
    return Programme.objects.get_or_create(code=code, defaults={
        "name": name, "short_name": SHORT_NAMES[code], "recipient_kind": OrganizationKind.KYOGIKAI,
        "workflow": "full", "checks": checks})[0]


def _year(programme: Programme, **fields: object) -> ProgrammeYear:
    today = timezone.localdate()
    values = {
        "fiscal_year": CURRENT_FY, "label": "サンプル", "base_date": dt.date(CURRENT_FY, 4, 1),
        "application_opens": min(today, dt.date(CURRENT_FY, 4, 1)),
        "application_closes": max(today, dt.date(CURRENT_FY + 1, 3, 31)),
        "report_due_days": 30, "report_due_fixed": dt.date(CURRENT_FY + 1, 4, 10), "refund_due_days": 20,
        "surcharge_rate": Decimal("10.95"), "late_rate": Decimal("10.95"),
    }
    values.update(fields)
    return ProgrammeYear.objects.create(programme=programme, **values)


def _budget(py: ProgrammeYear, amount: int) -> None:
    BudgetAccount.objects.create(programme_year=py, budget_code="2款1項10目19節")
    set_budget(programme_year=py, budget=amount,
               actor=factories.UserFactory(username="budget-officer", role=Role.FINANCE))


def instalments(py: ProgrammeYear, shares: list[tuple[int, int]]) -> None:
    """Instalments all due today (so that they can be prepared in the test's own day)."""
    for order, (num, den) in enumerate(shares, start=1):
        Instalment.objects.create(programme_year=py, order=order, label=f"第{order}回", share_numerator=num,
                                  share_denominator=den, pay_on=timezone.localdate())


def katsudo_year(budget: int = 30_000_000, flat_limit: int = 2_000_000, per_household: int = 100,
                 **fields: object) -> ProgrammeYear:
    """活動支援: eligible cost × 10/10, limited by 2,000,000 + 100 × the area's households."""
    cats = categories()
    py = _year(_programme("katsudo_shien", "地域づくり活動支援交付金", True), amount_basis=AmountBasis.COST, **fields)
    FormulaComponent.objects.create(programme_year=py, order=0, kind=ComponentKind.FLAT, label="均等割",
                                    unit_amount=flat_limit)
    FormulaComponent.objects.create(programme_year=py, order=1, kind=ComponentKind.PER_HOUSEHOLD, label="世帯割",
                                    unit_amount=per_household)
    for code in ("hoshohi", "shomohin", "insatsu", "genzairyo", "kofukin", "kounetsu"):
        ExpenseRule.objects.create(programme_year=py, category=cats[code], treatment=Treatment.ALLOWED)
    ExpenseRule.objects.create(programme_year=py, category=cats["shokuryohi"], treatment=Treatment.CONDITIONAL,
                               condition="作業中の飲み物代であること（弁当・酒類は対象外）")
    ExpenseRule.objects.create(programme_year=py, category=cats["kosaihi"], treatment=Treatment.EXCLUDED,
                               reason="交際費は交付金の対象になりません")
    for order, (name, excluded, reason) in enumerate([
        ("防災・防犯", False, ""), ("地域福祉", False, ""), ("環境美化", False, ""),
        ("政治活動", True, "政党・候補者を支援する活動は対象外です"),
        ("宗教活動", True, "宗教の普及を目的とする活動は対象外です"),
    ]):
        ActivityPurpose.objects.create(programme_year=py, name=name, excluded=excluded, reason=reason, order=order)
    _budget(py, budget)
    return py


def unei_year(budget: int = 30_000_000, standard: int = 2_400_000, running_limit: int = 600_000,
              **fields: object) -> ProgrammeYear:
    """運営支援: Σ min(2,400,000, staff cost) + running costs up to 600,000; costs from April 1 count."""
    cats = categories()
    py = _year(_programme("unei_shien", "地域づくり運営支援交付金", False), amount_basis=AmountBasis.FORMULA,
               allow_costs_before_decision=True, **fields)
    FormulaComponent.objects.create(programme_year=py, order=0, kind=ComponentKind.STAFF_COST,
                                    label="事務局員人件費", unit_amount=standard)
    FormulaComponent.objects.create(programme_year=py, order=1, kind=ComponentKind.ACTUAL_COST, label="運営経費",
                                    unit_amount=running_limit)
    for code in ("jinkenhi", "shomohin", "kounetsu", "insatsu"):
        ExpenseRule.objects.create(programme_year=py, category=cats[code], treatment=Treatment.ALLOWED)
    _budget(py, budget)
    return py


def _plan_approver(drafter: User) -> User:
    """A staff member other than the plan's drafter: the one who drafts a plan never approves it."""
    return User.objects.get_or_create(username=f"plan-approver-of-{drafter.pk}",
                                      defaults={"role": Role.STAFF, "display_name": "計画承認 担当"})[0]


def approved_plan(org: Organization, staff: User, version: int = 1) -> CommunityPlan:
    """An approved plan for CURRENT_FY−1 … CURRENT_FY+3 with one 分野, 施策 and two 取組."""
    plan = CommunityPlan.objects.create(
        organization=org, version=version, term_label="第3期", title="大歳地域づくり計画",
        first_fiscal_year=CURRENT_FY - 1, last_fiscal_year=CURRENT_FY + 3, status=PlanStatus.APPROVED,
        created_by=staff, approved_by=_plan_approver(staff), approved_at=timezone.now(),
    )
    field = PlanItem.objects.create(plan=plan, level=ItemLevel.FIELD, code="1", title="安心・安全")
    measure = PlanItem.objects.create(plan=plan, parent=field, level=ItemLevel.MEASURE, code="1-1",
                                      title="防災力の向上")
    PlanItem.objects.create(plan=plan, parent=measure, level=ItemLevel.ACTION, code="1-1-1", title="防災訓練")
    PlanItem.objects.create(plan=plan, parent=measure, level=ItemLevel.ACTION, code="1-1-2",
                            title="水路・道路の小規模補修")
    return plan


def item(plan: CommunityPlan, code: str) -> PlanItem:
    return plan.items.get(code=code)


def draft_case(py: ProgrammeYear, org: Organization, start: dt.date | None = None) -> GrantCase:
    """A draft case whose project runs from ``start`` (today by default) to the end of the 年度."""
    return GrantCase.objects.create(programme_year=py, organization=org, project_title="地域づくり活動",
                                    project_start=start or timezone.localdate(),
                                    project_end=dt.date(CURRENT_FY + 1, 3, 31))


# The 事務局員 tests' dates (April 1 and October 1 of this 年度) and a monthly-paid 事務局長.
APRIL = dt.date(CURRENT_FY, 4, 1)


OCTOBER = dt.date(CURRENT_FY, 10, 1)


MONTHLY = {"name": "佐藤 花子", "role": "事務局長", "pay_basis": "monthly", "monthly_wage": 180_000,
           "social_insurance_monthly": 27_000, "employed_from": APRIL}


def staff_member(org: Organization, user: User, **fields: object) -> SecretariatStaff:
    values = {"name": "佐藤 花子", "role": "事務局員", "pay_basis": "monthly", "monthly_wage": 180_000,
              "social_insurance_monthly": 27_000, "employed_from": dt.date(CURRENT_FY, 4, 1)}
    values.update(fields)
    return SecretariatStaff.objects.create(organization=org, recorded_by=user, **values)


# --- past years as data: councils in their own 地域, and their cases created in their final state ---------------
NAMES = {UNEI_SHIEN: "地域づくり運営支援交付金", KATSUDO_SHIEN: "地域づくり活動支援交付金"}


def area(code: str, name: str) -> Area:
    return factories.AreaFactory(code=code, name=name, kana=name, centre_name=f"{name}地域交流センター")


def yuda() -> Area:
    return area("03", "湯田")


def council_of(area_: Area, name: str | None = None, code: str | None = None, **fields: object) -> Organization:
    return Organization.objects.create(kind=OrganizationKind.KYOGIKAI, code=code or f"K-{area_.code}",
                                       name=name or f"{area_.name}地域づくり協議会", area=area_, **fields)


def programme_year(code: str, fiscal_year: int) -> ProgrammeYear:
    """The council programme ``code`` for ``fiscal_year`` (created once)."""
    Programme.objects.get_or_create(code=code, defaults={
        "name": NAMES[code], "short_name": SHORT_NAMES[code], "recipient_kind": OrganizationKind.KYOGIKAI,
        "workflow": "full",
        "checks": [*COUNCIL_CHECKS, *(["plan_linkage"] if code == KATSUDO_SHIEN else [])]})
    existing = ProgrammeYear.objects.filter(programme__code=code, fiscal_year=fiscal_year).first()
    if existing:
        return existing
    py = factories.rule(code=code, fiscal_year=fiscal_year)
    BudgetAccount.objects.create(programme_year=py)  # the home page expects every programme-year to have one
    return py


def grant(org: Organization, code: str, fiscal_year: int, status: str, decided: int | None = None,
          confirmed: int | None = None) -> GrantCase:
    """A case in its final state (data of a past year), with the amounts given."""
    return GrantCase.objects.create(
        programme_year=programme_year(code, fiscal_year), organization=org, status=status, decided_amount=decided,
        confirmed_amount=confirmed, decided_on=None if decided is None else dt.date(fiscal_year, 5, 1),
    )


def closed(org: Organization, code: str, fiscal_year: int, confirmed: int, decided: int | None = None) -> GrantCase:
    return grant(org, code, fiscal_year, Status.CLOSED, decided=decided or confirmed, confirmed=confirmed)


def councils_with_history(start: int, count: int) -> None:
    """Councils ``start`` … ``start + count - 1``, each in its own 地域, with three closed years of each programme."""
    for number in range(start, start + count):
        org = council_of(area(f"{number + 10:02d}", f"地域{number}"))
        for year in (2021, 2022, 2023):
            closed(org, UNEI_SHIEN, year, 1_000 * number)
            closed(org, KATSUDO_SHIEN, year, 2_000 * number)
