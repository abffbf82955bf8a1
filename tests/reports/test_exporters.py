"""The auditor's Excel export of one programme-year (reports.exporters, reports.excel).

Data is built through the real services; the workbook is written to memory and read back with openpyxl.
The shared ``programme_year`` fixture is 令和8年度 自治会等自治振興交付金: 均等割 10,000円 + 世帯割 500円,
budget 5,000,000円 posted by 「budget-officer 担当」.
"""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.worksheet.worksheet import Worksheet

from grants.cases.models import GrantCase
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import post_entry, set_budget
from grants.programmes.models import ProgrammeYear
from reports.excel import Column, ColumnType, excel_datetime, typed_cell
from reports.exporters import programme_year_filename, programme_year_workbook
from tests import factories

from .conftest import export, open_case, ready_association

TOKYO = ZoneInfo("Asia/Tokyo")

LEDGER_HEADER = [
    "番号", "計上日", "記録日時", "区分", "金額（円）", "取り消す仕訳",
    "案件番号", "団体コード", "団体名", "記録者", "摘要",
]
SUMMARY_HEADER = ["項目", "予算の記録額（円）", "台帳からの計算額（円）", "差額（円）"]
CASE_HEADER = [
    "案件番号", "団体コード", "団体名", "地域", "状態", "世帯数",
    "算定額", "交付決定額", "支出済額", "申請日時", "交付決定日", "支払日",
]


def values(ws: Worksheet) -> list[list[object]]:
    """Every row of ``ws`` as a list of cell values (empty cells are None)."""
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def as_excel_date(day: dt.date) -> dt.datetime:
    """How openpyxl reads back a date cell: a datetime at midnight."""
    return dt.datetime.combine(day, dt.time())


def tokyo_wall_clock(*parts: int) -> dt.datetime:
    """The naive datetime a cell holds for that Asia/Tokyo wall-clock time (year, month, day, h, m, s)."""
    return dt.datetime(*parts, tzinfo=TOKYO).replace(tzinfo=None)


def as_excel_datetime(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as written: Asia/Tokyo wall-clock time, naive, whole seconds."""
    return moment.astimezone(TOKYO).replace(tzinfo=None, microsecond=0)


# --- Layout -------------------------------------------------------------------------------------------


def test_workbook_has_ledger_summary_and_case_sheets_with_frozen_bold_headers(paid_case):
    # given a paid case in the programme-year
    # when the workbook is exported
    wb = export(paid_case.programme_year)

    # then there is one sheet per table, each with its header row bold and frozen
    assert wb.sheetnames == ["台帳", "集計", "案件一覧"]
    for name, header in (("台帳", LEDGER_HEADER), ("集計", SUMMARY_HEADER), ("案件一覧", CASE_HEADER)):
        ws = wb[name]
        assert values(ws)[0] == header
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1])
        assert all(cell.data_type == "s" for cell in ws[1])
        assert ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:")
    # and the columns have widths set for their contents
    assert wb["台帳"].column_dimensions["I"].width == 32  # 団体名
    assert wb["台帳"].column_dimensions["K"].width == 44  # 摘要
    assert wb["案件一覧"].column_dimensions["A"].width == 28  # 案件番号
    assert wb["案件一覧"].column_dimensions["J"].width == 20  # 申請日時


def test_suggested_filename_names_year_and_programme(programme_year):
    assert programme_year_filename(programme_year) == f"台帳_{factories.CURRENT_FY}_jichi_shinko.xlsx"


def test_workbook_function_reports_row_counts(paid_case):
    # when the workbook is written to a buffer
    buffer = io.BytesIO()
    counts = programme_year_workbook(paid_case.programme_year, buffer)

    # then it names the rows written per sheet (budget, commitment, payment; five totals; one case)
    assert counts == {"台帳": 3, "集計": 5, "案件一覧": 1}
    assert buffer.getvalue()[:2] == b"PK"


# --- 台帳 -------------------------------------------------------------------------------------------


def test_ledger_sheet_lists_budget_commitment_and_payment_with_exact_values(paid_case):
    # given the budget of 5,000,000 and a case of 70,000 decided and paid through the services
    budget, commitment, payment = LedgerEntry.objects.order_by("pk")
    assert paid_case.decided_amount == 70_000

    # when exported
    ws = export(paid_case.programme_year)["台帳"]

    # then each entry is one row, in posting order, with exact values
    reference = f"{factories.CURRENT_FY}-jichi_shinko-{paid_case.pk:05d}"
    assert values(ws)[1:] == [
        [budget.pk, as_excel_date(budget.entry_date), as_excel_datetime(budget.recorded_at), "予算",
         5_000_000, None, None, None, None, "budget-officer 担当", "当初予算"],
        [commitment.pk, as_excel_date(commitment.entry_date), as_excel_datetime(commitment.recorded_at),
         "交付決定（支出負担行為）", 70_000, None, reference, "10-900", "=1+1", "approver 担当",
         "交付決定 =1+1"],
        [payment.pk, as_excel_date(payment.entry_date), as_excel_datetime(payment.recorded_at),
         "支出", 70_000, None, reference, "10-900", "=1+1", "finance 担当", "支出 =1+1"],
    ]


def test_ledger_cells_are_typed_numbers_dates_and_strings(paid_case):
    # when exported
    ws = export(paid_case.programme_year)["台帳"]
    row = ws[3]  # the commitment

    # then the entry number and amount are integers, the amount with a thousands separator
    assert type(row[0].value) is int and row[0].number_format == "0"
    assert type(row[4].value) is int and row[4].value == 70_000 and row[4].number_format == "#,##0"
    # and 計上日 / 記録日時 are real dates (naive, Asia/Tokyo), not text
    assert row[1].data_type == "d" and isinstance(row[1].value, dt.datetime)
    assert row[1].number_format == "yyyy-mm-dd"
    assert row[2].data_type == "d" and row[2].value.tzinfo is None
    assert row[2].number_format == "yyyy-mm-dd hh:mm:ss"
    # and the organisation called 「=1+1」 is the text "=1+1", never a formula
    assert row[8].value == "=1+1" and row[8].data_type == "s" and row[8].number_format == "@"


def test_reversal_row_points_at_the_entry_it_reverses(programme_year, finance):
    # given a supplementary budget of 1,000,000 that is then reversed
    supplement = set_budget(programme_year=programme_year, budget=1_000_000, actor=finance, note="6月補正")
    reversal = post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1_000_000,
                          actor=finance, reverses=supplement, note="6月補正の取消")

    # when exported
    wb = export(programme_year)

    # then the reversal row names the reversed entry's number and has no case
    rows = {row[0]: row for row in values(wb["台帳"])[1:]}
    assert rows[supplement.pk][3:] == ["予算", 1_000_000, None, None, None, None, "finance 担当", "6月補正"]
    assert rows[reversal.pk][3:] == [
        "取消（反対仕訳）", 1_000_000, supplement.pk, None, None, None, "finance 担当", "6月補正の取消",
    ]
    # and the budget is back to 5,000,000 both in the account and recomputed from the ledger
    assert values(wb["集計"])[1] == ["予算額", 5_000_000, 5_000_000, 0]


def test_control_characters_pasted_from_word_do_not_break_the_ledger(programme_year, finance):
    # given a note with a vertical tab and a bell character in it
    set_budget(programme_year=programme_year, budget=200_000, actor=finance, note="補正\x0b予算\x07（6月）")

    # when exported
    ws = export(programme_year)["台帳"]

    # then the export succeeds and the characters Excel refuses are removed
    assert values(ws)[-1][-1] == "補正予算（6月）"


# --- 集計 -------------------------------------------------------------------------------------------


def test_summary_sheet_reconciles_with_the_ledger(paid_case):
    # given the budget of 5,000,000 and one case of 70,000 decided and paid
    account = BudgetAccount.objects.get(programme_year=paid_case.programme_year)
    assert (account.budget, account.committed, account.paid) == (5_000_000, 70_000, 70_000)

    # when exported
    ws = export(paid_case.programme_year)["集計"]

    # then the recorded totals equal the totals recomputed from the entries, with no difference
    assert values(ws)[1:] == [
        ["予算額", 5_000_000, 5_000_000, 0],
        ["交付決定額", paid_case.decided_amount, 70_000, 0],
        ["支出済額", paid_case.paid_amount, 70_000, 0],
        ["返還額", 0, 0, 0],
        ["執行可能額", 4_930_000, 4_930_000, 0],
    ]
    # and every amount is an integer cell with a thousands separator
    for row in ws.iter_rows(min_row=2, min_col=2):
        assert all(type(cell.value) is int and cell.number_format == "#,##0" for cell in row)


def test_summary_of_a_programme_year_without_budget_account_is_zero(db):
    # given a programme-year whose budget account was never opened
    programme_year = factories.rule(fiscal_year=factories.CURRENT_FY + 1)

    # when exported
    wb = export(programme_year)

    # then the sheets are there, empty but for the zero totals
    assert values(wb["台帳"]) == [LEDGER_HEADER]
    labels = ("予算額", "交付決定額", "支出済額", "返還額", "執行可能額")
    assert values(wb["集計"])[1:] == [[label, 0, 0, 0] for label in labels]
    assert values(wb["案件一覧"]) == [CASE_HEADER]


# --- 案件一覧 ----------------------------------------------------------------------------------------


def test_case_register_lists_each_case_with_exact_values(paid_case, programme_year):
    # given the paid case, submitted at 2026-04-30 15:30:45.5 UTC (= 2026-05-01 00:30:45 in Tokyo)
    submitted = dt.datetime(2026, 4, 30, 15, 30, 45, 500_000, tzinfo=dt.UTC)
    GrantCase.objects.filter(pk=paid_case.pk).update(submitted_at=submitted)
    # and a draft case of 「大歳第2自治会」 (30 households → 25,000) whose name has Word control characters
    organization = ready_association(name="大歳\x0b第2自治会\x07", households=30, code="10-950")
    draft = open_case(programme_year, organization, 30)

    # when exported
    ws = export(programme_year)["案件一覧"]

    # then each case is one row, by 団体コード, with exact values
    assert values(ws)[1:] == [
        [f"{factories.CURRENT_FY}-jichi_shinko-{paid_case.pk:05d}", "10-900", "=1+1", "大歳", "支払済",
         120, 70_000, 70_000, 70_000,
         tokyo_wall_clock(2026, 5, 1, 0, 30, 45), as_excel_date(paid_case.decided_on),
         as_excel_date(paid_case.paid_on)],
        [f"{factories.CURRENT_FY}-jichi_shinko-{draft.pk:05d}", "10-950", "大歳第2自治会", "大歳", "申請前",
         30, 25_000, None, 0,
         None, None, None],
    ]


def test_case_register_cells_are_typed(paid_case):
    # when exported
    row = export(paid_case.programme_year)["案件一覧"][2]

    # then names stay text, counts and amounts are integers, and dates are dates
    assert row[2].value == "=1+1" and row[2].data_type == "s"
    assert type(row[5].value) is int and row[5].number_format == "#,##0"  # 世帯数
    for cell in row[6:9]:  # 算定額, 交付決定額, 支出済額
        assert type(cell.value) is int and cell.value == 70_000 and cell.number_format == "#,##0"
    assert row[9].data_type == "d" and row[9].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row[10].data_type == "d" and row[10].number_format == "yyyy-mm-dd"
    assert row[11].data_type == "d" and row[11].number_format == "yyyy-mm-dd"


def test_formula_like_names_stay_text(programme_year):
    # given organisations whose names look like formulas
    names = ['=HYPERLINK("http://example.com","x")', "=1+1", "+81", "-1", "@SUM(A1)"]
    for index, name in enumerate(names):
        open_case(programme_year, ready_association(name=name, households=1, code=f"10-{800 + index}"), 1)

    # when exported
    ws = export(programme_year)["案件一覧"]

    # then each name comes back as the same string, as a string cell
    cells = [row[2] for row in ws.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == names
    assert [cell.data_type for cell in cells] == ["s"] * len(names)


# --- Queries ----------------------------------------------------------------------------------------


def _add_committed_cases(programme_year: ProgrammeYear, actor: object, start: int, count: int) -> None:
    for number in range(start, start + count):
        organization = factories.AssociationFactory(code=f"20-{number:03d}", name=f"宮野第{number}自治会")
        case = open_case(programme_year, organization, 10 + number)
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=case.computed_amount,
                   actor=actor, case=case, note=f"交付決定 {organization.name}")


def test_query_count_does_not_grow_with_rows(programme_year, approver, django_assert_max_num_queries):
    # given 3 cases, each with a commitment in the ledger
    _add_committed_cases(programme_year, approver, 1, 3)

    # when exported: ledger (1) + summary account and sums (2) + cases (1)
    fresh = ProgrammeYear.objects.get(pk=programme_year.pk)
    with django_assert_max_num_queries(4) as small:
        counts = programme_year_workbook(fresh, io.BytesIO())
    assert counts == {"台帳": 4, "集計": 5, "案件一覧": 3}

    # and given 27 more (30 cases)
    _add_committed_cases(programme_year, approver, 4, 27)

    # then exporting ten times the rows takes the same queries
    fresh = ProgrammeYear.objects.get(pk=programme_year.pk)
    with CaptureQueriesContext(connection) as large:
        counts = programme_year_workbook(fresh, io.BytesIO())
    assert counts == {"台帳": 31, "集計": 5, "案件一覧": 30}
    assert len(large) == len(small)


# --- The generic writer -----------------------------------------------------------------------------


def test_aware_datetimes_become_naive_tokyo_time():
    moment = dt.datetime(2026, 3, 31, 15, 0, 0, 999_999, tzinfo=dt.UTC)
    assert excel_datetime(moment) == tokyo_wall_clock(2026, 4, 1, 0, 0, 0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        excel_datetime(dt.datetime(2026, 4, 1, 9, 0))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        (ColumnType.YEN, 1.5),
        (ColumnType.YEN, True),
        (ColumnType.YEN, "70000"),
        (ColumnType.COUNT, "12"),
        (ColumnType.DATE, "2026-04-01"),
        (ColumnType.DATE, dt.datetime(2026, 4, 1, tzinfo=dt.UTC)),
        (ColumnType.DATETIME, dt.date(2026, 4, 1)),
    ],
)
def test_a_value_of_the_wrong_type_is_a_bug_not_a_cell(column_type, value):
    with pytest.raises(TypeError):
        typed_cell(None, Column("x", column_type), value)  # type: ignore[arg-type]
