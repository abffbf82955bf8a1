"""Demo neighbourhood associations (自治会) calibrated to the city's public totals.

The ~770 associations of 山口市 and their member-household counts are not public, so the demo generates a
fictitious set whose totals match the public figures in ``CityFigure``:

* the number of associations defaults to ``neighbourhood_associations`` (770);
* the member households sum to exactly ``households`` × ``association_membership_rate``, rounded half up
  (88,799 × 0.80 = 71,039.2 → 71,039).

Everything else (names, heads, bank accounts, the split over the 21 地域) is invented, deterministic for a
given seed, and every row is marked ``is_demo=True`` / ``CountSource.DEMO``. Screens and reports must say
that these are demo figures (:data:`DEMO_NOTE`).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import jaconv
import zengin_code
from django.db import transaction

from .models import (
    AccountType,
    Area,
    BankAccount,
    CityFigure,
    CountSource,
    HouseholdCount,
    Organization,
    OrganizationKind,
    Representative,
)

DEMO_NOTE = "デモ用に生成した架空の数値です"

#: CityFigure items the generator needs.
FIGURE_HOUSEHOLDS = "households"
FIGURE_MEMBERSHIP_RATE = "association_membership_rate"
FIGURE_ASSOCIATIONS = "neighbourhood_associations"

#: Smallest member-household count of a generated association.
MIN_HOUSEHOLDS = 5

#: Per 地域 (by area code): (relative weight of households, typical households per association).
#: The weights split the city's 88,799 households over the 21 地域. Only 大歳's 6,117 is a public figure
#: (2015-06-01); 大内's weight follows its published ~23,000 people; the rest are invented to look plausible
#: (urban 地域 larger, with larger associations; rural 地域 smaller, with many small associations).
AREA_PROFILES: dict[str, tuple[int, int]] = {
    "01": (4_900, 110),  # 大殿
    "02": (6_100, 115),  # 白石
    "03": (9_000, 125),  # 湯田
    "04": (1_200, 40),  # 仁保
    "05": (1_900, 60),  # 小鯖
    "06": (9_600, 120),  # 大内
    "07": (6_100, 105),  # 宮野
    "08": (7_500, 115),  # 吉敷
    "09": (8_000, 120),  # 平川
    "10": (6_117, 110),  # 大歳
    "11": (950, 40),  # 陶
    "12": (1_100, 50),  # 鋳銭司
    "13": (450, 35),  # 名田島
    "14": (950, 40),  # 秋穂二島
    "15": (2_550, 70),  # 嘉川
    "16": (1_250, 50),  # 佐山
    "17": (10_400, 125),  # 小郡
    "18": (2_550, 65),  # 秋穂
    "19": (3_500, 80),  # 阿知須
    "20": (2_400, 40),  # 徳地
    "21": (2_282, 35),  # 阿東
}
#: Profile for an area code not listed above.
DEFAULT_PROFILE: tuple[int, int] = (2_000, 70)

#: Spread of association sizes within an 地域 (σ of a log-normal; 0.7 gives most 30–150, a few 300+).
SIZE_SIGMA = 0.7

#: Parts of a generated name: (kanji, hiragana); "" means the plain "{地域}第{n}自治会".
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("東", "ひがし"),
    ("西", "にし"),
    ("南", "みなみ"),
    ("北", "きた"),
    ("中央", "ちゅうおう"),
    ("上", "かみ"),
    ("下", "しも"),
    ("本町", "ほんまち"),
    ("新町", "しんまち"),
    ("駅前", "えきまえ"),
    ("団地", "だんち"),
)
DISTRICT_WEIGHTS: tuple[int, ...] = (22, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1)
SUFFIXES: tuple[tuple[str, str], ...] = (("自治会", "じちかい"), ("町内会", "ちょうないかい"))
SUFFIX_WEIGHTS: tuple[int, ...] = (85, 15)

SURNAMES: tuple[str, ...] = (
    "田中", "山本", "中村", "藤井", "伊藤", "河村", "原田", "松田", "岡本", "林",
    "吉田", "山田", "村上", "佐々木", "木村", "井上", "渡辺", "高橋", "藤本", "清水",
    "西村", "福田", "石川", "山口", "松本",
)
GIVEN_NAMES: tuple[str, ...] = (
    "太郎", "一郎", "健二", "博", "誠", "茂", "修", "隆", "正人", "和夫",
    "浩二", "勝", "花子", "恵子", "和子", "洋子", "幸子", "久美子", "由美子", "典子",
)

#: Banks used by associations in Yamaguchi (全銀協 code → relative weight). All exist in zengin_code.
BANK_WEIGHTS: dict[str, int] = {
    "0170": 40,  # 山口銀行
    "9900": 25,  # ゆうちょ銀行
    "8134": 15,  # 山口県農協
    "0570": 12,  # 西京銀行
    "1780": 8,  # 萩山口信用金庫
}

#: 口座名義 as a bank writes it: no small kana (ｷｭｳ → ｷﾕｳ), ZENGIN.md.
_SMALL_TO_LARGE = str.maketrans("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ")

#: Half-width kana allowed in 口座名義 (BankAccount.holder_kana max_length).
HOLDER_KANA_MAX = 30


class DemoDataError(Exception):
    """The demo cannot be generated (e.g. reference data missing); the message is in Japanese."""


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`generate_demo_associations` found or made.

    ``associations``: number of demo 自治会; ``households``: their member households on the base date
    (a count of households, not people); ``created``: False when the demo already existed and nothing
    was written.
    """

    associations: int
    households: int
    created: bool = True


@dataclass(frozen=True)
class PlannedAssociation:
    """One demo association before it is written (pure data, no database)."""

    area_code: str
    code: str
    name: str
    name_kana: str
    households: int
    head_name: str
    head_started_on: dt.date
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    account_number: str


def _figure(item: str) -> Decimal:
    """The value of a CityFigure, or DemoDataError when missing."""
    value = CityFigure.objects.filter(item=item).values_list("value", flat=True).first()
    if value is None:
        raise DemoDataError(
            f"市の統計値「{item}」が登録されていません。先に load_reference_data を実行してください。"
        )
    return value


def member_household_target(households: Decimal, membership_rate: Decimal) -> int:
    """Member households = city households × membership rate, rounded half up to a whole household.

    Exact decimal arithmetic (no float): 88,799 × 0.80 = 71,039.2 → 71,039.
    """
    return int((households * membership_rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def default_association_count() -> int:
    """The city's number of 自治会 (CityFigure ``neighbourhood_associations``, 770).

    Raises DemoDataError when the figure is missing or not a whole number.
    """
    value = _figure(FIGURE_ASSOCIATIONS)
    if value != value.to_integral_value() or value < 1:
        raise DemoDataError(f"市の統計値「{FIGURE_ASSOCIATIONS}」（{value}）が正の整数ではありません。")
    return int(value)


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split the whole number ``total`` in proportion to ``weights`` (largest remainder method).

    The parts are whole numbers that sum to exactly ``total``; ties go to the earlier index. Exact
    (Fraction) arithmetic. Raises ValueError on a negative total, a negative weight or all-zero weights.
    """
    if total < 0 or any(w < 0 for w in weights) or not any(weights):
        raise ValueError("apportion needs total >= 0 and non-negative weights, not all zero")
    weight_sum = sum(weights)
    quotas = [Fraction(total * w, weight_sum) for w in weights]
    parts = [int(q) for q in quotas]  # floor: quotas are non-negative
    left = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return parts


def _half_width_kana(hiragana: str) -> str:
    """Hiragana (with ASCII digits) → half-width katakana, e.g. "おおとしだい1じちかい" → "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ"."""
    return jaconv.z2h(jaconv.hira2kata(hiragana), kana=True, digit=True, ascii=True)


def _head_start(rng: random.Random, base_date: dt.date) -> dt.date:
    """A plausible 就任日 in the two years up to ``base_date``; most heads start on 1 April (総会)."""
    last = base_date
    first = dt.date(base_date.year - 2, 1, 1)
    aprils = [dt.date(y, 4, 1) for y in range(first.year, last.year + 1) if first <= dt.date(y, 4, 1) <= last]
    if aprils and rng.random() < 0.7:
        return rng.choice(aprils)
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def plan_demo_associations(
    *, areas: Sequence[Area], seed: int, base_date: dt.date, count: int, total_households: int
) -> list[PlannedAssociation]:
    """Plan ``count`` associations over ``areas`` with member households summing to ``total_households``.

    Pure and deterministic: the same inputs (areas in the same order) give the same plan. Each area gets
    at least one association and each association at least :data:`MIN_HOUSEHOLDS` households. Raises
    DemoDataError (Japanese) when there are no areas, fewer associations than areas, or too few households.
    """
    if not areas:
        raise DemoDataError("地域が登録されていません。先に load_reference_data を実行してください。")
    if count < len(areas):
        raise DemoDataError(f"自治会の数（{count}）は地域の数（{len(areas)}）以上にしてください。")
    if total_households < MIN_HOUSEHOLDS * count:
        raise DemoDataError(
            f"加入世帯数の合計（{total_households:,}）が、自治会{count}件に各{MIN_HOUSEHOLDS}世帯を"
            "割り当てるには足りません。"
        )
    rng = random.Random(seed)
    profiles = [AREA_PROFILES.get(area.code, DEFAULT_PROFILE) for area in areas]

    # Associations per area: one each, the rest by (households weight / typical size).
    association_weights = [round(Fraction(weight * 1000, size)) for weight, size in profiles]
    per_area = [1 + n for n in apportion(count - len(areas), association_weights)]
    # Households per area: the minimum for its associations, the rest by households weight.
    extra = apportion(total_households - MIN_HOUSEHOLDS * count, [weight for weight, _ in profiles])

    banks = list(BANK_WEIGHTS)
    bank_weights = list(BANK_WEIGHTS.values())
    branch_codes = {code: sorted(zengin_code.Bank.all[code].branches) for code in banks}
    used_accounts: set[tuple[str, str, str]] = set()
    planned: list[PlannedAssociation] = []

    for area, n_assoc, area_extra in zip(areas, per_area, extra, strict=True):
        # Skewed sizes: log-normal weights (integers, so the split itself is exact).
        size_weights = [1 + int(rng.lognormvariate(0.0, SIZE_SIGMA) * 1000) for _ in range(n_assoc)]
        sizes = [MIN_HOUSEHOLDS + h for h in apportion(area_extra, size_weights)]
        numbers: dict[str, int] = {}
        for seq, households in enumerate(sizes, start=1):
            district, district_kana = rng.choices(DISTRICTS, weights=DISTRICT_WEIGHTS)[0]
            suffix, suffix_kana = rng.choices(SUFFIXES, weights=SUFFIX_WEIGHTS)[0]
            number = numbers[district] = numbers.get(district, 0) + 1
            name = f"{area.name}{district}第{number}{suffix}"
            name_kana = _half_width_kana(f"{area.kana}{district_kana}だい{number}{suffix_kana}")

            head_name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"
            head_started_on = _head_start(rng, base_date)

            bank_code = rng.choices(banks, weights=bank_weights)[0]
            bank = zengin_code.Bank.all[bank_code]
            branch_code = rng.choice(branch_codes[bank_code])
            while True:
                account_number = f"{rng.randrange(1_000_000, 10_000_000):07d}"
                if (bank_code, branch_code, account_number) not in used_accounts:
                    used_accounts.add((bank_code, branch_code, account_number))
                    break

            planned.append(
                PlannedAssociation(
                    area_code=area.code,
                    code=f"{area.code}-{seq:03d}",
                    name=name,
                    name_kana=name_kana,
                    households=households,
                    head_name=head_name,
                    head_started_on=head_started_on,
                    bank_code=bank_code,
                    bank_name=bank.name,
                    branch_code=branch_code,
                    branch_name=bank.branches[branch_code].name,
                    account_number=account_number,
                )
            )
    return planned


def existing_demo_summary(base_date: dt.date) -> DemoSummary | None:
    """The demo already in the database (associations, their households on ``base_date``), or None."""
    demo = Organization.objects.filter(is_demo=True, kind=OrganizationKind.JICHIKAI)
    associations = demo.count()
    if not associations:
        return None
    households = sum(
        HouseholdCount.objects.filter(organization__in=demo, base_date=base_date, source=CountSource.DEMO)
        .values_list("households", flat=True)
    )
    return DemoSummary(associations=associations, households=households, created=False)


def generate_demo_associations(*, seed: int, base_date: dt.date, count: int) -> DemoSummary:
    """Create ``count`` demo 自治会 with a head, a current bank account and a household count each.

    Inputs: ``seed`` for ``random.Random`` (same seed and reference data → same rows); ``base_date``, the
    基準日 of the household counts (heads start on or before it); ``count``, the number of associations.
    Member households (a number of households) sum to exactly round-half-up(CityFigure ``households`` ×
    ``association_membership_rate``).

    Idempotent: when demo associations already exist, nothing is written and the summary of the existing
    demo is returned with ``created=False``. Everything is written in one transaction with bulk inserts.

    Raises DemoDataError (message in Japanese) when the reference data (areas, city figures) is missing, the
    count is smaller than the number of areas, the households cannot give each association
    :data:`MIN_HOUSEHOLDS`, or a generated 団体コード is already used by a non-demo organisation.
    """
    with transaction.atomic():
        existing = existing_demo_summary(base_date)
        if existing is not None:
            return existing
        areas = list(Area.objects.order_by("code"))
        total = member_household_target(_figure(FIGURE_HOUSEHOLDS), _figure(FIGURE_MEMBERSHIP_RATE))
        plan = plan_demo_associations(
            areas=areas, seed=seed, base_date=base_date, count=count, total_households=total
        )
        codes = [p.code for p in plan]
        taken = sorted(Organization.objects.filter(code__in=codes).values_list("code", flat=True))
        if taken:
            raise DemoDataError(
                f"団体コード「{taken[0]}」ほか{len(taken)}件が既に使われているため、デモ用の自治会を作成できません。"
            )

        area_by_code = {area.code: area for area in areas}
        Organization.objects.bulk_create(
            [
                Organization(
                    kind=OrganizationKind.JICHIKAI,
                    code=p.code,
                    name=p.name,
                    name_kana=p.name_kana,
                    area=area_by_code[p.area_code],
                    is_demo=True,
                )
                for p in plan
            ],
            batch_size=500,
        )
        org_ids = dict(Organization.objects.filter(code__in=codes).values_list("code", "pk"))

        Representative.objects.bulk_create(
            [
                Representative(
                    organization_id=org_ids[p.code],
                    name=p.head_name,
                    title="会長",
                    started_on=p.head_started_on,
                )
                for p in plan
            ],
            batch_size=500,
        )
        BankAccount.objects.bulk_create(
            [
                BankAccount(
                    organization_id=org_ids[p.code],
                    bank_code=p.bank_code,
                    bank_name=p.bank_name,
                    branch_code=p.branch_code,
                    branch_name=p.branch_name,
                    account_type=AccountType.ORDINARY,
                    account_number=p.account_number,
                    holder_kana=p.name_kana.translate(_SMALL_TO_LARGE)[:HOLDER_KANA_MAX],
                    is_current=True,
                )
                for p in plan
            ],
            batch_size=500,
        )
        HouseholdCount.objects.bulk_create(
            [
                HouseholdCount(
                    organization_id=org_ids[p.code],
                    base_date=base_date,
                    households=p.households,
                    source=CountSource.DEMO,
                )
                for p in plan
            ],
            batch_size=500,
        )
    return DemoSummary(associations=len(plan), households=sum(p.households for p in plan))
