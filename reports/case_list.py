"""The case list as the staff filtered it (案件一覧の出力), one sheet of Excel or one CSV for Excel, built on
``reports.excel`` and ``reports.csv_export`` like the auditor's workbook: the same typed columns, the same escaping
of what a spreadsheet would run as a formula, dates as date cells (ISO dates in the CSV).

The page (``pages.cases.exports``) passes the cases exactly as its list shows them: the user's visible cases
(``GrantCase.objects.visible_to``), filtered and ordered as on the page. Rows are read in two queries whatever
their number: the 実績報告 deadlines of the cases still awaiting a report (``grants.cases.overdue.deadlines_of``,
the rule the list's 期限超過 filter uses), then the cases with their programme and organisation.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import IO

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from grants.cases.models import GrantCase
from grants.cases.overdue import deadlines_of
from grants.core.fiscal import fiscal_year_label
from grants.ledger.models import OrderStatus, PaymentOrder

from .csv_export import CSV_CONTENT_TYPE, write_csv
from .excel import EXPORT_TIMEZONE, XLSX_CONTENT_TYPE, Column, ColumnType, Progress, Report, write_xlsx

CHUNK_SIZE = 2000
TEXT, YEN, COUNT, DATE = ColumnType.TEXT, ColumnType.YEN, ColumnType.COUNT, ColumnType.DATE


def _day(moment: dt.datetime | None) -> dt.date | None:
    """The day of ``moment`` in the city (Asia/Tokyo), as the list's 申請日 filter reads it."""
    return moment.astimezone(EXPORT_TIMEZONE).date() if moment is not None else None


class CaseListReport(Report):
    """Sheet 「案件一覧」: one row per case of ``cases``, in their order.

    Row: (案件番号 str, 年度 str 「令和8年度」, 事業 str, 団体コード str, 団体名 str, 地域 str, 状態 str (the words of
    the case's workflow, never its code), 世帯数 int | None, 算定額 int | None, 交付決定額 int | None, 確定額
    int | None, 支払済額 int (what the ledger posted, as in the workbook's 案件一覧), うち振込予定額 int (posted, the
    bank's result not yet recorded), 申請日 date | None (the day of ``submitted_at`` in Asia/Tokyo), 交付決定日
    date | None, 実績報告期限 date | None (a case still awaiting its 実績報告), 期限超過 str: 「N日超過」 past the due
    date on ``today``, else empty). Amounts in whole yen."""

    sheet_title = "案件一覧"
    columns = (
        Column("案件番号", TEXT, 28),
        Column("年度", TEXT, 12),
        Column("事業", TEXT, 30),
        Column("団体コード", TEXT, 12),
        Column("団体名", TEXT, 32),
        Column("地域", TEXT, 10),
        Column("状態", TEXT, 26),
        Column("世帯数", COUNT),
        Column("算定額", YEN),
        Column("交付決定額", YEN),
        Column("確定額", YEN),
        Column("支払済額", YEN),
        Column("うち振込予定額", YEN),
        Column("申請日", DATE),
        Column("交付決定日", DATE),
        Column("実績報告期限", DATE, 14),
        Column("期限超過", TEXT, 10),
    )

    def __init__(self, cases: QuerySet[GrantCase], *, today: dt.date | None = None) -> None:
        self.cases = cases
        self.today = today or timezone.localdate()

    def count(self) -> int:
        return self.cases.count()

    def rows(self) -> Iterator[tuple[object, ...]]:
        deadlines = {row.case.pk: row for row in deadlines_of(self.cases, today=self.today)}
        sent = (PaymentOrder.objects.filter(case=OuterRef("pk"), status=OrderStatus.SENT).order_by().values("case")
                .annotate(total=Sum("amount")).values("total"))
        cases = self.cases.select_related("programme_year__programme", "organization__area").annotate(
            pending_transfer=Coalesce(Subquery(sent), Value(0), output_field=BigIntegerField()))
        years: dict[int, str] = {}  # 「令和8年度」 by 年度: the era's lookup is slow enough to count at 770 rows
        for case in cases.iterator(chunk_size=CHUNK_SIZE):
            py, org, deadline = case.programme_year, case.organization, deadlines.get(case.pk)
            if py.fiscal_year not in years:
                years[py.fiscal_year] = fiscal_year_label(py.fiscal_year)
            yield (
                case.reference, years[py.fiscal_year], py.programme.name, org.code, org.name,
                org.area.name, case.status_label, case.household_count,
                case.computed_amount, case.decided_amount, case.confirmed_amount, case.paid_amount,
                case.pending_transfer,
                _day(case.submitted_at), case.decided_on,
                deadline.due_on if deadline else None,
                f"{deadline.days_overdue}日超過" if deadline and deadline.overdue else None,
            )


def _xlsx(report: Report, out: IO[bytes], progress: Progress | None) -> None:
    write_xlsx([report], out, progress)


def _csv(report: Report, out: IO[bytes], progress: Progress | None) -> None:
    write_csv(report, out, progress)


# format → (write the report to a binary file, with progress or None; content type)
FORMATS: dict[str, tuple[Callable[[Report, IO[bytes], Progress | None], None], str]] = {
    "xlsx": (_xlsx, XLSX_CONTENT_TYPE),
    "csv": (_csv, CSV_CONTENT_TYPE),
}


def write_case_list(cases: QuerySet[GrantCase], out: IO[bytes], kind: str, *, today: dt.date | None = None,
                    progress: Progress | None = None) -> tuple[str, str]:
    """Write ``cases`` as the list's export ``kind`` (``"xlsx"`` or ``"csv"``; ``KeyError`` for another) to the
    binary file ``out``, reporting rows written to ``progress`` (a job's); return (download name
    「案件一覧_20261206.xlsx」, content type)."""
    write, content_type = FORMATS[kind]
    report = CaseListReport(cases, today=today)
    write(report, out, progress)
    return f"案件一覧_{report.today:%Y%m%d}.{kind}", content_type
