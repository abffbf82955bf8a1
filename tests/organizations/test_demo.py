"""generate_demo: ~770 fictitious 自治会 whose member households match the city's public totals."""
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import zengin_code
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from grants.organizations.demo import (
    BANK_WEIGHTS,
    DEMO_NOTE,
    apportion,
    member_household_target,
    plan_demo_associations,
)
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
from tests import factories

BASE_DATE = dt.date(2026, 4, 1)
MEMBER_HOUSEHOLDS = 71_039  # round-half-up(88,799 × 0.80)
HALF_WIDTH_KANA_NAME = re.compile(r"^[ｦ-ﾟ0-9]+$")


@pytest.fixture
def reference_data(db: None) -> None:
    call_command("load_reference_data")


def _demo_snapshot() -> dict[str, tuple[Any, ...]]:
    """code → (name, kana, area, households, head, head started, bank, branch, account number)."""
    snapshot: dict[str, tuple[Any, ...]] = {}
    for org in Organization.objects.filter(is_demo=True).select_related("area"):
        head = org.representatives.get()
        account = org.bank_accounts.get()
        snapshot[org.code] = (
            org.name, org.name_kana, org.area.code, org.household_counts.get().households,
            head.name, head.started_on, account.bank_code, account.branch_code, account.account_number,
        )
    return snapshot


def test_member_household_target_is_exact_half_up() -> None:
    # Given the city's households and membership rate as stored (Decimal), when multiplied and rounded
    # Then 88,799 × 0.80 = 71,039.2 → 71,039, and an exact half rounds up (float round() would give 2)
    assert member_household_target(Decimal("88799.0000"), Decimal("0.8000")) == MEMBER_HOUSEHOLDS
    assert member_household_target(Decimal("5"), Decimal("0.5")) == 3


def test_apportion_sums_exactly() -> None:
    # Given a total and integer weights, when split, then the parts sum to the total (largest remainder)
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    # quotas 6,268.15 / 14,625.68 / 22,983.21 / 27,161.97: floors sum to 71,037, the 2 left go to .97 and .68
    assert apportion(71_039, [3, 7, 11, 13]) == [6_268, 14_626, 22_983, 27_162]
    assert apportion(0, [5, 2]) == [0, 0]


def test_generates_770_associations_matching_city_totals(
    reference_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the reference data loaded
    # When the demo is generated with the defaults
    call_command("generate_demo")

    # Then there are 770 demo 自治会 spread over all 21 地域
    out = capsys.readouterr().out
    demo = Organization.objects.filter(is_demo=True)
    assert demo.count() == 770
    assert demo.filter(kind=OrganizationKind.JICHIKAI).count() == 770
    per_area = dict(Area.objects.annotate(n=Count("organizations")).values_list("name", "n"))
    assert len(per_area) == 21
    assert min(per_area.values()) >= 1
    # larger 地域 have more associations than the small rural ones
    assert per_area["小郡"] > per_area["名田島"]
    assert per_area["大内"] > per_area["陶"]

    # and their member households on the base date sum to exactly 71,039, each at least 5, skewed
    counts = HouseholdCount.objects.filter(base_date=BASE_DATE, organization__is_demo=True)
    assert counts.count() == 770
    assert set(counts.values_list("source", flat=True)) == {CountSource.DEMO}
    households = list(counts.values_list("households", flat=True))
    assert sum(households) == MEMBER_HOUSEHOLDS
    assert min(households) >= 5
    assert sum(30 <= h <= 150 for h in households) > 770 // 2
    assert 1 <= sum(h >= 300 for h in households) <= 770 // 20

    # and the summary says how many, how many households, and that they are invented
    assert "デモ用の自治会 770件を作成しました" in out
    assert "71,039世帯" in out
    assert DEMO_NOTE in out


def test_every_association_has_a_head_and_a_valid_current_account(reference_data: None) -> None:
    # Given the reference data loaded, when the demo is generated
    call_command("generate_demo")

    # Then every association has exactly one head (会長, no login) in office on the base date
    demo = Organization.objects.filter(is_demo=True).order_by("code")
    heads = Representative.objects.filter(organization__is_demo=True)
    assert heads.count() == 770
    assert heads.values("organization").distinct().count() == 770
    assert set(heads.values_list("title", flat=True)) == {"会長"}
    assert not heads.filter(user__isnull=False).exists()
    assert not heads.filter(ended_on__isnull=False).exists()
    assert all(dt.date(2024, 1, 1) <= d <= BASE_DATE for d in heads.values_list("started_on", flat=True))
    assert Representative.objects.current(BASE_DATE).filter(organization__is_demo=True).count() == 770
    assert all(re.fullmatch(r"\S+ \S+", name) for name in heads.values_list("name", flat=True))

    # and exactly one current bank account whose bank and branch exist in zengin-code
    accounts = BankAccount.objects.filter(organization__is_demo=True)
    assert accounts.count() == 770
    assert accounts.filter(is_current=True).values("organization").distinct().count() == 770
    for account in accounts.select_related("organization"):
        bank = zengin_code.Bank.all[account.bank_code]
        assert account.bank_code in BANK_WEIGHTS
        assert account.branch_code in bank.branches
        branch = bank.branches[account.branch_code]
        assert (account.bank_name, account.branch_name) == (bank.name, branch.name)
        assert account.account_type == AccountType.ORDINARY
        assert re.fullmatch(r"\d{7}", account.account_number)
        assert account.holder_kana == account.organization.name_kana.translate(str.maketrans("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ"))[:30]
        assert 1 <= len(account.holder_kana) <= 30
    assert set(accounts.values_list("bank_code", flat=True)) == set(BANK_WEIGHTS)

    # and names are in half-width katakana derived from the area's よみ
    for name_kana in demo.values_list("name_kana", flat=True):
        assert HALF_WIDTH_KANA_NAME.match(name_kana), name_kana
    first_ootoshi = demo.get(code="10-001")
    assert first_ootoshi.name.startswith("大歳")
    assert first_ootoshi.name_kana.startswith("ｵｵﾄｼ")

    # and a sample of the rows passes the models' own validation (zengin-code checks included)
    for org in demo[::50]:
        org.full_clean()
        org.current_bank_account().full_clean()  # type: ignore[union-attr]
        org.current_representative(BASE_DATE).full_clean()  # type: ignore[union-attr]
        org.household_count_on(BASE_DATE).full_clean()  # type: ignore[union-attr]


def test_running_twice_creates_nothing_more(reference_data: None, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the demo generated once
    call_command("generate_demo")
    capsys.readouterr()

    # When it is run again (even with another seed)
    call_command("generate_demo", "--seed", "7")

    # Then it says so and nothing is added
    assert "デモ用の自治会は既に 770件あります" in capsys.readouterr().out
    assert Organization.objects.count() == 770
    assert Representative.objects.count() == 770
    assert BankAccount.objects.count() == 770
    assert HouseholdCount.objects.count() == 770


def test_same_seed_gives_the_same_data(reference_data: None) -> None:
    # Given the demo generated with the default seed (and undone: household counts are never deleted)
    with transaction.atomic():
        call_command("generate_demo")
        first = _demo_snapshot()
        transaction.set_rollback(True)
    assert not Organization.objects.filter(is_demo=True).exists()

    # When it is generated again with the same seed
    call_command("generate_demo", seed=20260401)

    # Then every row is the same
    second = _demo_snapshot()
    assert second == first
    assert first["10-001"] == second["10-001"]
    assert first["21-005"] == second["21-005"]

    # and another seed gives another plan with the same totals
    areas = list(Area.objects.order_by("code"))
    other = plan_demo_associations(
        areas=areas, seed=1, base_date=BASE_DATE, count=770, total_households=MEMBER_HOUSEHOLDS
    )
    assert sum(p.households for p in other) == MEMBER_HOUSEHOLDS
    assert [p.households for p in other] != [first[code][3] for code in sorted(first)]


def test_options_count_seed_and_base_date(reference_data: None) -> None:
    # Given the reference data loaded
    # When 100 associations are generated on another base date
    call_command("generate_demo", "--count", "100", "--seed", "1", "--base-date", "2025-04-01")

    # Then there are 100, every 地域 has one, and the households still sum to 71,039 on that date
    assert Organization.objects.filter(is_demo=True).count() == 100
    assert Area.objects.filter(organizations__isnull=True).count() == 0
    counts = HouseholdCount.objects.filter(base_date=dt.date(2025, 4, 1))
    assert sum(counts.values_list("households", flat=True)) == MEMBER_HOUSEHOLDS
    assert not Representative.objects.filter(started_on__gt=dt.date(2025, 4, 1)).exists()


def test_requires_the_reference_data(db: None) -> None:
    # Given no reference data
    # When the demo is generated, then a Japanese error points to load_reference_data and nothing is made
    with pytest.raises(CommandError, match="先に load_reference_data を実行してください"):
        call_command("generate_demo")
    with pytest.raises(CommandError, match="先に load_reference_data を実行してください"):
        call_command("generate_demo", count=770)
    assert Organization.objects.count() == 0


def test_fewer_associations_than_areas_is_refused(reference_data: None) -> None:
    # Given the 21 地域, when only 20 associations are asked for, then it is refused in Japanese
    with pytest.raises(CommandError, match=r"自治会の数（20）は地域の数（21）以上にしてください。"):
        call_command("generate_demo", count=20)
    assert Organization.objects.count() == 0


def test_code_already_used_by_a_real_association_writes_nothing(reference_data: None) -> None:
    # Given a real (non-demo) association already holding the code 10-001
    factories.AssociationFactory(code="10-001", name="大歳第1自治会", area=Area.objects.get(code="10"))

    # When the demo is generated, then it is refused and nothing is written
    with pytest.raises(CommandError, match="団体コード「10-001」ほか1件が既に使われている"):
        call_command("generate_demo")
    assert Organization.objects.count() == 1
    assert HouseholdCount.objects.count() == 0


def test_demo_account_names_have_no_small_kana(reference_data: None) -> None:
    from grants.organizations.models import BankAccount

    call_command("generate_demo")
    names = "".join(BankAccount.objects.values_list("holder_kana", flat=True))
    assert not set("ｧｨｩｪｫｯｬｭｮ") & set(names)
