"""Builders for the competitive programme's tests (市民活動交流事業補助金): the programme and its year's rule (⅔,
cap ¥150,000 in year 1 and ¥100,000 in years 2–3, at most 3 years, income deducted, 千円未満切捨て — the
大和高田市 shape of GRANTS.md §4), its 費目, a published call open today with four criteria, confirmed groups with
their representative, bank account, bylaws and member list, and panel members. Dates are relative to today."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.competitive import calls, groups
from grants.competitive.models import Call, Criterion, GroupRegistration, PanelMember
from grants.core import workflow
from grants.core.money import RoundingMode
from grants.ledger.models import BudgetAccount
from grants.ledger.services import set_budget
from grants.organizations.models import Organization, OrganizationKind
from grants.programmes.models import (
    AmountBasis,
    ExpenseCategory,
    ExpenseRule,
    Programme,
    ProgrammeYear,
    RepeatYearStep,
    Treatment,
)
from tests import factories
from tests.factories import CURRENT_FY

CHECKS = ["organization", "recipient_kind", "group_eligibility", "expense_lines"]

# (code, name, treatment, condition or reason)
CATEGORIES = [
    ("hoshohi", "報償費", Treatment.ALLOWED, ""),
    ("shomohin", "消耗品費", Treatment.ALLOWED, ""),
    ("insatsu", "印刷製本費", Treatment.ALLOWED, ""),
    ("shiyoryo", "使用料及び賃借料", Treatment.ALLOWED, ""),
    ("hokenryo", "保険料", Treatment.ALLOWED, ""),
    ("shokuryohi", "食糧費", Treatment.CONDITIONAL, "講師・出演者の飲み物代であること（参加者の飲食は対象外）"),
    ("inshokuhi", "飲食費", Treatment.EXCLUDED, "飲食費は補助の対象になりません"),
    ("kosaihi", "交際費", Treatment.EXCLUDED, "交際費は補助の対象になりません"),
    ("keichohi", "慶弔費", Treatment.EXCLUDED, "慶弔費は補助の対象になりません"),
    ("keijohi", "団体の経常的な運営費", Treatment.EXCLUDED,
     "団体の家賃・光熱水費など日常の運営費は、事業の経費ではないため対象外です"),
]

CRITERIA = [("公益性", "広く市民の利益になるか", 3), ("先駆性", "新しい取組か", 2), ("実現性", "計画と予算は確かか", 2),
            ("発展性", "補助の後も続くか", 1)]


def categories() -> dict[str, ExpenseCategory]:
    return {code: ExpenseCategory.objects.get_or_create(code=code, defaults={"name": name, "order": 50 + i})[0]
            for i, (code, name, _, _) in enumerate(CATEGORIES)}


def programme() -> Programme:
    return Programme.objects.update_or_create(code="shimin_katsudo", defaults={
        "name": "市民活動交流事業補助金", "short_name": "市民活動", "recipient_kind": OrganizationKind.SHIMIN_DANTAI,
        "workflow": "competitive", "checks": CHECKS})[0]


def programme_year(budget: int = 3_000_000, fiscal_year: int = CURRENT_FY, **fields: object) -> ProgrammeYear:
    """The year's rule: ⅔, caps by repeat year, at most 3 years, income deducted, 千円未満切捨て; its 費目; budget."""
    values: dict[str, object] = {
        "fiscal_year": fiscal_year, "label": "サンプル", "base_date": dt.date(fiscal_year, 4, 1),
        "application_opens": dt.date(fiscal_year, 4, 1), "application_closes": dt.date(fiscal_year + 1, 3, 31),
        "amount_basis": AmountBasis.COST, "rate_numerator": 2, "rate_denominator": 3, "deduct_income": True,
        "rounding_unit": 1000, "rounding_mode": RoundingMode.FLOOR, "max_project_years": 3,
        "report_due_days": 30, "report_due_fixed": dt.date(fiscal_year + 1, 4, 10), "refund_due_days": 20,
        "surcharge_rate": Decimal("10.95"), "late_rate": Decimal("10.95"),
        "rule_source": "市民活動交流事業補助金交付要綱（サンプル）",
    }
    values.update(fields)
    py = ProgrammeYear.objects.create(programme=programme(), **values)
    RepeatYearStep.objects.create(programme_year=py, from_year=1, rate_numerator=2, rate_denominator=3,
                                  cap_amount=150_000)
    RepeatYearStep.objects.create(programme_year=py, from_year=2, rate_numerator=2, rate_denominator=3,
                                  cap_amount=100_000)
    cats = categories()
    for code, _, treatment, text in CATEGORIES:
        ExpenseRule.objects.create(
            programme_year=py, category=cats[code], treatment=treatment,
            condition=text if treatment == Treatment.CONDITIONAL else "",
            reason=text if treatment == Treatment.EXCLUDED else "")
    BudgetAccount.objects.create(programme_year=py, budget_code="2款1項10目18節")
    set_budget(programme_year=py, budget=budget,
               actor=factories.UserFactory(username="budget-officer", role=Role.FINANCE))
    return py


def call(py: ProgrammeYear, staff: User, *, publish: bool = True, opens_on: dt.date | None = None,
         closes_on: dt.date | None = None, budget: int = 1_000_000, **fields: object) -> Call:
    """A call of ``py`` open today (by default) with the four criteria, published by ``staff``."""
    today = timezone.localdate()
    c = Call.objects.create(
        programme_year=py, title=f"{py.fiscal_year_label} 市民活動交流事業補助金（第1次募集）", label="サンプル",
        summary="市民活動団体が新たに取り組む公益的な事業を支援します。",
        opens_on=opens_on or today - dt.timedelta(days=10), closes_on=closes_on or today + dt.timedelta(days=20),
        budget=budget, documents="申請書\n事業計画書\n収支予算書\n団体の規約\n構成員名簿", created_by=staff, **fields)
    for order, (name, description, weight) in enumerate(CRITERIA):
        Criterion.objects.create(call=c, order=order, name=name, description=description, weight=weight, max_score=5)
    if publish:
        workflow.perform(calls.CALL, c.pk, "publish_call", actor=staff)
        c.refresh_from_db()
    return c


def pdf(name: str = "kiyaku.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def group(username: str = "npo-head", name: str = "NPO法人 やまぐち子ども食堂ネット", *, members: int = 12,
          confirmed_by: User | None = None, **fields: object) -> tuple[Organization, User]:
    """A 市民活動団体 of the 大歳 area with its representative (login ``username``), a bank account, bylaws and a
    member list; its registration is confirmed by ``confirmed_by`` when given."""
    org = Organization.objects.create(kind=OrganizationKind.SHIMIN_DANTAI, code=f"S-{username}", name=name,
                                      area=factories.AreaFactory())
    factories.BankAccountFactory(organization=org, holder_kana="ﾄｸﾋ)ﾔﾏｸﾞﾁｺﾄﾞﾓｼﾖｸﾄﾞｳﾈﾂﾄ")
    user = factories.UserFactory(username=username, role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, title="代表", name="吉敷 花子",
                                    started_on=dt.date(2020, 4, 1))
    values: dict[str, object] = {
        "representative_name": "吉敷 花子", "phone": "083-000-0000", "email": f"{username}@example.jp",
        "address": "山口市大歳", "based_in_city": True, "members": members, "purpose": "子どもの居場所づくり",
        "no_political_aim": True, "no_religious_aim": True, "no_profit_aim": True,
        "bylaws": pdf(), "member_list": pdf("meibo.pdf"),
    }
    values.update(fields)
    registration = GroupRegistration.objects.create(organization=org, submitted_by=user, **values)
    if confirmed_by is not None:
        workflow.perform(groups.GROUP_REGISTRATION, registration.pk, "confirm_group", actor=confirmed_by)
    return org, user


def panel_member(call: Call, username: str, staff: User) -> User:
    user = factories.UserFactory(username=username, role=Role.PANEL, display_name=f"{username}（審査委員）")
    PanelMember.objects.create(call=call, user=user, assigned_by=staff)
    return user


def registration_data(**changes: object) -> dict[str, object]:
    """What a group types into the registration form (``grants.competitive.groups.register_group``'s input, as
    the form's cleaned data): a valid NPO of the 大歳 area with 12 members, a 山口銀行 本店営業部 account."""
    data: dict[str, object] = {
        "name": "特定非営利活動法人 ゆだ子ども食堂", "name_kana": "ゆだこどもしょくどう", "area": factories.AreaFactory(),
        "corporate_number": "9234567890123", "representative_name": "湯田 一郎", "contact_name": "湯田 花子",
        "phone": "083-000-1111", "email": "yuda@example.jp", "address": "山口市湯田温泉1丁目",
        "based_in_city": True, "members": 12, "purpose": "子どもの居場所づくりと食事の提供",
        "no_political_aim": True, "no_religious_aim": True, "no_profit_aim": True,
        "bank_code": "0170", "branch_code": "001", "account_type": "1", "account_number": "1234567",
        "holder_kana": "トクヒ）ユダコドモシヨクドウ", "username": "yuda-kodomo", "password": "yuda-pass-2026",
    }
    data.update(changes)
    return data


def register(data: dict[str, object] | None = None, **files: object) -> GroupRegistration:
    """Register a group through the service with ``data`` (``registration_data()``) and PDF files."""
    values = data or registration_data()
    return groups.register_group(
        details=groups.GroupDetails.of(values), bank=groups.BankDetails.of(values), username=str(values["username"]),
        password=str(values["password"]), bylaws=files.get("bylaws", pdf()),  # type: ignore[arg-type]
        member_list=files.get("member_list", pdf("meibo.pdf")))  # type: ignore[arg-type]
