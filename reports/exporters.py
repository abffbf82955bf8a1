"""The auditor's Excel export of one programme-year (監査用の台帳・案件一覧).

Three reports, one sheet each, built on ``reports.excel``:

- ``LedgerReport``, sheet 「台帳」: every ledger entry of the programme-year's budget, in posting order.
- ``LedgerSummaryReport``, sheet 「集計」: the budget account's totals next to the same totals recomputed
  from the ledger entries, and their difference (0 when the ledger reconciles).
- ``CaseRegisterReport``, sheet 「案件一覧」: every grant case of the programme-year, by 団体コード.

``programme_year_workbook`` writes all three to a binary file-like object; ``programme_year_filename`` gives
the suggested download name. Amounts are whole yen (int). Each report runs a fixed number of queries
whatever the number of rows (``select_related`` and ``iterator(chunk_size=2000)``).

A view can stream the result with ``FileResponse(buffer, as_attachment=True,
filename=programme_year_filename(py), content_type=XLSX_CONTENT_TYPE)``; Django encodes the Japanese
filename for Content-Disposition (RFC 6266 ``filename*``).
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from django.db.models import Sum

from grants.cases.models import GrantCase
from grants.ledger.models import TOTAL_OF_KIND, BudgetAccount, EntryKind, LedgerEntry
from grants.programmes.models import ProgrammeYear

from .excel import Column, ColumnType, Report, write_xlsx

CHUNK_SIZE = 2000

TEXT, YEN, COUNT, NUMBER = ColumnType.TEXT, ColumnType.YEN, ColumnType.COUNT, ColumnType.NUMBER
DATE, DATETIME = ColumnType.DATE, ColumnType.DATETIME


class ProgrammeYearReport(Report):
    """A report over one programme-year (``ProgrammeYear``)."""

    def __init__(self, programme_year: ProgrammeYear) -> None:
        self.programme_year = programme_year


class LedgerReport(ProgrammeYearReport):
    """Sheet 「台帳」: one row per ``LedgerEntry`` of the programme-year's budget account, by entry number.

    Row: (番号 int, 計上日 date, 記録日時 aware datetime, 区分 str, 金額（円） int, 取り消す仕訳 int | None,
    案件番号 str, 団体コード str, 団体名 str, 記録者 str, 摘要 str). Entries without a case (予算, the
    reversal of a 予算 entry) leave 案件番号 and the organisation blank. One query.
    """

    sheet_title = "台帳"
    columns = (
        Column("番号", NUMBER, 8),
        Column("計上日", DATE),
        Column("記録日時", DATETIME),
        Column("区分", TEXT, 26),
        Column("金額（円）", YEN),
        Column("取り消す仕訳", NUMBER, 14),
        Column("案件番号", TEXT, 28),
        Column("団体コード", TEXT, 12),
        Column("団体名", TEXT, 32),
        Column("記録者", TEXT, 18),
        Column("摘要", TEXT, 44),
    )

    def rows(self) -> Iterator[tuple[object, ...]]:
        entries = (
            LedgerEntry.objects.filter(account__programme_year=self.programme_year)
            .select_related("actor", "case__organization", "case__programme_year__programme")
            .order_by("pk")
        )
        for entry in entries.iterator(chunk_size=CHUNK_SIZE):
            case = entry.case
            organization = case.organization if case is not None else None
            yield (
                entry.pk,
                entry.entry_date,
                entry.recorded_at,
                entry.get_kind_display(),
                entry.amount,
                entry.reverses_id,
                case.reference if case is not None else None,
                organization.code if organization is not None else None,
                organization.name if organization is not None else None,
                str(entry.actor),
                entry.note,
            )


# (BudgetAccount total, label) in the order of the 「集計」 sheet; 執行可能額 is derived.
SUMMARY_TOTALS: tuple[tuple[str, str], ...] = (
    ("budget", "予算額"),
    ("committed", "交付決定額"),
    ("paid", "支出済額"),
    ("refunded", "返還額"),
)


def ledger_totals(programme_year: ProgrammeYear) -> dict[str, int]:
    """The totals {"budget", "committed", "paid", "refunded": yen} recomputed from the programme-year's
    ledger entries: each entry adds its amount to the total of its kind, and a reversal subtracts its
    amount from the total of the entry it reverses. One query."""
    totals = dict.fromkeys(TOTAL_OF_KIND.values(), 0)
    sums = (
        LedgerEntry.objects.filter(account__programme_year=programme_year)
        .order_by()
        .values_list("kind", "reverses__kind")
        .annotate(total=Sum("amount"))
    )
    for kind, reversed_kind, amount in sums:
        if kind == EntryKind.REVERSAL:
            totals[TOTAL_OF_KIND[EntryKind(reversed_kind)]] -= amount
        else:
            totals[TOTAL_OF_KIND[EntryKind(kind)]] += amount
    return totals


class LedgerSummaryReport(ProgrammeYearReport):
    """Sheet 「集計」: the budget account's totals and the same totals recomputed from the ledger.

    Rows: (項目 str, 予算の記録額（円） int, 台帳からの計算額（円） int, 差額（円） int) for 予算額,
    交付決定額, 支出済額, 返還額 and 執行可能額 (予算額 − 交付決定額). 差額 = recorded − recomputed, 0 when
    the account reconciles with its entries. A programme-year without a budget account shows 0 recorded.
    Two queries.
    """

    sheet_title = "集計"
    columns = (
        Column("項目", TEXT, 14),
        Column("予算の記録額（円）", YEN, 20),
        Column("台帳からの計算額（円）", YEN, 24),
        Column("差額（円）", YEN, 14),
    )

    def rows(self) -> Iterator[tuple[object, ...]]:
        account = BudgetAccount.objects.filter(programme_year=self.programme_year).first()
        recorded = {name: getattr(account, name) if account else 0 for name, _ in SUMMARY_TOTALS}
        computed = ledger_totals(self.programme_year)
        lines = [(label, recorded[name], computed[name]) for name, label in SUMMARY_TOTALS]
        lines.append(
            (
                "執行可能額",
                recorded["budget"] - recorded["committed"],
                computed["budget"] - computed["committed"],
            )
        )
        for label, recorded_yen, computed_yen in lines:
            yield (label, recorded_yen, computed_yen, recorded_yen - computed_yen)


class CaseRegisterReport(ProgrammeYearReport):
    """Sheet 「案件一覧」: one row per ``GrantCase`` of the programme-year, by 団体コード.

    Row: (案件番号 str, 団体コード str, 団体名 str, 地域 str, 状態 str, 世帯数 int | None, 算定額 int | None,
    交付決定額 int | None, 支出済額 int, 申請日時 aware datetime | None, 交付決定日 date | None,
    支払日 date | None). One query.
    """

    sheet_title = "案件一覧"
    columns = (
        Column("案件番号", TEXT, 28),
        Column("団体コード", TEXT, 12),
        Column("団体名", TEXT, 32),
        Column("地域", TEXT, 10),
        Column("状態", TEXT, 26),
        Column("世帯数", COUNT),
        Column("算定額", YEN),
        Column("交付決定額", YEN),
        Column("支出済額", YEN),
        Column("申請日時", DATETIME),
        Column("交付決定日", DATE),
        Column("支払日", DATE),
    )

    def rows(self) -> Iterator[tuple[object, ...]]:
        cases = (
            GrantCase.objects.filter(programme_year=self.programme_year)
            .select_related("organization__area", "programme_year__programme")
            .order_by("organization__code", "pk")
        )
        for case in cases.iterator(chunk_size=CHUNK_SIZE):
            organization = case.organization
            yield (
                case.reference,
                organization.code,
                organization.name,
                organization.area.name,
                case.get_status_display(),
                case.household_count,
                case.computed_amount,
                case.decided_amount,
                case.paid_amount,
                case.submitted_at,
                case.decided_on,
                case.paid_on,
            )


def programme_year_reports(programme_year: ProgrammeYear) -> list[Report]:
    """The auditor's reports of ``programme_year``, in sheet order: 台帳, 集計, 案件一覧."""
    return [
        LedgerReport(programme_year),
        LedgerSummaryReport(programme_year),
        CaseRegisterReport(programme_year),
    ]


def programme_year_workbook(programme_year: ProgrammeYear, out: IO[bytes]) -> dict[str, int]:
    """Write the auditor's workbook of ``programme_year`` (sheets 台帳, 集計, 案件一覧) as .xlsx to the
    binary file-like ``out``. Returns {sheet title: number of data rows}. Four queries in all."""
    return write_xlsx(programme_year_reports(programme_year), out)


def programme_year_filename(programme_year: ProgrammeYear) -> str:
    """Suggested download name, e.g. ``台帳_2026_jichi_shinko.xlsx`` (年度 and 事業コード, a slug)."""
    return f"台帳_{programme_year.fiscal_year}_{programme_year.programme.code}.xlsx"
