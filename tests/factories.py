"""factory_boy factories for the domain."""
import datetime as dt

import factory
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.core.fiscal import fiscal_year_of
from grants.ledger.models import BudgetAccount
from grants.ledger.services import set_budget
from grants.organizations.models import (
    AccountType,
    Area,
    BankAccount,
    CountSource,
    HouseholdCount,
    Organization,
    OrganizationKind,
    Representative,
)
from grants.programmes.models import ComponentKind, FormulaComponent, Programme, ProgrammeYear

PASSWORD = "test-pass-1234"

# Tests run in the fiscal year of the day they run: commitments are refused outside their 年度.
CURRENT_FY = fiscal_year_of(timezone.localdate())
BASE_DATE = dt.date(CURRENT_FY, 4, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STAFF
    display_name = factory.LazyAttribute(lambda o: f"{o.username} 担当")
    password = factory.django.Password(PASSWORD)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = "10"
    name = "大歳"
    kana = "おおとし"
    centre_name = "大歳地域交流センター"


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.JICHIKAI
    code = factory.Sequence(lambda n: f"10-{n + 1:03d}")
    name = factory.Sequence(lambda n: f"大歳第{n + 1}自治会")
    area = factory.SubFactory(AreaFactory)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    organization = factory.SubFactory(AssociationFactory)
    name = "山口 太郎"
    started_on = dt.date(2025, 4, 1)


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    organization = factory.SubFactory(AssociationFactory)
    bank_code = "0170"
    bank_name = "山口銀行"
    branch_code = "001"
    branch_name = "本店営業部"
    account_type = AccountType.ORDINARY
    account_number = factory.Sequence(lambda n: f"{1000000 + n:07d}")
    holder_kana = "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ"


def programme(code: str = "jichi_shinko") -> Programme:
    return Programme.objects.get_or_create(
        code=code, defaults={"name": "自治会等自治振興交付金", "short_name": "自治振興",
                             "recipient_kind": OrganizationKind.JICHIKAI}
    )[0]


def rule(
    *,
    fiscal_year: int = CURRENT_FY,
    components: list[tuple[str, str, int]] | None = None,
    floor: int | None = None,
    cap: int | None = None,
    unit: int = 1,
    code: str = "jichi_shinko",
) -> ProgrammeYear:
    """A programme-year rule; components are (kind, label, unit_amount)."""
    today = timezone.localdate()  # the window is open whenever the suite runs; tests of the window move it
    py = ProgrammeYear.objects.create(
        programme=programme(code), fiscal_year=fiscal_year, label="サンプル",
        base_date=dt.date(fiscal_year, 4, 1), application_opens=min(today, dt.date(fiscal_year, 4, 1)),
        application_closes=max(today, dt.date(fiscal_year + 1, 3, 31)), floor_amount=floor, cap_amount=cap,
        rounding_unit=unit,
    )
    parts = components or [(ComponentKind.FLAT, "均等割", 10_000), (ComponentKind.PER_HOUSEHOLD, "世帯割", 500)]
    for order, (kind, label, amount) in enumerate(parts):
        FormulaComponent.objects.create(programme_year=py, order=order, kind=kind, label=label, unit_amount=amount)
    return py


def programme_year_with_budget(*, budget: int, fiscal_year: int = CURRENT_FY) -> ProgrammeYear:
    py = rule(fiscal_year=fiscal_year)
    BudgetAccount.objects.create(programme_year=py, budget_code="2款1項10目19節")
    set_budget(programme_year=py, budget=budget, actor=UserFactory(username="budget-officer", role=Role.FINANCE))
    return py


def count(organization: Organization, base_date: dt.date, households: int) -> HouseholdCount:
    return HouseholdCount.objects.create(
        organization=organization, base_date=base_date, households=households, source=CountSource.REGISTER
    )
