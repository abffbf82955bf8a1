"""What the city watches of each 地域づくり協議会: the amounts of its two grants per 年度 and the share of them
that pays for the council's own running (管理費割合).

Per council and 年度 (fiscal year, Western start year):

- 運営支援 (``unei_shien``: secretariat staff and running costs) and 活動支援 (``katsudo_shien``) amounts, whole yen:
  the case's 確定額 (``confirmed_amount``) once 額の確定 or 取消 has fixed it (statuses 額確定済, 完了, 交付決定取消),
  else its 交付決定額 (``decided_amount``) while the decision stands (交付決定済 … 実績審査済); nothing (None) for a
  case not yet decided, refused (不交付決定), or absent.
- 合計 = 運営支援 + 活動支援 (None when both are None).
- 管理費割合 = (人件費 + 運営経費) ÷ 合計, where 人件費 + 運営経費 is the 運営支援 amount. Computed exactly
  (``fractions.Fraction``, never float) and shown as a percentage with one decimal, rounded half up
  (4,802,000 ÷ 10,261,000 = 46.798… → 「46.8%」). A council whose 合計 is 0 or None has no share (「—」), and
  neither has a year in which a case of either programme still awaits its decision (申請前 … 審査済): its share
  would change with that decision (a mid-year 0 % or 100 % would mislead).

Each read is one query, whatever the number of councils, cases or years: the amounts are summed in the database.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, Value, When

from grants.cases.models import GrantCase, Status
from grants.core.fiscal import fiscal_year_label
from grants.organizations.models import Organization, OrganizationKind

UNEI_SHIEN = "unei_shien"  # 地域づくり運営支援交付金
KATSUDO_SHIEN = "katsudo_shien"  # 地域づくり活動支援交付金
PROGRAMME_CODES = (UNEI_SHIEN, KATSUDO_SHIEN)

# Statuses whose amount is the 確定額 (after 額の確定, or the amount kept after 取消).
CONFIRMED_STATUSES = (Status.CONFIRMED, Status.CLOSED, Status.CANCELLED)
# Statuses between 交付決定 and 額の確定: the amount is the 交付決定額 (as changed by a 変更交付決定).
DECIDED_STATUSES = (
    Status.DECIDED, Status.PAYMENT_PREPARED, Status.PAYMENT_APPROVED, Status.TRANSFER_SENT, Status.PAID,
    Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED, Status.REPORTED, Status.REPORT_VERIFIED,
)

NO_SHARE = "—"


@dataclass(frozen=True)
class CouncilYear:
    """One council's two grants in one 年度, whole yen (None: no decided or confirmed amount)."""

    organization_id: int
    code: str  # 団体コード
    name: str  # 協議会の名称
    area_code: str  # 地域コード
    area_name: str  # 地域名
    fiscal_year: int  # 年度 (Western start year)
    unei: int | None  # 運営支援
    katsudo: int | None  # 活動支援
    pending: bool = False  # a case of either programme awaits its decision

    @property
    def fiscal_year_label(self) -> str:
        """令和8年度 …"""
        return fiscal_year_label(self.fiscal_year)

    @property
    def total(self) -> int | None:
        """合計 (yen), None when neither programme has an amount."""
        if self.unei is None and self.katsudo is None:
            return None
        return (self.unei or 0) + (self.katsudo or 0)

    @property
    def share(self) -> Fraction | None:
        """管理費割合 as an exact fraction of 1 (運営支援 ÷ 合計), None when 合計 is 0 or None or a case of the year
        awaits its decision."""
        return Fraction(self.unei or 0, self.total) if self.total and not self.pending else None

    @property
    def share_tenths(self) -> int | None:
        """管理費割合 in tenths of a percent, rounded half up (468 for 46.798…%), None without a share."""
        total = self.total
        if not total or self.pending:
            return None
        return (2 * 1000 * (self.unei or 0) + total) // (2 * total)

    @property
    def share_percent(self) -> Decimal | None:
        """管理費割合 in percent with one decimal, rounded half up (``Decimal("46.8")``)."""
        tenths = self.share_tenths
        return None if tenths is None else Decimal(tenths).scaleb(-1)

    @property
    def share_ratio(self) -> Decimal | None:
        """The rounded share as a fraction of 1 (``Decimal("0.468")``), what a cell formatted 0.0% holds."""
        tenths = self.share_tenths
        return None if tenths is None else Decimal(tenths).scaleb(-3)

    @property
    def share_display(self) -> str:
        """「46.8%」, or 「—」 without a share."""
        percent = self.share_percent
        return NO_SHARE if percent is None else f"{percent}%"


def case_amount(prefix: str = "") -> Case:
    """SQL expression of one case's amount (see the module docstring); ``prefix`` reaches the case from
    another model (``"cases__"`` from Organization)."""
    return Case(
        When(**{f"{prefix}status__in": CONFIRMED_STATUSES}, then=F(f"{prefix}confirmed_amount")),
        When(**{f"{prefix}status__in": DECIDED_STATUSES}, then=F(f"{prefix}decided_amount")),
        default=Value(None),
        output_field=BigIntegerField(),
    )


AWAITING_DECISION = ("draft", "submitted", "verified")


def _sums(prefix: str = "", where: Q | None = None) -> dict[str, object]:
    """``unei`` and ``katsudo``: the amounts summed per programme (NULL when no case of it has an amount);
    ``pending``: how many cases of either programme await their decision."""
    where = where or Q()
    code = f"{prefix}programme_year__programme__code"
    return {
        "unei": Sum(case_amount(prefix), filter=where & Q(**{code: UNEI_SHIEN})),
        "katsudo": Sum(case_amount(prefix), filter=where & Q(**{code: KATSUDO_SHIEN})),
        "pending": Count(f"{prefix}pk" if prefix else "pk", filter=where & Q(**{
            f"{code}__in": PROGRAMME_CODES, f"{prefix}status__in": AWAITING_DECISION})),
    }


def by_share(rows: Iterable[CouncilYear]) -> list[CouncilYear]:
    """``rows`` by 管理費割合, highest first (exact comparison); councils without a share last; then by 地域コード
    and 団体コード."""
    return sorted(rows, key=lambda r: (r.share is None, -(r.share or 0), r.area_code, r.code))


def council_shares(fiscal_year: int) -> list[CouncilYear]:
    """Every council (団体の種別 地域づくり協議会) that is active or has a case of either programme in
    ``fiscal_year``, with its amounts of that 年度, sorted by 管理費割合 (``by_share``). One query."""
    in_year = Q(cases__programme_year__fiscal_year=fiscal_year)
    rows = (
        Organization.objects.filter(kind=OrganizationKind.KYOGIKAI)
        .order_by()
        .values("pk", "code", "name", "area__code", "area__name", "is_active")
        .annotate(
            **_sums("cases__", in_year),
            case_count=Count("cases", filter=in_year & Q(cases__programme_year__programme__code__in=PROGRAMME_CODES)),
        )
        .filter(Q(is_active=True) | Q(case_count__gt=0))
    )
    return by_share(
        CouncilYear(
            organization_id=row["pk"], code=row["code"], name=row["name"], area_code=row["area__code"],
            area_name=row["area__name"], fiscal_year=fiscal_year, unei=row["unei"], katsudo=row["katsudo"],
            pending=bool(row["pending"]),
        )
        for row in rows
    )


def council_cases() -> QuerySet[GrantCase]:
    """Cases of councils in either programme (any 年度, any status)."""
    return GrantCase.objects.filter(
        organization__kind=OrganizationKind.KYOGIKAI, programme_year__programme__code__in=PROGRAMME_CODES
    )


def council_years(cases: QuerySet[GrantCase] | None = None) -> list[CouncilYear]:
    """One row per council and 年度 among ``cases`` (default ``council_cases()``; pass it narrowed, e.g. to some
    councils or one 年度), by 地域コード, 団体コード and 年度 (oldest first). One query."""
    cases = council_cases() if cases is None else cases
    rows = (
        cases.order_by()
        .values("organization_id", "organization__code", "organization__name", "organization__area__code",
                "organization__area__name", "programme_year__fiscal_year")
        .annotate(**_sums())
        .order_by("organization__area__code", "organization__code", "programme_year__fiscal_year")
    )
    return [
        CouncilYear(
            organization_id=row["organization_id"], code=row["organization__code"], name=row["organization__name"],
            area_code=row["organization__area__code"], area_name=row["organization__area__name"],
            fiscal_year=row["programme_year__fiscal_year"], unei=row["unei"], katsudo=row["katsudo"],
            pending=bool(row["pending"]),
        )
        for row in rows
    ]


def council_history(organization: Organization | int) -> list[CouncilYear]:
    """The grant history (交付の推移) of one council: a row per 年度 in which it had a case of either programme,
    oldest first. One query."""
    return council_years(council_cases().filter(organization=organization))
