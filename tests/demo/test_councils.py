"""The council demo of ``setup_demo``: 21 councils with their plans and staff, sample rules for both grants,
past years as migrated data whose ledger agrees with the cases, and 湯田's published FY2023 figure."""
import datetime as dt
import io
from fractions import Fraction

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase, Status
from grants.core.fiscal import fiscal_year_of
from grants.core.models import AuditEvent
from grants.demo.councils import MIGRATION_NOTE
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry, PaymentOrder
from grants.ledger.services import case_totals
from grants.organizations.models import (
    Area,
    CommunityPlan,
    Organization,
    OrganizationKind,
    PlanStatus,
    Representative,
    SecretariatStaff,
)
from grants.programmes.models import ExpenseRule, Programme, ProgrammeYear, Treatment
from reports.dashboard import area_totals, programme_totals
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

PASSWORD = "demo-test-pass"


def _setup() -> str:
    out = io.StringIO()
    call_command("setup_demo", password=PASSWORD, stdout=out)
    return out.getvalue()


def _council_cases():  # type: ignore[no-untyped-def]
    return GrantCase.objects.filter(organization__kind=OrganizationKind.KYOGIKAI)


def _counts() -> dict[str, int]:
    models = (Organization, Representative, SecretariatStaff, CommunityPlan, ProgrammeYear, ExpenseRule, GrantCase,
              LedgerEntry, PaymentOrder, AuditEvent, User)
    return {model.__name__: model.objects.count() for model in models}


def test_demo_councils_rules_plans_and_history() -> None:
    output = _setup()

    # 21 councils, one per 地域, with names that differ by area, each with an account, a 会長 and staff (a 事務局長 first).
    councils = Organization.objects.filter(kind=OrganizationKind.KYOGIKAI).select_related("area")
    assert councils.count() == 21 == Area.objects.count()
    assert sorted(c.area.code for c in councils) == sorted(Area.objects.values_list("code", flat=True))
    names = {c.area.code: c.name for c in councils}
    assert (names["01"], names["03"], names["17"], names["14"], names["19"], names["20"]) == (
        "大殿地域づくり協議会", "湯田地域づくり協議会", "小郡地域づくり協議会", "秋穂二島まちづくり協議会",
        "阿知須コミュニティ協議会", "徳地地域づくり協議会")
    assert len(set(names.values())) == 21
    assert {suffix for suffix in ("地域づくり協議会", "まちづくり協議会", "コミュニティ協議会", "コミュニティ運営協議会")
            if any(name.endswith(suffix) for name in names.values())} == {
        "地域づくり協議会", "まちづくり協議会", "コミュニティ協議会", "コミュニティ運営協議会"}
    for council in councils:
        assert council.is_demo and council.current_bank_account() is not None
        assert council.current_representative().title == "会長"  # the notices are addressed to the 会長
        assert 1 <= council.secretariat_staff.count() <= 3
        plan = CommunityPlan.objects.in_force(council, CURRENT_FY)
        assert plan is not None and plan.last_fiscal_year - plan.first_fiscal_year == 4
        assert 2 <= plan.items.filter(level="field").count() <= 4
        assert plan.items.filter(level="measure").exists() and plan.items.filter(level="action").exists()
    statuses = CommunityPlan.objects.values_list("status", flat=True)
    assert PlanStatus.SUPERSEDED in statuses
    revision = CommunityPlan.objects.get(revises__isnull=False)
    assert revision.status == PlanStatus.APPROVED and revision.revises.status == PlanStatus.SUPERSEDED

    # The council secretary: association_head, current representative of 湯田, printed with the others.
    secretary = User.objects.get(username="jimukyoku")
    assert secretary.role == Role.ASSOCIATION_HEAD and secretary.check_password(PASSWORD)
    yuda = Organization.objects.get(kind=OrganizationKind.KYOGIKAI, area__code="03")
    assert yuda.current_representative().user == secretary
    # The city's notices go to the council's 会長 (its head); the 事務局 holds the login and files in the 会長's name.
    assert yuda.current_representative().title == "会長"
    assert secretary.display_name == f"{yuda.name} 事務局（デモ）"
    assert "jimukyoku" in output

    # Both programmes: full lifecycle, 活動支援 plan-linked, sample rules and budgets for this year.
    unei, katsudo = Programme.objects.get(code="unei_shien"), Programme.objects.get(code="katsudo_shien")
    plan_linked = [("plan_linkage" in p.checks) for p in (unei, katsudo)]
    assert (unei.workflow, plan_linked[0], katsudo.workflow, plan_linked[1]) == ("full", False, "full", True)
    for programme in (unei, katsudo):
        py = ProgrammeYear.objects.get(programme=programme, fiscal_year=CURRENT_FY)
        assert py.label == "サンプル" and BudgetAccount.objects.get(programme_year=py).budget > 0
        assert py.report_due_days == 30 and py.refund_due_days == 20
        assert str(py.surcharge_rate) == str(py.late_rate) == "10.950"
        shares = sum(Fraction(i.share_numerator, i.share_denominator) for i in py.instalments.all())
        assert shares == Fraction(3, 4)
    food = ExpenseRule.objects.get(programme_year__programme=katsudo, programme_year__fiscal_year=CURRENT_FY,
                                   category__code="shokuryohi")
    assert (food.treatment, food.condition) == (Treatment.CONDITIONAL, "作業中の飲み物代であること（弁当・酒類は対象外）")
    excluded = set(ExpenseRule.objects.filter(programme_year__programme=katsudo, programme_year__fiscal_year=CURRENT_FY,
                                              treatment=Treatment.EXCLUDED).values_list("category__name", flat=True))
    assert {"交際費", "慶弔費"} <= excluded
    assert set(ProgrammeYear.objects.get(programme=katsudo, fiscal_year=CURRENT_FY).purposes.filter(excluded=True)
               .values_list("name", flat=True)) == {"営利のみを目的とする活動", "宗教活動", "政治活動", "特定の個人の利益"}

    # History: every council has a closed case of each programme in FY2023, each past year with its own rule.
    history = _council_cases().filter(programme_year__fiscal_year__lt=CURRENT_FY)
    assert history.filter(programme_year__fiscal_year=2023).count() == 42
    assert set(history.values_list("status", flat=True)) == {Status.CLOSED}
    per_year = history.values("programme_year").annotate(n=Count("pk"))
    assert {row["n"] for row in per_year} == {21}
    assert all(py.label == "サンプル" for py in ProgrammeYear.objects.filter(cases__in=history))

    # 湯田 FY2023: 運営支援 ¥4,802,000 + 活動支援 ¥5,459,000 = ¥10,261,000, 46.8 % for staff and running costs.
    yuda_2023 = {c.programme_year.programme.code: c.confirmed_amount
                 for c in history.filter(organization=yuda, programme_year__fiscal_year=2023)
                 .select_related("programme_year__programme")}
    assert yuda_2023 == {"unei_shien": 4_802_000, "katsudo_shien": 5_459_000}
    share = Fraction(yuda_2023["unei_shien"], yuda_2023["unei_shien"] + yuda_2023["katsudo_shien"])
    assert f"{float(share) * 100:.1f}" == "46.8"

    # The ledger agrees with the cases, case by case and in total, and the dashboard with both.
    for case in history:
        totals = case_totals(case)
        assert totals[EntryKind.COMMITMENT] == case.confirmed_amount == case.paid_amount
        assert totals[EntryKind.PAYMENT] == case.confirmed_amount and totals[EntryKind.REFUND] == 0
        assert sum(case.payment_orders.values_list("amount", flat=True)) == case.paid_amount
    for year in set(history.values_list("programme_year__fiscal_year", flat=True)):
        cases = history.filter(programme_year__fiscal_year=year).aggregate(total=Sum("confirmed_amount"))["total"]
        rows = [r for r in programme_totals(year) if r.programme_code in ("unei_shien", "katsudo_shien")]
        assert sum(r.committed for r in rows) == sum(r.paid for r in rows) == cases
        assert all(r.committed <= r.budget for r in rows)
        # the 地域 totals count every programme: the competitive demo's closed past case is there too
        others = (GrantCase.objects.filter(programme_year__fiscal_year=year, status=Status.CLOSED)
                  .exclude(organization__kind=OrganizationKind.KYOGIKAI)
                  .aggregate(total=Sum("confirmed_amount"))["total"] or 0)
        assert sum(a.committed for a in area_totals(year)) == cases + others
    yuda_area = next(a for a in area_totals(2023) if a.code == "03")
    assert (yuda_area.committed, yuda_area.paid) == (10_261_000, 10_261_000)
    entries = LedgerEntry.objects.filter(case__in=history)
    assert all(MIGRATION_NOTE in note for note in entries.values_list("note", flat=True))
    for entry in entries.select_related("account__programme_year"):
        year = entry.account.programme_year.fiscal_year
        if entry.kind == EntryKind.COMMITMENT:  # commitments inside their year, payments by May 31 after it
            assert fiscal_year_of(entry.entry_date) == year
        if entry.kind == EntryKind.PAYMENT:
            assert dt.date(year, 4, 1) <= entry.entry_date <= dt.date(year + 1, 5, 31)
    assert AuditEvent.objects.filter(action="migrate_case", note__contains=MIGRATION_NOTE).count() == history.count()

    # This year 湯田 starts from draft applications of both programmes.
    drafts = _council_cases().filter(programme_year__fiscal_year=CURRENT_FY, organization=yuda)
    assert sorted(drafts.values_list("programme_year__programme__code", "status")) == [
        ("katsudo_shien", Status.DRAFT), ("unei_shien", Status.DRAFT)]
    assert all(case.project_title for case in drafts)


def test_setup_demo_twice_changes_nothing() -> None:
    _setup()
    before = _counts()
    budgets = list(BudgetAccount.objects.order_by("pk").values_list("budget", "committed", "paid"))
    _setup()
    assert _counts() == before
    assert list(BudgetAccount.objects.order_by("pk").values_list("budget", "committed", "paid")) == budgets


@pytest.mark.django_db
def test_a_migrated_past_case_says_so_on_its_page(client):  # type: ignore[no-untyped-def]
    """The walk-through found closed past cases that looked broken (no lines, no report): the page says why."""
    call_command("load_reference_data", verbosity=0)
    call_command("setup_demo", verbosity=0)
    past = GrantCase.objects.filter(status="closed", organization__kind="kyogikai").first()
    client.force_login(User.objects.get(username="tanto"))
    html = client.get(f"/cases/{past.pk}/").content.decode()
    assert 'id="migrated-note"' in html and "過年度データの移行" in html
    draft = GrantCase.objects.filter(status="draft", organization__kind="kyogikai").first()
    assert 'id="migrated-note"' not in client.get(f"/cases/{draft.pk}/").content.decode()
