"""Anonymous counts of the insurance scheme (保険の集計) for the 保険担当, the auditors and the grant staff: reports by
state and 年度, late reports, claims by state, and the amounts computed and paid per 年度 (whole yen). Only
counts and sums leave this module: no name, no report number. The 年度 is the policy's."""
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from grants.core.fiscal import fiscal_year_label

from .models import AccidentReport, Claim, ClaimStatus, ReportStatus


@dataclass(frozen=True)
class YearRow:
    fiscal_year: int
    label: str
    reports: list[int]  # per ReportStatus, in its order
    reports_total: int
    late: int
    claims: list[int]  # per ClaimStatus, in its order
    claims_total: int
    computed: int  # 算定額の合計（取下げを除く）
    paid: int  # 支払額の合計


def yearly_statistics() -> list[YearRow]:
    """One row per 年度 that has a report, newest first. Two grouped queries."""
    reports: dict[int, dict[str, int]] = {}
    late: dict[int, int] = {}
    for row in (AccidentReport.objects.values("policy__fiscal_year", "status")
                .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)))):
        fy = row["policy__fiscal_year"]
        reports.setdefault(fy, {})[row["status"]] = row["n"]
        late[fy] = late.get(fy, 0) + row["late"]
    claims: dict[int, dict[str, int]] = {}
    computed: dict[int, int] = {}
    paid: dict[int, int] = {}
    for row in (Claim.objects.values("report__policy__fiscal_year", "status")
                .annotate(n=Count("pk"), computed=Sum("computed_amount"), paid=Sum("paid_amount"))):
        fy = row["report__policy__fiscal_year"]
        claims.setdefault(fy, {})[row["status"]] = row["n"]
        if row["status"] != ClaimStatus.WITHDRAWN:
            computed[fy] = computed.get(fy, 0) + (row["computed"] or 0)
        paid[fy] = paid.get(fy, 0) + (row["paid"] or 0)
    rows = []
    for fy in sorted(set(reports) | set(claims), reverse=True):
        by_report = [reports.get(fy, {}).get(s, 0) for s in ReportStatus.values]
        by_claim = [claims.get(fy, {}).get(s, 0) for s in ClaimStatus.values]
        rows.append(YearRow(fy, fiscal_year_label(fy), by_report, sum(by_report), late.get(fy, 0), by_claim,
                            sum(by_claim), computed.get(fy, 0), paid.get(fy, 0)))
    return rows
