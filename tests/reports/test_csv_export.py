"""CSV for Excel (reports.csv_export): BOM, CRLF, formula escaping of text only, ISO dates, control characters.

The ledger is built through the real services (see conftest.py); a small in-memory report checks the rules
on values the domain cannot produce (negative amounts)."""
import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.urls import reverse

from grants.jobs.models import Job
from grants.ledger.models import LedgerEntry
from grants.ledger.services import set_budget
from reports.csv_export import escape_formula, write_csv
from reports.excel import Column, ColumnType, Report
from reports.exporters import LedgerReport, Scope
from tests.cases.steps import login


class Sample(Report):
    """One text, one amount, one date and one datetime column, with the rows given."""

    sheet_title = "sample"
    columns = (
        Column("名称", ColumnType.TEXT),
        Column("金額（円）", ColumnType.YEN),
        Column("計上日", ColumnType.DATE),
        Column("記録日時", ColumnType.DATETIME),
    )

    def __init__(self, *rows: tuple[object, ...]) -> None:
        self._rows = rows

    def rows(self) -> Iterator[tuple[object, ...]]:
        yield from self._rows

    def count(self) -> int:
        return len(self._rows)


def to_csv(report: Report) -> bytes:
    out = io.BytesIO()
    write_csv(report, out)
    return out.getvalue()


def parse(raw: bytes) -> list[list[str]]:
    """The CSV as Excel's importer would split it (after the BOM)."""
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_bom_and_ends_lines_with_crlf():
    raw = to_csv(Sample(("大歳", 1, None, None)))
    assert raw.startswith(codecs.BOM_UTF8)
    assert raw[len(codecs.BOM_UTF8):] == "名称,金額（円）,計上日,記録日時\r\n大歳,1,,\r\n".encode()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","click")', "'=HYPERLINK(\"http://x\",\"click\")"),
        ("+81", "'+81"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("＝1+1", "'＝1+1"),
        ("＋81", "'＋81"),
        ("  =1+1", "'  =1+1"),
        ("\u3000=1+1", "'\u3000=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("大歳\n=1+1", "大歳\n=1+1"),
        ("大歳 -1", "大歳 -1"),
        ("1-2", "1-2"),
    ],
)
def test_text_starting_with_a_formula_trigger_is_prefixed_with_a_quote(text, field):
    assert escape_formula(text) == field
    assert parse(to_csv(Sample((text, None, None, None))))[1][0] == field


def test_amounts_are_plain_integers_never_escaped_even_when_negative():
    # given amounts, one negative (a difference), next to a text "-5"
    rows = parse(to_csv(Sample(("-5", -5, None, None), ("x", 1_234_567, None, None))))

    # then the amounts are integers without separators; only the text is escaped
    assert rows[1][:2] == ["'-5", "-5"]
    assert rows[2][:2] == ["x", "1234567"]


def test_dates_are_iso_and_datetimes_are_tokyo_wall_clock():
    moment = dt.datetime(2026, 4, 30, 15, 30, 45, 500_000, tzinfo=dt.UTC)
    rows = parse(to_csv(Sample(("x", None, dt.date(2026, 4, 1), moment))))
    assert rows[1][2:] == ["2026-04-01", "2026-05-01 00:30:45"]


def test_control_characters_are_removed_and_line_breaks_kept_quoted():
    raw = to_csv(Sample(("補正\x0b予算\x07（6月）\r\n2行目", None, None, None)))
    assert parse(raw)[1][0] == "補正予算（6月）\r\n2行目"
    assert '"補正予算（6月）\r\n2行目"'.encode() in raw


def test_a_value_of_the_wrong_type_is_a_bug():
    with pytest.raises(TypeError):
        to_csv(Sample(("x", "70000", None, None)))


def test_output_stays_open_for_the_caller_and_progress_reaches_the_total():
    out = io.BytesIO()
    calls: list[tuple[int, int | None]] = []
    count = write_csv(Sample(("a", 1, None, None), ("b", 2, None, None)), out, lambda d, t=None: calls.append((d, t)))
    assert count == 2 and not out.closed
    assert calls == [(0, 2), (2, None)]


def test_ledger_csv_has_exact_rows(programme_year, finance):
    # given the budget of 5,000,000 and a supplement whose note starts with "=" and has a Word control char
    set_budget(programme_year=programme_year, budget=200_000, actor=finance, note="=補正\x0b予算")
    budget, supplement = LedgerEntry.objects.order_by("pk")

    # when the ledger is written as CSV
    raw = to_csv(LedgerReport(Scope.of_programme_year(programme_year)))

    # then each entry is a line with integer amounts, ISO dates and escaped text
    def recorded(entry: LedgerEntry) -> str:
        return entry.recorded_at.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%d %H:%M:%S")

    assert parse(raw) == [
        ["番号", "計上日", "記録日時", "区分", "金額（円）", "取り消す仕訳", "案件番号", "団体コード", "団体名",
         "記録者", "摘要"],
        [str(budget.pk), budget.entry_date.isoformat(), recorded(budget), "予算", "5000000", "", "", "", "",
         "budget-officer 担当", "当初予算"],
        [str(supplement.pk), supplement.entry_date.isoformat(), recorded(supplement), "予算", "200000", "", "", "",
         "", "finance 担当", "'=補正予算"],
    ]


# Formula-looking and markup-shaped names in the CSV (the hostile cases: tests/reports/conftest.py).


@pytest.mark.django_db
def test_csv_escapes_formula_names_and_keeps_markup_as_text(hostile_cases, programme_year, auditor, client, django_capture_on_commit_callbacks, run_worker) -> None:  # type: ignore[no-untyped-def]
    login(client, auditor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("request_programme_year_export", args=[programme_year.pk]), {"format": "csv"})
    run_worker()
    job = Job.objects.get()
    raw = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip("-").isdigit(), row
