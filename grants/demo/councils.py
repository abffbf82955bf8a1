"""Demo 地域づくり協議会: one council per 地域, their plans, secretariat staff, the two council grants with
sample rules (サンプル), and a few years of history (GRANTS.md §1–§5).

Called by ``setup_demo`` once the reference data (the 21 地域), the demo 自治会 and the demo users exist.
Everything is invented except the shape of one published figure: in FY2023 (令和5年度) 湯田 received
¥10,261,000, 46.8 % of it for staff and running costs — here 運営支援 ¥4,802,000 + 活動支援 ¥5,459,000.
Council names follow the pattern of the real ones (地域づくり協議会, まちづくり協議会, コミュニティ協議会 …)
but the organisations are demo rows (``is_demo=True``): check the real names before using them anywhere else.

Past years are data migrated from before the system: their cases are written in their final state (完了)
with ledger entries dated inside their year through ``post_entry`` (budget, commitment, payments, and the
reduction at 額の確定), so the ledger, the dashboard and the cases agree. Each of those rows says
:data:`MIGRATION_NOTE`. The current year starts with 湯田's draft applications for both programmes.

Idempotent: each part is written only when it is missing, so ``setup_demo`` can run again safely.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import zengin_code
from django.db.models import Sum
from django.utils import timezone

from grants.accounts.models import User
from grants.cases import lifecycle
from grants.cases.models import GrantCase, Status
from grants.core.fiscal import fiscal_year_label
from grants.core.models import record_event
from grants.core.money import round_to, yen
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry, OrderKind, OrderStatus, PaymentOrder
from grants.ledger.services import post_entry
from grants.notices.models import DocumentSequence
from grants.organizations.demo import BANK_WEIGHTS, GIVEN_NAMES, SURNAMES
from grants.organizations.kana import normalize_account_name
from grants.organizations.models import (
    AccountType,
    Area,
    BankAccount,
    CommunityPlan,
    HouseholdCount,
    ItemLevel,
    Organization,
    OrganizationKind,
    PayBasis,
    PlanItem,
    PlanStatus,
    Representative,
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

SAMPLE = "サンプル"
MIGRATION_NOTE = "過年度データの移行（デモ）"
SECRETARY_USERNAME = "jimukyoku"
BUDGET_CODE = "2款1項10目 19節 負担金補助及び交付金（サンプル）"
RULE_SOURCE = "サンプル値（山口市の交付基準は未公表のため、実際の要綱の値を管理画面で入力してください）"

UNEI, KATSUDO = "unei_shien", "katsudo_shien"

#: The published figure: 湯田, FY2023, confirmed amounts (確定額) in whole yen; 4,802,000 / 10,261,000 = 46.8 %.
PUBLISHED_AREA, PUBLISHED_YEAR = "03", 2023
PUBLISHED_CONFIRMED = {UNEI: 4_802_000, KATSUDO: 5_459_000}
#: …and the decided amounts (交付決定額) behind them: 活動支援 was reduced at 額の確定.
PUBLISHED_DECIDED = {UNEI: 4_802_000, KATSUDO: 5_500_000}

#: Sample rule values (サンプル), whole yen.
STAFF_STANDARD = 2_400_000  # 事務局員1人あたりの標準額
RUNNING_LIMIT = 600_000  # 運営経費の限度額
ACTIVITY_FLAT = 2_000_000  # 活動支援の均等割（限度額の算定）
ACTIVITY_PER_HOUSEHOLD = 500  # 活動支援の世帯割（限度額の算定、地域の自治会加入世帯1世帯あたり）
RATE = Decimal("10.95")  # 加算金・延滞金の年率（補助金適正化法の例）

#: 概算払の計画: (回, 名称, 割合, 支払予定日の月・日); the remainder is paid at the 精算払.
INSTALMENTS = ((1, "第1回（4月）", Fraction(1, 2), (4, 25)), (2, "第2回（10月）", Fraction(1, 4), (10, 25)))

#: Name of each council after its 地域 (by area code): suffix and its reading. Default 地域づくり協議会.
SUFFIXES = {
    "chiiki": ("地域づくり協議会", "ちいきづくりきょうぎかい"),
    "machi": ("まちづくり協議会", "まちづくりきょうぎかい"),
    "community": ("コミュニティ協議会", "こみゅにてぃきょうぎかい"),
    "community_unei": ("コミュニティ運営協議会", "こみゅにてぃうんえいきょうぎかい"),
}
COUNCIL_SUFFIX = {"11": "machi", "14": "machi", "18": "community_unei", "19": "community"}

#: 費目 (GRANTS.md §5): code, name, 人件費. Codes as in tests/councils/builders.py.
CATEGORIES = (
    ("jinkenhi", "賃金・人件費", True),
    ("hoshohi", "報償費", False),
    ("ryohi", "旅費", False),
    ("shomohin", "消耗品費", False),
    ("shokuryohi", "食糧費", False),
    ("insatsu", "印刷製本費", False),
    ("tsushin", "通信運搬費", False),
    ("hokenryo", "保険料", False),
    ("shiyoryo", "使用料及び賃借料", False),
    ("itakuryo", "委託料", False),
    ("genzairyo", "原材料費", False),
    ("bihin", "備品購入費", False),
    ("shuzenryo", "修繕料", False),
    ("kounetsu", "光熱水費", False),
    ("kofukin", "負担金補助及び交付金", False),
    ("kosaihi", "交際費", False),
    ("keichohi", "慶弔費", False),
)

_OK = (Treatment.ALLOWED, "", "")
_NO_KOSAI = (Treatment.EXCLUDED, "", "交際費は交付金の対象になりません")
_NO_KEICHO = (Treatment.EXCLUDED, "", "慶弔費は交付金の対象になりません")

#: 費目の取扱い per programme: code → (treatment, condition, reason). A 費目 not listed is not eligible.
EXPENSE_RULES: dict[str, dict[str, tuple[str, str, str]]] = {
    UNEI: {
        **dict.fromkeys(("jinkenhi", "ryohi", "shomohin", "insatsu", "tsushin", "hokenryo", "shiyoryo",
                         "kounetsu", "shuzenryo"), _OK),
        "bihin": (Treatment.CONDITIONAL, "事務局の運営に必要な事務用品で、1点10万円未満のものであること", ""),
        "shokuryohi": (Treatment.EXCLUDED, "", "事務局の運営経費に飲食費は含まれません"),
        "kosaihi": _NO_KOSAI,
        "keichohi": _NO_KEICHO,
    },
    KATSUDO: {
        **dict.fromkeys(("hoshohi", "ryohi", "shomohin", "insatsu", "tsushin", "hokenryo", "shiyoryo", "itakuryo",
                         "genzairyo", "shuzenryo", "kofukin"), _OK),
        "shokuryohi": (Treatment.CONDITIONAL, "作業中の飲み物代であること（弁当・酒類は対象外）", ""),
        "bihin": (Treatment.CONDITIONAL, "計画の取組に直接必要な備品であること（1点10万円以上は事前に協議）", ""),
        "jinkenhi": (Treatment.EXCLUDED, "", "事務局員の人件費は運営支援交付金の対象です"),
        "kounetsu": (Treatment.EXCLUDED, "", "団体の通常の運営経費は運営支援交付金の対象です"),
        "kosaihi": _NO_KOSAI,
        "keichohi": _NO_KEICHO,
    },
}

#: 活動の目的 of 活動支援: (name, reason when excluded).
PURPOSES = (
    ("防災・防犯", ""),
    ("地域福祉", ""),
    ("環境美化", ""),
    ("地域文化・交流", ""),
    ("子育て・教育", ""),
    ("健康づくり", ""),
    ("営利のみを目的とする活動", "営利のみを目的とする活動は対象外です"),
    ("宗教活動", "宗教の普及・儀式を目的とする活動は対象外です"),
    ("政治活動", "政党や候補者を支援する活動は対象外です"),
    ("特定の個人の利益", "特定の個人の利益となる活動は対象外です"),
)

#: The pool of 分野 → 施策 → 取組 the demo plans draw from.
FIELDS: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("安心・安全", (
        ("地域の防災力の向上", ("自主防災組織の防災訓練", "防災マップの作成と全戸配布", "避難所の運営訓練")),
        ("防犯・交通安全", ("青色回転灯による防犯パトロール", "登下校の見守り活動")),
    )),
    ("健康・福祉", (
        ("地域で支え合う福祉", ("ふれあい・いきいきサロン", "ひとり暮らし高齢者の見守り訪問")),
        ("健康づくり", ("ウォーキング大会", "健康講座と体力測定")),
    )),
    ("環境", (
        ("美しいまちづくり", ("河川・道路の一斉清掃", "花いっぱい運動", "水路・道路の小規模補修")),
        ("ごみの減量と資源化", ("資源ごみの集団回収", "ごみステーションの美化")),
    )),
    ("交流・文化", (
        ("ふるさとの文化の継承", ("夏まつり", "伝統行事（神楽・盆踊り）の保存")),
        ("世代を超えた交流", ("地域運動会", "ふるさと文化祭")),
    )),
    ("子育て・教育", (
        ("子どもの居場所づくり", ("放課後子ども教室", "子ども食堂への支援")),
        ("ふるさとの学び", ("ふるさと学習（地域の歴史を学ぶ会）", "地域交流センター講座")),
    )),
    ("地域の活性化", (
        ("地域資源の活用", ("特産品づくり", "空き家の活用の検討")),
        ("情報の発信", ("広報紙の発行（年4回）", "ホームページとSNSでの発信")),
    )),
)
#: Which fields (indexes into FIELDS) a council's plan takes when it is not drawn at random.
FIXED_FIELDS = {"03": (0, 1, 3, 4), "01": (0, 2, 3)}

VISIONS = (
    "みんなでつくる 安心と笑顔の{area}",
    "人がつながり、ふるさとを誇れるまち {area}",
    "支え合い、次の世代へつなぐ {area}のくらし",
    "自然と歴史を生かした 住みよい{area}",
)

#: The council with a revised plan (大殿): its reason, and the 取組 the revision adds under 1-1.
REVISED_AREA = "01"
REVISION_REASON = "大雨による浸水被害を受け、避難の際に支援が必要な方への取組を加えるため"
REVISION_ACTION = "要配慮者の避難支援体制づくり"

#: Fixed secretariat of 湯田 (the walk-through council): name, role, basis, wage or rate, hours, insurance, from.
YUDA_STAFF = (
    ("山本 恵子", "事務局長", PayBasis.MONTHLY, 205_000, None, 31_000, dt.date(2016, 4, 1)),
    ("藤井 和夫", "事務局員", PayBasis.MONTHLY, 128_000, None, 19_000, dt.date(2019, 4, 1)),
    ("原田 由美子", "事務局員", PayBasis.HOURLY, 1_050, 60, 0, dt.date(2023, 6, 1)),
)


@dataclass(frozen=True)
class CouncilDemoSummary:
    """What :func:`setup_council_demo` found or made: councils, plans, past-year cases, and the fiscal years
    of the history (Western start years)."""

    councils: int
    plans: int
    past_cases: int
    past_years: tuple[int, ...]
    secretary: str


def past_years(fiscal_year: int) -> tuple[int, ...]:
    """The past years the demo fills: FY2023 (the published figure) and the two years before ``fiscal_year``."""
    return tuple(sorted(y for y in {PUBLISHED_YEAR, fiscal_year - 1, fiscal_year - 2} if y < fiscal_year))


def setup_council_demo(*, fiscal_year: int, users: dict[str, User]) -> CouncilDemoSummary:
    """Create (when missing) the councils, the two programmes with their sample rules and budgets for
    ``fiscal_year`` and the past years, the plans, the history and 湯田's drafts. ``users`` are the demo users
    by username (``tanto`` staff, ``kaikei`` finance, ``admin`` and :data:`SECRETARY_USERNAME`). Call inside
    a transaction."""
    years = past_years(fiscal_year)
    categories = _categories()
    programmes = _programmes()
    councils = _councils(users)
    _link_secretary(councils, users[SECRETARY_USERNAME])
    plans = _plans(councils, fiscal_year, years, users[SECRETARY_USERNAME], users["tanto"])
    households = _households(councils, dt.date(fiscal_year, 4, 1))
    for year in years:
        rules = {code: _programme_year(programme, year, categories) for code, programme in programmes.items()}
        _history(year, rules, councils, plans, households, users)
    current = {code: _programme_year(programme, fiscal_year, categories) for code, programme in programmes.items()}
    for code, py in current.items():
        _budget(py, _current_budget(code, councils, households, fiscal_year), users["kaikei"])
    _drafts(current, councils[PUBLISHED_AREA], users[SECRETARY_USERNAME])
    _document_prefixes(programmes, fiscal_year)
    return CouncilDemoSummary(
        councils=len(councils),
        plans=CommunityPlan.objects.filter(organization__in=councils.values()).count(),
        past_cases=GrantCase.objects.filter(organization__in=councils.values(),
                                            programme_year__fiscal_year__in=years).count(),
        past_years=years,
        secretary=SECRETARY_USERNAME,
    )


# Sample 文書記号 of the two council grants, so that their notices do not take the 自治会 grant's prefix with a
# number appended (山協3…): the city sets its own in the admin (文書番号の採番).
DOCUMENT_PREFIXES = {"unei_shien": "山協運", "katsudo_shien": "山協活"}


def _document_prefixes(programmes: dict[str, Programme], fiscal_year: int) -> None:
    for code, prefix in DOCUMENT_PREFIXES.items():
        DocumentSequence.objects.get_or_create(programme=programmes[code], fiscal_year=fiscal_year,
                                               defaults={"prefix": prefix})


# -- reference rows -------------------------------------------------------------------------------------------

def _categories() -> dict[str, ExpenseCategory]:
    return {code: ExpenseCategory.objects.get_or_create(
                code=code, defaults={"name": name, "order": (i + 1) * 10, "is_staff_cost": staff})[0]
            for i, (code, name, staff) in enumerate(CATEGORIES)}


# The checks the council grants enable (GRANTS.md §5): the organisation, its kind and its plan in force, each
# expense line's 費目, purpose and dates, 事務局員 costs; 活動支援 adds the link of each line to the plan.
COUNCIL_CHECKS = ["organization", "recipient_kind", "plan_in_force", "staff_costs", "expense_lines"]


def _programmes() -> dict[str, Programme]:
    common = {"recipient_kind": OrganizationKind.KYOGIKAI, "workflow": "full"}
    unei, _ = Programme.objects.update_or_create(code=UNEI, defaults={
        **common, "name": "地域づくり運営支援交付金", "short_name": "運営支援", "checks": COUNCIL_CHECKS,
        "description": "地域づくり協議会の事務局の運営（主に事務局員の雇用経費）を支援します。"})
    katsudo, _ = Programme.objects.update_or_create(code=KATSUDO, defaults={
        **common, "name": "地域づくり活動支援交付金", "short_name": "活動支援",
        "checks": [*COUNCIL_CHECKS, "plan_linkage"],
        "description": "地域づくり計画に基づく協議会の活動を支援します。経費の各行は計画の取組に結びつけます。"})
    return {UNEI: unei, KATSUDO: katsudo}


def _programme_year(programme: Programme, year: int, categories: dict[str, ExpenseCategory]) -> ProgrammeYear:
    """The sample rule of ``programme`` for ``year`` (created with its components, 費目の取扱い, purposes and
    instalment plan when missing)."""
    unei = programme.code == UNEI
    py, created = ProgrammeYear.objects.get_or_create(programme=programme, fiscal_year=year, defaults={
        "label": SAMPLE, "base_date": dt.date(year, 4, 1), "application_opens": dt.date(year, 4, 1),
        "application_closes": dt.date(year + 1, 3, 31), "rounding_unit": 1000, "rule_source": RULE_SOURCE,
        "amount_basis": AmountBasis.FORMULA if unei else AmountBasis.COST, "rate_numerator": 10,
        "rate_denominator": 10, "deduct_income": not unei, "report_due_days": 30,
        "report_due_fixed": dt.date(year + 1, 4, 10), "refund_due_days": 20, "surcharge_rate": RATE,
        "late_rate": RATE, "penalty_rounding_unit": 100, "allow_costs_before_decision": unei,
    })
    if not created:
        return py
    if unei:
        components = [(ComponentKind.STAFF_COST, "事務局員人件費（1人あたり標準額）", STAFF_STANDARD),
                      (ComponentKind.ACTUAL_COST, "運営経費（限度額）", RUNNING_LIMIT)]
    else:
        components = [(ComponentKind.FLAT, "均等割（限度額）", ACTIVITY_FLAT),
                      (ComponentKind.PER_HOUSEHOLD, "世帯割（限度額、地域の自治会加入世帯）", ACTIVITY_PER_HOUSEHOLD)]
    FormulaComponent.objects.bulk_create(
        FormulaComponent(programme_year=py, order=i, kind=kind, label=label, unit_amount=amount)
        for i, (kind, label, amount) in enumerate(components)
    )
    ExpenseRule.objects.bulk_create(
        ExpenseRule(programme_year=py, category=categories[code], treatment=treatment, condition=condition,
                    reason=reason)
        for code, (treatment, condition, reason) in EXPENSE_RULES[programme.code].items()
    )
    if not unei:
        ActivityPurpose.objects.bulk_create(
            ActivityPurpose(programme_year=py, name=name, excluded=bool(reason), reason=reason, order=i)
            for i, (name, reason) in enumerate(PURPOSES)
        )
    Instalment.objects.bulk_create(
        Instalment(programme_year=py, order=order, label=label, share_numerator=share.numerator,
                   share_denominator=share.denominator, pay_on=dt.date(year, month, day))
        for order, label, share, (month, day) in INSTALMENTS
    )
    return py


# -- councils -------------------------------------------------------------------------------------------------

def council_code(area: Area) -> str:
    return f"KY-{area.code}"


def council_name(area: Area) -> tuple[str, str]:
    """(name, reading in hiragana) of the council of ``area``."""
    suffix, reading = SUFFIXES[COUNCIL_SUFFIX.get(area.code, "chiiki")]
    return f"{area.name}{suffix}", f"{area.kana}{reading}"


def _councils(users: dict[str, User]) -> dict[str, Organization]:
    """The councils by area code, created with their account, secretary and staff when none exists yet."""
    areas = list(Area.objects.order_by("code"))
    existing = {org.area.code: org for org in Organization.objects.filter(
        code__in=[council_code(a) for a in areas]).select_related("area")}
    for area in areas:
        if area.code not in existing:
            existing[area.code] = _create_council(area, users["tanto"])
    return existing


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"


def _create_council(area: Area, recorder: User) -> Organization:
    rng = random.Random(f"council-{area.code}")
    name, reading = council_name(area)
    kana = normalize_account_name(reading)
    org = Organization.objects.create(kind=OrganizationKind.KYOGIKAI, code=council_code(area), name=name,
                                      name_kana=kana, area=area, is_demo=True)
    bank_code = rng.choices(list(BANK_WEIGHTS), weights=list(BANK_WEIGHTS.values()))[0]
    bank = zengin_code.Bank.all[bank_code]
    branch_code = rng.choice(sorted(bank.branches))
    BankAccount.objects.create(
        organization=org, bank_code=bank_code, bank_name=bank.name, branch_code=branch_code,
        branch_name=bank.branches[branch_code].name, account_type=AccountType.ORDINARY,
        account_number=f"{rng.randrange(1_000_000, 10_000_000):07d}", holder_kana=kana, is_current=True,
    )
    staff = _staff_rows(area, rng)
    SecretariatStaff.objects.bulk_create(
        SecretariatStaff(organization=org, name=person, role=role, pay_basis=basis,
                         monthly_wage=pay if basis == PayBasis.MONTHLY else None,
                         hourly_rate=pay if basis == PayBasis.HOURLY else None, hours_per_month=hours,
                         social_insurance_monthly=insurance, employed_from=since, recorded_by=recorder)
        for person, role, basis, pay, hours, insurance, since in staff
    )
    # The council's head (代表者) is its 会長, to whom the city's notices are addressed; the 事務局 prepares and
    # files the documents in the 会長's name. The 会長's name has its own seed, so the rest of the council's
    # figures stay as they were drawn.
    chair = _person(random.Random(f"council-chair-{area.code}"))
    Representative.objects.create(organization=org, name=chair, title="会長", started_on=dt.date(2024, 4, 1))
    return org


def _staff_rows(area: Area, rng: random.Random) -> tuple[tuple, ...]:
    """1–3 secretariat staff: a monthly-paid 事務局長 and 0–2 事務局員 (monthly or hourly)."""
    if area.code == PUBLISHED_AREA:
        return tuple((n, r, b, pay, hours, ins, since) for n, r, b, pay, hours, ins, since in YUDA_STAFF)
    rows: list[tuple[str, str, str, int, int | None, int, dt.date]] = [
        (_person(rng), "事務局長", PayBasis.MONTHLY, rng.randrange(180, 231) * 1000, None,
         rng.randrange(26, 35) * 1000, dt.date(rng.randrange(2012, 2020), 4, 1))]
    for _ in range(rng.choice((0, 1, 1, 2))):
        if rng.random() < 0.5:
            rows.append((_person(rng), "事務局員", PayBasis.MONTHLY, rng.randrange(120, 151) * 1000, None,
                         rng.randrange(17, 23) * 1000, dt.date(rng.randrange(2015, 2023), 4, 1)))
        else:
            rows.append((_person(rng), "事務局員", PayBasis.HOURLY, rng.choice((1_000, 1_020, 1_050, 1_100)),
                         rng.choice((60, 80, 100, 120)), 0, dt.date(rng.randrange(2015, 2023), 4, 1)))
    return tuple(rows)


def _link_secretary(councils: dict[str, Organization], user: User) -> None:
    """The demo secretary's login is 湯田's (the walk-through council's) account: its 事務局 files in the name of
    the council's head, the 会長, whose term the login acts in (the notices are addressed to the 会長)."""
    org = councils[PUBLISHED_AREA]
    term = org.representatives.heads().filter(ended_on__isnull=True).first()
    if term is None or term.user_id == user.pk:
        return
    term.user = user
    term.save(update_fields=["user"])
    user.display_name = f"{org.name} 事務局（デモ）"
    user.save(update_fields=["display_name"])


def _households(councils: dict[str, Organization], base_date: dt.date) -> dict[str, int]:
    """Member households of the demo 自治会 of each 地域 on ``base_date`` (by area code)."""
    sums = dict(HouseholdCount.objects.filter(organization__kind=OrganizationKind.JICHIKAI, base_date=base_date)
                .values_list("organization__area__code").annotate(total=Sum("households")))
    return {code: sums.get(code) or org.area.households or 1_000 for code, org in councils.items()}


# -- plans ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    first: int
    last: int

    @property
    def label(self) -> str:
        return f"第{(self.first - 2010) // 5 + 1}期"


def _terms(area_code: str, fiscal_year: int, years: Iterable[int]) -> list[Term]:
    """Five-year terms (期) of a council that cover ``fiscal_year`` and the past ``years``, oldest first.
    The current term starts 0–4 years before ``fiscal_year``, depending on the council."""
    current = Term(fiscal_year - int(area_code) % 5, fiscal_year - int(area_code) % 5 + 4)
    terms = [current]
    while min(years, default=current.first) < terms[0].first:
        terms.insert(0, Term(terms[0].first - 5, terms[0].first - 1))
    return terms


def _items(area_code: str, term: Term) -> list[tuple[str, str, str]]:
    """(level, code, title) of a plan: 2–4 分野, each with 1–2 施策 of 1–3 取組."""
    rng = random.Random(f"plan-{area_code}-{term.first}")
    chosen = FIXED_FIELDS.get(area_code) or tuple(sorted(rng.sample(range(len(FIELDS)), rng.randint(2, 4))))
    items: list[tuple[str, str, str]] = []
    for f, index in enumerate(chosen, start=1):
        field, measures = FIELDS[index]
        items.append((ItemLevel.FIELD, f"{f}", field))
        keep = measures if area_code in FIXED_FIELDS else measures[:rng.randint(1, len(measures))]
        for m, (measure, actions) in enumerate(keep, start=1):
            items.append((ItemLevel.MEASURE, f"{f}-{m}", measure))
            take = actions if area_code in FIXED_FIELDS else actions[:rng.randint(1, len(actions))]
            for a, action in enumerate(take, start=1):
                items.append((ItemLevel.ACTION, f"{f}-{m}-{a}", action))
    return items


def _plans(councils: dict[str, Organization], fiscal_year: int, years: tuple[int, ...], drafter: User,
           staff: User) -> dict[str, list[CommunityPlan]]:
    """Each council's approved plans for its terms (oldest first), created when the council has none; 大殿's
    current term also has a superseded first version and its approved revision. Drafted by the council's side
    (``drafter``), approved by ``staff``: the drafter of a plan never approves it."""
    have = {org.pk for org in councils.values() if org.plans.exists()}
    for code, org in councils.items():
        if org.pk in have:
            continue
        terms = _terms(code, fiscal_year, years)
        for version, term in enumerate(terms, start=1):
            items = _items(code, term)
            revised = code == REVISED_AREA and term is terms[-1]
            plan = _create_plan(org, version, term, items, drafter, staff,
                                PlanStatus.SUPERSEDED if revised else PlanStatus.APPROVED)
            if revised:
                extra = (ItemLevel.ACTION, f"1-1-{sum(1 for i in items if i[1].startswith('1-1-')) + 1}",
                         REVISION_ACTION)
                _create_plan(org, version + 1, term, [*items, extra], drafter, staff, PlanStatus.APPROVED,
                             revises=plan)
    return {code: list(CommunityPlan.objects.filter(organization=org).order_by("version"))
            for code, org in councils.items()}


def _create_plan(org: Organization, version: int, term: Term, items: list[tuple[str, str, str]], drafter: User,
                 staff: User, status: str, revises: CommunityPlan | None = None) -> CommunityPlan:
    approved = dt.datetime(term.first, 3, 25, 10, 0, tzinfo=timezone.get_current_timezone())
    if revises is not None:  # approved this year, after the version it revises
        approved = max(approved + dt.timedelta(days=1), timezone.now() - dt.timedelta(days=30))
    vision = random.Random(f"vision-{org.code}-{term.first}").choice(VISIONS).format(area=org.area.name)
    plan = CommunityPlan.objects.create(
        organization=org, version=version, term_label=term.label, title=f"{org.area.name}地域づくり計画",
        first_fiscal_year=term.first, last_fiscal_year=term.last, vision=vision, status=status,
        revises=revises, revision_reason=REVISION_REASON if revises else "", created_by=drafter,
        approved_by=staff, approved_at=approved,
    )
    by_code: dict[str, PlanItem] = {}
    for level in (ItemLevel.FIELD, ItemLevel.MEASURE, ItemLevel.ACTION):
        rows = [PlanItem(plan=plan, level=level, code=code, title=title, parent=by_code.get(code.rsplit("-", 1)[0]))
                for lvl, code, title in items if lvl == level]
        for row in PlanItem.objects.bulk_create(rows):
            by_code[row.code] = row
    record_event(actor=staff, subject=plan, action="approve_plan", to_state=status,
                 note=f"デモ用の計画として登録（{term.label}・第{version}版）")
    return plan


def _plan_for(plans: list[CommunityPlan], year: int) -> CommunityPlan | None:
    """The version a past case was judged against: the first approved version of the term covering ``year``
    (a later revision was approved after the case)."""
    return next((p for p in plans if p.covers(year) and p.revises_id is None), None)


# -- budgets and history --------------------------------------------------------------------------------------

def _budget(py: ProgrammeYear, amount: int, officer: User, on: dt.date | None = None) -> None:
    account, _ = BudgetAccount.objects.get_or_create(programme_year=py, defaults={"budget_code": BUDGET_CODE})
    if account.budget == 0:
        note = "当初予算（サンプル）" + (f" {MIGRATION_NOTE}" if on else "")
        post_entry(programme_year=py, kind=EntryKind.BUDGET, amount=amount, actor=officer, entry_date=on, note=note)


def _ceil_to(amount: int, unit: int) -> int:
    return -(-amount // unit) * unit


def _current_budget(code: str, councils: dict[str, Organization], households: dict[str, int], year: int) -> int:
    """A sample budget that covers every council's full amount under the year's rule (10 million steps)."""
    if code == UNEI:
        need = sum(_staff_part(org, year) + RUNNING_LIMIT for org in councils.values())
    else:
        need = sum(ACTIVITY_FLAT + ACTIVITY_PER_HOUSEHOLD * households[c] for c in councils)
    return _ceil_to(need, 10_000_000)


def _staff_part(org: Organization, year: int) -> int:
    return sum(min(STAFF_STANDARD, s.cost_in(year)) for s in org.secretariat_staff.all())


@dataclass(frozen=True)
class PastAmounts:
    """Decided (交付決定額) and confirmed (確定額) amounts of one past case, whole yen."""

    decided: int
    confirmed: int


def _past_amounts(code: str, area_code: str, org: Organization, year: int, households: int) -> PastAmounts:
    if area_code == PUBLISHED_AREA and year == PUBLISHED_YEAR:
        return PastAmounts(PUBLISHED_DECIDED[code], PUBLISHED_CONFIRMED[code])
    rng = random.Random(f"history-{code}-{area_code}-{year}")
    if code == UNEI:
        ceiling = _staff_part(org, year) + RUNNING_LIMIT
        confirmed = round_to(_staff_part(org, year) + rng.randrange(380, 601) * 1000, 1000)
    else:
        ceiling = round_to(ACTIVITY_FLAT + ACTIVITY_PER_HOUSEHOLD * households, 1000)
        confirmed = round_to(Fraction(ceiling) * Fraction(rng.randrange(72, 98), 100), 1000)
    decided = min(ceiling, confirmed + rng.choice((0, 0, 0, 40_000, 90_000, 150_000)))
    return PastAmounts(decided, min(confirmed, decided))


@dataclass
class _Past:
    case: GrantCase
    amounts: PastAmounts
    commitment: LedgerEntry | None = None


def _dates(year: int) -> dict[str, dt.date]:
    """Key dates of a past year's case (never after today)."""
    today = timezone.localdate()
    return {"decided": dt.date(year, 4, 15), "confirmed": min(today, dt.date(year + 1, 4, 20)),
            "settled": min(today, dt.date(year + 1, 4, 30))}


def _advances(decided: int) -> list[int]:
    """The 概算払 of the sample plan: each share rounded down, the last taking the planned total's remainder."""
    shares = [share for _, _, share, _ in INSTALMENTS]
    amounts = [int(decided * share) for share in shares]
    amounts[-1] = int(decided * sum(shares)) - sum(amounts[:-1])
    return amounts


def _history(year: int, rules: dict[str, ProgrammeYear], councils: dict[str, Organization],
             plans: dict[str, list[CommunityPlan]], households: dict[str, int], users: dict[str, User]) -> None:
    """Closed 運営支援 and 活動支援 cases of every council for a past ``year``, as migrated data: the cases in
    their final state, their paid orders, and ledger entries dated inside the year (the reduction at 額の確定
    and the 精算払 in the following April), each marked :data:`MIGRATION_NOTE`."""
    actor, dates = users["admin"], _dates(year)
    for code, py in rules.items():
        done = set(GrantCase.objects.filter(programme_year=py).values_list("organization_id", flat=True))
        todo = {area: org for area, org in councils.items() if org.pk not in done}
        if not todo:
            continue
        past = [_Past(case=_past_case(py, org, plans[area], dates),
                      amounts=_past_amounts(code, area, org, year, households[area])) for area, org in todo.items()]
        for item in past:
            _fill_amounts(item.case, item.amounts)
        GrantCase.objects.bulk_create([item.case for item in past])
        _budget(py, _ceil_to(sum(item.amounts.decided for item in past) * 105 // 100, 10_000_000),
                users["kaikei"], on=dt.date(year, 4, 1))
        _post_history(py, past, actor, dates, year)
        _orders(past, users, dates, year)
        for item in past:
            record_event(actor=actor, subject=item.case, action="migrate_case", to_state=Status.CLOSED,
                         note=f"{MIGRATION_NOTE}：{fiscal_year_label(year)} 交付決定額 {yen(item.amounts.decided)}、"
                              f"確定額 {yen(item.amounts.confirmed)}")


def _past_case(py: ProgrammeYear, org: Organization, plans: list[CommunityPlan],
               dates: dict[str, dt.date]) -> GrantCase:
    year = py.fiscal_year
    short = "事務局の運営" if py.programme.code == UNEI else "地域づくり計画に基づく地域づくり活動"
    submitted = dt.datetime(year, 4, 5, 10, 0, tzinfo=timezone.get_current_timezone())
    return GrantCase(
        programme_year=py, organization=org, status=Status.CLOSED, project_title=f"{org.name} {short}",
        project_start=dt.date(year, 4, 1), project_end=dt.date(year + 1, 3, 31), submitted_at=submitted,
        decided_on=dates["decided"], completion_deadline=dt.date(year + 1, 3, 31), plan=_plan_for(plans, year),
        confirmed_on=dates["confirmed"], closed_on=dates["settled"],
        decision_conditions="事業の成果を広報紙で地域に周知すること" if py.programme.code == KATSUDO else "",
    )


def _fill_amounts(case: GrantCase, amounts: PastAmounts) -> None:
    case.applied_amount = case.assessed_amount = case.computed_amount = amounts.decided
    case.decided_amount = amounts.decided
    case.justified_amount = case.confirmed_amount = case.paid_amount = amounts.confirmed


def _post_history(py: ProgrammeYear, past: list[_Past], actor: User, dates: dict[str, dt.date], year: int) -> None:
    """Ledger entries in the order the year ran, so every running total stays within its limits: commitments,
    the advances, the reductions at 額の確定 (the commitment reversed and posted again at the confirmed amount,
    with the decision's date, as ``adjust_commitment`` does), then the 精算払."""
    def post(item: _Past, kind: str, amount: int, on: dt.date, what: str, *, reverses: LedgerEntry | None = None,
             case_reversal: bool = False) -> LedgerEntry:
        return post_entry(programme_year=py, kind=kind, amount=amount, actor=actor, case=item.case, entry_date=on,
                          note=f"{what} {item.case.organization.name}（{MIGRATION_NOTE}）"[:200], reverses=reverses,
                          case_reversal=case_reversal)

    for item in past:
        item.commitment = post(item, EntryKind.COMMITMENT, item.amounts.decided, dates["decided"], "交付決定")
    for index, (_, label, _, (month, day)) in enumerate(INSTALMENTS):
        for item in past:
            post(item, EntryKind.PAYMENT, _advances(item.amounts.decided)[index], dt.date(year, month, day),
                 f"概算払 {label}")
    for item in past:
        if item.amounts.confirmed < item.amounts.decided:
            post(item, EntryKind.REVERSAL, item.amounts.decided, dates["confirmed"], "減額（額の確定）",
                 reverses=item.commitment, case_reversal=True)
            post(item, EntryKind.COMMITMENT, item.amounts.confirmed, dates["decided"], "減額後の残額（額の確定）")
    for item in past:
        owed = item.amounts.confirmed - sum(_advances(item.amounts.decided))
        if owed > 0:
            post(item, EntryKind.PAYMENT, owed, dates["settled"], "精算払")


def _orders(past: list[_Past], users: dict[str, User], dates: dict[str, dt.date], year: int) -> None:
    """The paid 支出命令 of the migrated cases (概算払 ×2, 精算払), drafted by staff and approved by finance."""
    zone = timezone.get_current_timezone()
    rows = []
    for item in past:
        pays = [(OrderKind.ADVANCE, f"概算払 {label}", amount, dt.date(year, month, day))
                for (_, label, _, (month, day)), amount in zip(INSTALMENTS, _advances(item.amounts.decided),
                                                                strict=True)]
        owed = item.amounts.confirmed - sum(_advances(item.amounts.decided))
        if owed > 0:
            pays.append((OrderKind.SETTLEMENT, "精算払", owed, dates["settled"]))
        for number, (kind, label, amount, on) in enumerate(pays, start=1):
            at = dt.datetime.combine(on, dt.time(9, 0), tzinfo=zone) - dt.timedelta(days=7)
            rows.append(PaymentOrder(case=item.case, kind=kind, number=number, label=label, amount=amount, pay_on=on,
                                     status=OrderStatus.PAID, prepared_by=users["tanto"], prepared_at=at,
                                     approved_by=users["kaikei"], approved_at=at + dt.timedelta(days=1), paid_on=on))
    PaymentOrder.objects.bulk_create(rows)


# -- the current year -----------------------------------------------------------------------------------------

def _drafts(current: dict[str, ProgrammeYear], org: Organization, secretary: User) -> None:
    """湯田's draft applications for both programmes, with the project entered (the walk-through starts here)."""
    titles = {UNEI: f"{org.name} 事務局の運営", KATSUDO: f"{org.area.name}地域づくり計画に基づく地域づくり活動"}
    today = timezone.localdate()
    for code, py in current.items():
        case, created = GrantCase.objects.get_or_create(programme_year=py, organization=org)
        if not created:
            continue
        start = dt.date(py.fiscal_year, 4, 1) if py.allow_costs_before_decision else today
        lifecycle.save_application(case_id=case.pk, actor=secretary, project_title=titles[code], project_start=start,
                         project_end=dt.date(py.fiscal_year + 1, 3, 31))
