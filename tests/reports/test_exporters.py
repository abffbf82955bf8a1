"""The auditor's Excel export of one programme-year (reports.exporters, reports.excel).

Data is built through the real services; the workbook is written to memory and read back with openpyxl.
The shared ``programme_year`` fixture is 令和8年度 自治会等自治振興交付金: 均等割 10,000円 + 世帯割 500円,
budget 5,000,000円 posted by 「budget-officer 担当」."""
import datetime as dt
import io
import zipfile
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from grants.cases.models import AnnualRun, GrantCase
from grants.cases.services import refuse_grant, submit_application, verify_application
from grants.core.fiscal import fiscal_year_label
from grants.core.models import AuditEvent, record_event
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import post_entry, set_budget
from grants.programmes.models import Programme, ProgrammeYear
from reports import excel
from reports.excel import Column, ColumnType, clean_text, excel_datetime, typed_value, xlsx_string
from reports.exporters import (
    LedgerReport,
    fiscal_year_filename,
    fiscal_year_workbook,
    programme_year_filename,
    programme_year_workbook,
)
from tests import factories
from tests.cases.steps import to_decided
from tests.reports.builders import export, open_case, ready_association

TOKYO = ZoneInfo("Asia/Tokyo")


LEDGER_HEADER = [
    "番号", "計上日", "記録日時", "区分", "金額（円）", "取り消す仕訳",
    "案件番号", "団体コード", "団体名", "記録者", "摘要",
]


SUMMARY_HEADER = ["項目", "予算の記録額（円）", "台帳からの計算額（円）", "差額（円）"]


CASE_HEADER = [
    "案件番号", "団体コード", "団体名", "地域", "状態", "世帯数",
    "算定額", "交付決定額", "支出済額", "申請日時", "交付決定日", "支払日", "確定額", "返還済額", "うち振込予定額",
]


DECISION_HEADER = ["案件番号", "団体コード", "団体名", "交付決定日", "交付決定額", "決裁者", "審査者", "決定"]


PAYMENT_HEADER = [
    "番号", "計上日", "記録日時", "案件番号", "団体コード", "団体名", "金額（円）", "記録者", "摘要", "取消仕訳",
    "銀行の結果",
]


REFUND_HEADER = [
    "番号", "計上日", "記録日時", "区分", "案件番号", "団体コード", "団体名", "金額（円）",
    "取り消す仕訳", "記録者", "摘要",
]


AUDIT_HEADER = ["日時", "実施者", "操作", "対象", "変更前", "変更後", "備考"]


HEADERS = {
    "台帳": LEDGER_HEADER, "集計": SUMMARY_HEADER, "案件一覧": CASE_HEADER, "交付決定": DECISION_HEADER,
    "支払": PAYMENT_HEADER, "返還": REFUND_HEADER, "監査証跡": AUDIT_HEADER,
}


SHEETS = list(HEADERS)


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


LIFECYCLE = ("申請書兼請求書の提出", "審査", "交付決定", "支出命令の起票", "支出の承認", "支払の記録（振込予定）",
             "振込完了")


def case_events(case: GrantCase):  # type: ignore[no-untyped-def]
    """Every audit event recorded about ``case``, oldest first."""
    return AuditEvent.objects.for_object(case)


def stored_width(characters: float) -> float:
    """The width XlsxWriter stores for a column of ``characters`` Excel character units: Excel's 5-pixel
    padding at 7 pixels per character, rounded down to 1/256 (32 → 32.7109375)."""
    return int((characters * 7 + 5) / 7 * 256) / 256


def test_workbook_has_seven_sheets_with_frozen_bold_headers(paid_case):
    # given a paid case in the programme-year
    # when the workbook is exported
    wb = export(paid_case.programme_year)

    # then there is one sheet per table, each with its header row bold and frozen
    assert wb.sheetnames == SHEETS
    for name, header in HEADERS.items():
        ws = wb[name]
        assert values(ws)[0] == header
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1])
        assert all(cell.data_type == "s" for cell in ws[1])
        assert ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
    # and the columns have widths set for their contents
    assert wb["台帳"].column_dimensions["I"].width == stored_width(32)  # 団体名
    assert wb["台帳"].column_dimensions["K"].width == stored_width(44)  # 摘要
    assert wb["案件一覧"].column_dimensions["A"].width == stored_width(28)  # 案件番号
    assert wb["案件一覧"].column_dimensions["J"].width == stored_width(20)  # 申請日時


def test_suggested_filename_names_year_and_programme_in_words_not_its_code(programme_year):
    assert programme_year_filename(programme_year) == f"台帳_{factories.CURRENT_FY}_自治振興.xlsx"
    assert programme_year_filename(programme_year, "csv") == f"台帳_{factories.CURRENT_FY}_自治振興.csv"
    assert fiscal_year_filename(2026) == "台帳_2026_全事業.xlsx"


def test_attack_a_programme_name_cannot_make_a_path_of_the_filename(programme_year):
    programme = programme_year.programme
    programme.short_name, programme.name = "", "../地域 づくり/補助金:*?"
    assert programme_year_filename(programme_year) == f"台帳_{factories.CURRENT_FY}_地域_づくり_補助金.xlsx"


def test_workbook_function_reports_row_counts(paid_case):
    # when the workbook is written to a buffer
    buffer = io.BytesIO()
    counts = programme_year_workbook(paid_case.programme_year, buffer)

    # then it names the rows written per sheet: budget, commitment, payment; five totals; one case, decided
    # and paid; no refund; every audit event of the case (submit, verify, decide, prepare, approve, pay, and
    # whatever else the services record, such as the notice issued)
    assert counts == {"台帳": 3, "集計": 5, "案件一覧": 1, "交付決定": 1, "支払": 1, "返還": 0,
                      "監査証跡": case_events(paid_case).count()}
    assert counts["監査証跡"] >= 6
    assert buffer.getvalue()[:2] == b"PK"


def test_progress_starts_with_the_total_and_ends_at_it(paid_case):
    # when the workbook is written with a progress callback
    calls: list[tuple[int, int | None]] = []
    counts = programme_year_workbook(paid_case.programme_year, io.BytesIO(),
                                     progress=lambda done, total=None: calls.append((done, total)))

    # then the first call gives the total rows of all sheets, the others count up to it
    total = sum(counts.values())
    assert calls[0] == (0, total) and total == 3 + 5 + 1 + 1 + 1 + 0 + case_events(paid_case).count()
    done = [d for d, t in calls[1:]]
    assert done == sorted(done) and done[-1] == total
    assert all(t is None for d, t in calls[1:])


def test_progress_never_passes_the_total(programme_year, finance, monkeypatch):
    # given a report that yields more rows than it counted (entries posted during the export)
    monkeypatch.setattr(LedgerReport, "count", lambda self: 0)
    calls: list[tuple[int, int | None]] = []

    # when exported with progress
    programme_year_workbook(programme_year, io.BytesIO(), progress=lambda d, t=None: calls.append((d, t)))

    # then done never exceeds the total announced (a job's constraint done ≤ total holds)
    total = calls[0][1]
    assert all(done <= total for done, _ in calls)


def test_ledger_sheet_lists_budget_commitment_and_payment_with_exact_values(paid_case):
    # given the budget of 5,000,000 and a case of 70,000 decided and paid through the services
    budget, commitment, payment = LedgerEntry.objects.order_by("pk")
    assert paid_case.decided_amount == 70_000

    # when exported
    ws = export(paid_case.programme_year)["台帳"]

    # then each entry is one row, in posting order, with exact values
    reference = f"{fiscal_year_label(factories.CURRENT_FY)} 自治振興 第{paid_case.number}号"
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
    labels = ("予算額", "交付決定額", "支出済額", "返還額", "執行可能額")
    assert values(wb["集計"])[1:] == [[label, 0, 0, 0] for label in labels]
    for name, header in HEADERS.items():
        if name != "集計":
            assert values(wb[name]) == [header]


def test_case_register_lists_each_case_with_exact_values(paid_case, programme_year):
    # given the paid case, submitted at 2026-04-30 15:30:45.5 UTC (= 2026-05-01 00:30:45 in Tokyo)
    submitted = dt.datetime(2026, 4, 30, 15, 30, 45, 500_000, tzinfo=dt.UTC)
    GrantCase.objects.filter(pk=paid_case.pk).update(submitted_at=submitted)
    # and a draft case of 「大歳第2自治会」 (30 households → 25,000) whose name has Word control characters
    organization = ready_association(name="大歳\x0b第2自治会\x07", households=30, code="10-950")
    open_case(programme_year, organization, 30)

    # when exported
    ws = export(programme_year)["案件一覧"]

    # then each case is one row, by 団体コード, with exact values
    assert values(ws)[1:] == [
        [f"{fiscal_year_label(factories.CURRENT_FY)} 自治振興 第1号", "10-900", "=1+1", "大歳", "支払済",
         120, 70_000, 70_000, 70_000,
         tokyo_wall_clock(2026, 5, 1, 0, 30, 45), as_excel_date(paid_case.decided_on),
         as_excel_date(paid_case.paid_on), None, 0, 0],
        [f"{fiscal_year_label(factories.CURRENT_FY)} 自治振興 第2号", "10-950", "大歳第2自治会", "大歳", "申請前",
         30, 25_000, None, 0,
         None, None, None, None, 0, 0],
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


def test_decision_sheet_lists_decided_and_refused_cases(paid_case, programme_year, staff, approver):
    # given the paid case and a case refused (不交付決定) by the approver after staff verified it
    organization = ready_association(name="大歳第3自治会", households=10, code="10-960")
    refused = open_case(programme_year, organization, 10)
    submit_application(case_id=refused.pk, actor=factories.UserFactory(username="clerk2", role="staff"))
    verify_application(case_id=refused.pk, actor=staff)
    refused = refuse_grant(case_id=refused.pk, actor=approver, note="規約が未提出")
    # and a draft case, not decided
    open_case(programme_year, ready_association(name="未決定自治会", households=5, code="10-970"), 5)

    # when exported
    ws = export(programme_year)["交付決定"]

    # then each decided case is one row with who decided and who verified it; the draft is not there
    assert values(ws)[1:] == [
        [paid_case.reference, "10-900", "=1+1", as_excel_date(paid_case.decided_on), 70_000, "approver 担当",
         "staff 担当", "交付決定"],
        [refused.reference, "10-960", "大歳第3自治会", as_excel_date(refused.decided_on), 0, "approver 担当",
         "staff 担当", "不交付決定"],
    ]
    row = ws[2]
    assert row[3].data_type == "d" and row[3].number_format == "yyyy-mm-dd"
    assert type(row[4].value) is int and row[4].number_format == "#,##0"


def test_payment_and_refund_sheets_reconcile_with_the_summary(paid_case, finance):
    # given the paid case's payment of 70,000, a refund of 20,000 (返還), the refund reversed, and then the
    # payment reversed, all through the ledger service
    py = paid_case.programme_year
    payment = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    refund = post_entry(programme_year=py, kind=EntryKind.REFUND, amount=20_000, actor=finance, case=paid_case,
                        note="返還 =1+1")
    undo_refund = post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=refund,
                             case_reversal=True, note="返還の取消")
    undo_payment = post_entry(programme_year=py, kind=EntryKind.REVERSAL, amount=0, actor=finance,
                              reverses=payment, case_reversal=True, note="支出の取消")

    # when exported
    wb = export(py)

    # then 支払 lists the payment and names the entry that reversed it
    assert values(wb["支払"])[1:] == [
        [payment.pk, as_excel_date(payment.entry_date), as_excel_datetime(payment.recorded_at), paid_case.reference,
         "10-900", "=1+1", 70_000, "finance 担当", "支出 =1+1", undo_payment.pk, None],
    ]
    # and 返還 lists the refund, its reversal and the payment's reversal, each with the entry it reverses
    assert [row[3:] for row in values(wb["返還"])[1:]] == [
        ["返還（戻入）", paid_case.reference, "10-900", "=1+1", 20_000, None, "finance 担当", "返還 =1+1"],
        ["返還の取消", paid_case.reference, "10-900", "=1+1", 20_000, refund.pk, "finance 担当", "返還の取消"],
        ["支出の取消", paid_case.reference, "10-900", "=1+1", 70_000, payment.pk, "finance 担当", "支出の取消"],
    ]
    assert [row[0] for row in values(wb["返還"])[1:]] == [refund.pk, undo_refund.pk, undo_payment.pk]
    # and the sheets' sums are the account's totals: paid 70,000 − 70,000, refunded 20,000 − 20,000
    account = BudgetAccount.objects.get(programme_year=py)
    assert (account.paid, account.refunded) == (0, 0)
    summary = {row[0]: row[1:] for row in values(wb["集計"])[1:]}
    assert summary["支出済額"] == [0, 0, 0] and summary["返還額"] == [0, 0, 0]


def test_audit_trail_lists_case_and_run_events_of_the_programme_year_only(paid_case, programme_year, staff, auditor):
    # given the paid case's events, an annual run of the programme-year with a note from Word,
    run = AnnualRun.objects.create(programme_year=programme_year, started_by=staff, counts_source="取込み")
    run_event = record_event(actor=staff, subject=run, action="start_annual_run", note="取込み\x0b（6月）")
    # a case of another programme-year with an event, and a job requested by the auditor
    other_year = factories.rule(fiscal_year=factories.CURRENT_FY + 1)
    other = open_case(other_year, ready_association(name="他年度自治会", households=3, code="10-990"), 3)
    record_event(actor=staff, subject=other, action="override_check", note="他年度")
    record_event(actor=auditor, subject=other_year, action="request_job", note="x")

    # when exported
    rows = values(export(programme_year)["監査証跡"])[1:]

    # then every event of the case and the run is listed, oldest first, and nothing else
    events = list(case_events(paid_case)) + [run_event]
    assert [row[0] for row in rows] == [as_excel_datetime(event.at) for event in events]
    assert len(rows) == len(events)
    assert not any(row[3] and "他年度" in row[3] or row[2] == "request_job" for row in rows)
    # and the case's lifecycle reads in words, with its 状態 before and after
    subject = f"{paid_case.reference} =1+1"
    lifecycle = [row[1:] for row in rows if row[2] in LIFECYCLE]
    assert lifecycle == [
        ["clerk 担当", "申請書兼請求書の提出", subject, "申請前", "申請済（審査待ち）", None],
        ["staff 担当", "審査", subject, "申請済（審査待ち）", "審査済（決裁待ち）", None],
        ["approver 担当", "交付決定", subject, "審査済（決裁待ち）", "交付決定済", None],
        ["finance 担当", "支出命令の起票", subject, "交付決定済", "支出命令起票済（承認待ち）", None],
        ["finance2 担当", "支出の承認", subject, "支出命令起票済（承認待ち）", "支出承認済", None],
        ["finance 担当", "支払の記録（振込予定）", subject, "支出承認済", "振込予定", None],
        ["finance 担当", "振込完了", subject, "振込予定", "支払済", None],
    ]
    # and the run's event names the run, without the control character
    assert rows[-1][1:] == ["staff 担当", "年次一括作成の開始", f"年次一括作成 No.{run.pk}", None, None, "取込み（6月）"]
    assert rows[0][0].tzinfo is None


def test_fiscal_year_workbook_covers_every_programme_with_a_programme_column(paid_case, programme_year, finance):
    # given a second programme in the same fiscal year with a budget of 300,000, and a third in the next year
    Programme.objects.create(code="shimin_katsudo", name="市民活動支援補助金", recipient_kind="npo")
    second = factories.rule(code="shimin_katsudo")
    BudgetAccount.objects.create(programme_year=second)
    set_budget(programme_year=second, budget=300_000, actor=finance)
    factories.programme_year_with_budget(budget=1_000, fiscal_year=factories.CURRENT_FY + 1)

    # when the fiscal year's workbook is written
    buffer = io.BytesIO()
    counts = fiscal_year_workbook(factories.CURRENT_FY, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))

    # then the same sheets start with 事業, and hold the rows of both programmes of the year only
    assert wb.sheetnames == SHEETS
    for name, header in HEADERS.items():
        assert values(wb[name])[0] == ["事業", *header]
    assert counts["台帳"] == 4 and counts["案件一覧"] == 1
    jichi = "自治会等自治振興交付金"
    assert [(row[0], row[4], row[5]) for row in values(wb["台帳"])[1:]] == [
        (jichi, "予算", 5_000_000), (jichi, "交付決定（支出負担行為）", 70_000), (jichi, "支出", 70_000),
        ("市民活動支援補助金", "予算", 300_000),
    ]
    assert values(wb["案件一覧"])[1][:2] == [jichi, paid_case.reference]
    # and 集計 has each programme's totals, then those of all programmes, all reconciled
    assert values(wb["集計"])[1:] == [
        [jichi, "予算額", 5_000_000, 5_000_000, 0],
        [jichi, "交付決定額", 70_000, 70_000, 0],
        [jichi, "支出済額", 70_000, 70_000, 0],
        [jichi, "返還額", 0, 0, 0],
        [jichi, "執行可能額", 4_930_000, 4_930_000, 0],
        ["市民活動支援補助金", "予算額", 300_000, 300_000, 0],
        ["市民活動支援補助金", "交付決定額", 0, 0, 0],
        ["市民活動支援補助金", "支出済額", 0, 0, 0],
        ["市民活動支援補助金", "返還額", 0, 0, 0],
        ["市民活動支援補助金", "執行可能額", 300_000, 300_000, 0],
        ["全事業の合計", "予算額", 5_300_000, 5_300_000, 0],
        ["全事業の合計", "交付決定額", 70_000, 70_000, 0],
        ["全事業の合計", "支出済額", 70_000, 70_000, 0],
        ["全事業の合計", "返還額", 0, 0, 0],
        ["全事業の合計", "執行可能額", 5_230_000, 5_230_000, 0],
    ]
    assert wb["監査証跡"].max_row == 1 + case_events(paid_case).count() and values(wb["監査証跡"])[1][0] == jichi


@pytest.mark.parametrize("name", [
    "<r>大歳</r>",
    "<r><t>a</t></r></is><f>1+1</f><is><r><t>b</t></r>",
    "<r>" + "&" * 20_000 + "</r>",
    "A & B <自治会>",
])
def test_text_shaped_like_xlsxwriter_markup_stays_plain_text(programme_year, name):
    # given an organisation whose name looks like the rich-string markup XlsxWriter copies unescaped
    open_case(programme_year, ready_association(name=name[:120], households=1, code="10-801"), 1)

    # when exported
    buffer = io.BytesIO()
    programme_year_workbook(programme_year, buffer)

    # then the file has no formula and the name reads back as the same text
    raw = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    for member in raw.namelist():
        if member.startswith("xl/worksheets/"):
            assert b"<f>" not in raw.read(member)
    cell = load_workbook(io.BytesIO(buffer.getvalue()))["案件一覧"]["C2"]
    assert (cell.value, cell.data_type) == (name[:120], "s")


def test_markup_text_longer_than_a_cell_is_cut_not_broken():
    # a text at the cell limit whose escaped form would be longer still fits as one run
    text = "<r>" + "<" * 32_000 + "</r>"
    wrapped = xlsx_string(clean_text(text))
    assert wrapped.startswith("<r><t>&lt;r&gt;") and wrapped.endswith("</t></r>") and len(wrapped) <= 32_767


def test_rows_beyond_excels_sheet_limit_continue_on_another_sheet(programme_year, finance, monkeypatch):
    # given a sheet limit of 2 data rows (Excel's is 1,048,575) and a ledger of 5 entries
    monkeypatch.setattr(excel, "MAX_DATA_ROWS", 2)
    for number in range(4):
        set_budget(programme_year=programme_year, budget=1_000 + number, actor=finance, note=f"補正{number}")

    # when exported
    buffer = io.BytesIO()
    counts = programme_year_workbook(programme_year, buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))

    # then no row is lost: the ledger continues on 台帳（2） and 台帳（3）, each with the header
    assert counts["台帳"] == 5
    assert wb.sheetnames[:4] == ["台帳", "台帳（2）", "台帳（3）", "集計"]
    amounts = [row[4] for name in ("台帳", "台帳（2）", "台帳（3）") for row in values(wb[name])[1:]]
    assert amounts == [5_000_000, 1_000, 1_001, 1_002, 1_003]
    for name in ("台帳", "台帳（2）", "台帳（3）"):
        assert values(wb[name])[0] == LEDGER_HEADER and wb[name].freeze_panes == "A2"
    assert wb["台帳（3）"].auto_filter.ref == "A1:K2"


def _add_cases(programme_year: ProgrammeYear, actor: object, start: int, count: int) -> None:
    """``count`` cases, each decided (an audit event), committed and paid in the ledger."""
    for number in range(start, start + count):
        organization = factories.AssociationFactory(code=f"20-{number:03d}", name=f"宮野第{number}自治会")
        case = open_case(programme_year, organization, 10 + number)
        GrantCase.objects.filter(pk=case.pk).update(decided_on=factories.BASE_DATE, decided_by=actor,
                                                    decided_amount=case.computed_amount)
        record_event(actor=actor, subject=case, action="decide", from_state="verified", to_state="decided")
        for kind in (EntryKind.COMMITMENT, EntryKind.PAYMENT):
            post_entry(programme_year=programme_year, kind=kind, amount=case.computed_amount, actor=actor,
                       case=case, note=f"{kind} {organization.name}")


@pytest.mark.parametrize("with_progress", [False, True])
def test_query_count_does_not_grow_with_rows(programme_year, finance, with_progress):
    progress = (lambda done, total=None: None) if with_progress else None
    # given 3 cases, each decided, committed and paid
    _add_cases(programme_year, finance, 1, 3)

    # when exported: one query per sheet, two for 集計 and one for the case numbers, and with progress one COUNT
    # per sheet but 集計
    fresh = ProgrammeYear.objects.select_related("programme").get(pk=programme_year.pk)
    with CaptureQueriesContext(connection) as small:
        counts = programme_year_workbook(fresh, io.BytesIO(), progress)
    assert len(small) == (9 + 6 if with_progress else 9)
    assert counts == {"台帳": 7, "集計": 5, "案件一覧": 3, "交付決定": 3, "支払": 3, "返還": 0, "監査証跡": 3}

    # and given 27 more (30 cases)
    _add_cases(programme_year, finance, 4, 27)

    # then exporting ten times the rows takes the same queries
    fresh = ProgrammeYear.objects.select_related("programme").get(pk=programme_year.pk)
    with CaptureQueriesContext(connection) as large:
        counts = programme_year_workbook(fresh, io.BytesIO(), progress)
    assert counts == {"台帳": 61, "集計": 5, "案件一覧": 30, "交付決定": 30, "支払": 30, "返還": 0, "監査証跡": 30}
    assert len(large) == len(small)


def test_fiscal_year_query_count_is_fixed(paid_case, django_assert_num_queries):
    # one for the programme-years, then as for one programme-year
    with django_assert_num_queries(10):
        fiscal_year_workbook(factories.CURRENT_FY, io.BytesIO())


def test_ledger_rows_are_streamed_from_values_not_models(programme_year, monkeypatch):
    # given that building a LedgerEntry from a database row would fail
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a model instance was built for a ledger row")

    monkeypatch.setattr(LedgerEntry, "from_db", classmethod(refuse))

    # then the ledger, payment and refund sheets are still written (from values_list tuples)
    counts = programme_year_workbook(programme_year, io.BytesIO())
    assert counts["台帳"] == 1


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
        typed_value(Column("x", column_type), value)


# The auditor's export with hostile names, and the admin paths around the ledger and the counts.


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","click")', "大歳\x0b第1\x07自治会", "+SUM(1,2)", "-2+3",
                                  "@SUM(A1)", "=cmd|' /C calc'!A0", "\t=1+1"])
def test_hostile_names_export_as_plain_text(case, association_head, staff, approver, auditor, name, export_workbook) -> None:  # type: ignore[no-untyped-def]
    org = case.organization
    org.name = name
    org.save()
    to_decided(case, association_head, staff, approver)
    content = export_workbook(auditor, case.programme_year.pk)
    raw = zipfile.ZipFile(io.BytesIO(content))
    for member in raw.namelist():
        if member.startswith("xl/worksheets/"):
            assert b"<f>" not in raw.read(member), member
    book = load_workbook(io.BytesIO(content))
    expected = name.replace("\x0b", "").replace("\x07", "")
    register = book["案件一覧"]
    cell = register.cell(row=2, column=3)
    assert (cell.value, cell.data_type) == (expected, "s")
    ledger_names = [row[8] for row in book["台帳"].iter_rows(min_row=2, values_only=True)]
    assert expected in ledger_names


@pytest.mark.django_db
def test_export_with_no_budget_account_and_no_cases(auditor, export_workbook) -> None:  # type: ignore[no-untyped-def]
    py = factories.rule(fiscal_year=2030)
    book = load_workbook(io.BytesIO(export_workbook(auditor, py.pk)))
    assert [r[3] for r in book["集計"].iter_rows(min_row=2, values_only=True)] == [0, 0, 0, 0, 0]


# Exports attacked: the fiscal-year workbook of an empty year, and formula-looking and markup-shaped names in the
# workbook (the hostile cases: tests/reports/conftest.py).


@pytest.mark.django_db
def test_fiscal_year_workbook_of_an_empty_year_is_a_valid_empty_workbook(programme_year) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    counts = fiscal_year_workbook(1999, out)
    book = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    assert book.sheetnames == ["台帳", "集計", "案件一覧", "交付決定", "支払", "返還", "監査証跡"]
    assert counts["台帳"] == 0 and counts["集計"] == 5
    summary = [row for row in book["集計"].iter_rows(min_row=2, values_only=True)]
    assert all(row[0] == "全事業の合計" and row[2:] == (0, 0, 0) for row in summary)


def _clean(name: str) -> str:
    import re

    return re.sub(r"[\000-\010]|[\013-\014]|[\016-\037]", "", name)[:32767]


def _excel_text(stored: str) -> str:
    import re

    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), stored)


@pytest.mark.django_db
def test_workbook_keeps_hostile_names_as_plain_text(hostile_cases, programme_year, auditor, export_workbook) -> None:  # type: ignore[no-untyped-def]
    data = export_workbook(auditor, programme_year.pk)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if member.endswith(".xml"):
                ElementTree.fromstring(archive.read(member))  # well-formed XML, nothing injected
        sheets = "".join(archive.read(m).decode() for m in archive.namelist() if m.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no formula anywhere
    book = load_workbook(io.BytesIO(data))
    # Excel decodes the _xHHHH_ escapes XlsxWriter writes for CR and non-characters; openpyxl does not.
    names = {_excel_text(row[2]) for row in book["案件一覧"].iter_rows(min_row=2, values_only=True)}
    for name in hostile_cases:
        assert _clean(name) in names, repr(name)
