"""The generic part of the exports: a report is a sheet of typed columns and rows (pretix-style).

A ``Report`` names its sheet, declares its ``columns`` (header text, ``ColumnType`` and width) and yields
row tuples of plain Python values, one value per column. ``write_xlsx`` renders any number of reports, one
sheet each, to an .xlsx file with XlsxWriter in ``constant_memory`` mode: each row is written out as soon
as the next one starts and strings are stored in-line, so memory does not grow with the rows
(CONVENTIONS.md, "Libraries already known to fit"). ``reports.csv_export`` renders one report as CSV from
the same typed values (``typed_value``).

Every value is written according to its column's type, never guessed from the value
(CONVENTIONS.md, "Exports and documents"):

- TEXT: always a string cell (``write_string``, number format ``@``), even when it starts with ``=`` — a
  name such as ``=HYPERLINK(...)`` is never a formula. Control characters that XML 1.0 forbids (``\\x0b``
  or ``\\x07`` pasted from Word; ``ILLEGAL_CHARACTERS_RE``) are removed; tab, line feed and carriage
  return are kept. Text is cut to Excel's cell limit of 32,767 characters.
- YEN: whole yen as an integer cell, number format ``#,##0``.
- COUNT: a count (世帯数 …) as an integer cell, number format ``#,##0``.
- NUMBER: an identifier (仕訳番号 …) as an integer cell, number format ``0`` (no thousands separator).
- DATE: a ``datetime.date`` as a date cell, number format ``yyyy-mm-dd``.
- DATETIME: a timezone-aware ``datetime`` converted to Asia/Tokyo, made naive and cut to whole seconds,
  as a date cell with number format ``yyyy-mm-dd hh:mm:ss``.
- PERCENT: a share of 1 as an exact ``Decimal`` or ``Fraction`` (e.g. ``Decimal("0.468")``), written as a
  number cell with number format ``0.0%`` (shows 46.8%). Reports pass the share already rounded as shown
  elsewhere, so that Excel's display never rounds it differently.
- RATE: a yearly rate in percent as a ``Decimal`` (``Decimal("10.950")``), a number cell with format
  ``0.000`` (加算金・延滞金の年率).

``None`` (and an empty string in a TEXT column) is an empty cell. A value of the wrong type for its column
raises ``TypeError``: that is a bug in the report, not bad data.

The header row is bold, frozen (panes at A2), repeated on every printed page and carries an auto-filter.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import enum
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Datetimes are shown in the city's time zone whatever timezone is active for the request.
EXPORT_TIMEZONE = ZoneInfo("Asia/Tokyo")

# Excel's limit for one cell (UTF-16 code units; cutting by characters is within it for the BMP).
MAX_CELL_TEXT = 32_767

# Characters XML 1.0 forbids (the same set as openpyxl's ILLEGAL_CHARACTERS_RE): C0 controls but tab,
# line feed and carriage return. XlsxWriter would write them as _xHHHH_ escapes that show as garbage.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# Excel's rows per sheet (1,048,576) less the header: more rows continue on a second sheet.
MAX_DATA_ROWS = 1_048_575

# Report progress every this many rows written (a job's progress bar; grants.jobs.tasks throttles too).
PROGRESS_EVERY_ROWS = 5_000

# Options for every workbook: stream rows (constant_memory) and never turn a string into anything else.
WORKBOOK_OPTIONS: dict[str, object] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


class ColumnType(enum.Enum):
    """How a column's values are written (see ``NUMBER_FORMATS`` and the module docstring)."""

    TEXT = "text"
    YEN = "yen"
    COUNT = "count"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    PERCENT = "percent"
    RATE = "rate"


NUMBER_FORMATS: dict[ColumnType, str] = {
    ColumnType.TEXT: "@",
    ColumnType.YEN: "#,##0",
    ColumnType.COUNT: "#,##0",
    ColumnType.NUMBER: "0",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.DATETIME: "yyyy-mm-dd hh:mm:ss",
    ColumnType.PERCENT: "0.0%",
    ColumnType.RATE: "0.000",
}

# Widths (in Excel character units) when a column gives none: wide enough for the values of each type.
DEFAULT_WIDTHS: dict[ColumnType, float] = {
    ColumnType.TEXT: 16,
    ColumnType.YEN: 14,
    ColumnType.COUNT: 10,
    ColumnType.NUMBER: 10,
    ColumnType.DATE: 12,
    ColumnType.DATETIME: 20,
    ColumnType.PERCENT: 10,
    ColumnType.RATE: 10,
}

INTEGER_TYPES = frozenset({ColumnType.YEN, ColumnType.COUNT, ColumnType.NUMBER})
# Exact fractional values, written as (binary) numbers only at the very end.
FRACTION_TYPES = frozenset({ColumnType.PERCENT, ColumnType.RATE})


class Progress(Protocol):
    """A progress callback (the same shape as ``grants.jobs.registry.Progress``): ``done`` rows of
    ``total`` (``total`` given once, at the start)."""

    def __call__(self, done: int, total: int | None = None) -> None: ...


@dataclass(frozen=True)
class Column:
    """One column of a report: header text, the type of its values, and an optional width in Excel
    character units (a full-width character counts 2). Without a width, the larger of the type's default
    and the header's display width is used."""

    header: str
    type: ColumnType = ColumnType.TEXT
    width: float | None = None

    @property
    def effective_width(self) -> float:
        """Column width in Excel character units."""
        if self.width is not None:
            return self.width
        return max(DEFAULT_WIDTHS[self.type], display_width(self.header) + 2)


class Report(ABC):
    """A table to export: ``sheet_title`` (at most 31 characters, Excel's limit), ``columns`` and
    ``rows()``. Subclasses query the database in ``rows()`` (and ``count()``) only, a fixed number of
    queries whatever the number of rows, and stream them (``iterator(chunk_size=...)``)."""

    sheet_title: ClassVar[str]
    columns: tuple[Column, ...]

    def header(self) -> tuple[str, ...]:
        """The header row: one text per column."""
        return tuple(column.header for column in self.columns)

    @abstractmethod
    def rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the data rows, each a tuple with one value per column (see the module docstring for the
        Python type each ``ColumnType`` expects)."""

    def count(self) -> int:
        """The number of rows ``rows()`` will yield, for a progress bar (one COUNT query at most). Rows
        added meanwhile may make the real number differ; callers must not rely on it."""
        return 0


def display_width(text: str) -> int:
    """Width of ``text`` in half-width character units: full-width (East Asian W/F) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clean_text(value: object) -> str:
    """``value`` as text fit for a cell: control characters XML refuses are removed and the text is cut to
    Excel's cell limit of 32,767 characters. Tab, line feed and carriage return are kept."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # fast path: printable text has no control characters at all
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_CELL_TEXT]


def excel_datetime(value: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive Asia/Tokyo wall-clock time, cut to whole seconds (Excel stores a
    float of days, so microseconds would not survive). A naive datetime raises ``ValueError``: with
    USE_TZ every stored datetime is aware, and a naive one could not be placed in a time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} cannot be exported; pass a timezone-aware datetime")
    return value.astimezone(EXPORT_TIMEZONE).replace(tzinfo=None, microsecond=0)


def _wrong_type(column: Column, expected: str, value: object) -> TypeError:
    return TypeError(
        f"column {column.header!r} ({column.type.name}) expects {expected}, got {type(value).__name__}"
    )


def value_converter(column: Column) -> Callable[[object], Any]:
    """The function that turns one non-None value of ``column`` into what is written (see ``typed_value``)."""
    kind = column.type
    if kind is ColumnType.TEXT:

        def text(value: object) -> str | None:
            return clean_text(value) or None

        return text
    if kind in INTEGER_TYPES:

        def integer(value: object) -> int:
            if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int)):
                raise _wrong_type(column, "int", value)
            return value

        return integer
    if kind is ColumnType.DATETIME:

        def moment(value: object) -> dt.datetime:
            if not isinstance(value, dt.datetime):
                raise _wrong_type(column, "datetime", value)
            return excel_datetime(value)

        return moment
    if kind is ColumnType.DATE:

        def day(value: object) -> dt.date:
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise _wrong_type(column, "date", value)
            return value

        return day
    if kind in FRACTION_TYPES:

        def fraction(value: object) -> float:
            if not isinstance(value, (Decimal, Fraction)):
                raise _wrong_type(column, "Decimal or Fraction", value)
            return float(value)

        return fraction
    raise AssertionError(kind)  # pragma: no cover - every ColumnType is handled above


def typed_value(column: Column, value: object) -> str | int | float | dt.date | dt.datetime | None:
    """``value`` as written in ``column``: cleaned text (None when empty), a checked int, a date, a naive
    Asia/Tokyo datetime of whole seconds, or a float from an exact Decimal or Fraction; None stays None. Raises
    ``TypeError`` for a value of the wrong type (a bug in the report) and ``ValueError`` for a naive datetime."""
    return None if value is None else value_converter(column)(value)


def check_row(report: Report, row: Sequence[object]) -> None:
    """Raise ``ValueError`` unless ``row`` has one value per column of ``report``."""
    if len(row) != len(report.columns):
        raise ValueError(f"{type(report).__name__}: row has {len(row)} values for {len(report.columns)} columns")


_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_RUN_MARKUP = len("<r><t></t></r>")


def xlsx_string(text: str) -> str:
    """``text`` as passed to XlsxWriter's ``write_string`` so that it is stored as exactly this text.

    In constant_memory mode XlsxWriter copies a string that starts with ``<r>`` and ends with ``</r>`` into
    the sheet's XML unescaped, taking it for a rich string it built itself; applicant text of that shape
    would corrupt the file or inject markup (even a formula). Such text is wrapped here as one escaped
    rich-text run, which reads back as the same plain text, cut so that the markup stays within Excel's
    32,767 UTF-16 units (XlsxWriter would otherwise cut through the markup)."""
    if not (text.startswith("<r>") and text.endswith("</r>")):
        return text
    budget, used, parts = MAX_CELL_TEXT - _RUN_MARKUP, 0, []
    for char in text:
        piece = _XML_ESCAPES.get(char, char)
        size = 2 if ord(char) > 0xFFFF else len(piece)
        if used + size > budget:
            break
        parts.append(piece)
        used += size
    return "<r><t>" + "".join(parts) + "</t></r>"


class _Formats:
    """The workbook's cell formats: one per ``ColumnType`` and the bold header."""

    def __init__(self, workbook: Workbook) -> None:
        self.header: Format = workbook.add_format({"bold": True, "valign": "vcenter", "num_format": "@"})
        self.of_type: dict[ColumnType, Format] = {
            kind: workbook.add_format({"num_format": number_format}) for kind, number_format in NUMBER_FORMATS.items()
        }


def _cell_writer(ws: Worksheet, column: Column, formats: _Formats) -> Callable[[int, int, object], None]:
    """The function that writes one value of ``column`` at (row, col): typed per the module docstring."""
    convert = value_converter(column)
    cell_format = formats.of_type[column.type]
    kind = column.type
    if kind is ColumnType.TEXT:
        write_string = ws.write_string

        def write_text(row: int, col: int, value: object) -> None:
            text = clean_text(value)
            if text:
                write_string(row, col, xlsx_string(text) if text[0] == "<" else text, cell_format)

        return write_text
    write = ws.write_number if kind in INTEGER_TYPES | FRACTION_TYPES else ws.write_datetime

    def write_typed(row: int, col: int, value: object) -> None:
        write(row, col, convert(value), cell_format)

    return write_typed


class _Counter:
    """Counts rows across sheets and reports them to ``progress`` every ``PROGRESS_EVERY_ROWS`` rows,
    never beyond ``total`` (rows posted during the export must not break a job's done ≤ total)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def add(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None:
            self.progress(min(self.done, self.total))


def _open_sheet(
    workbook: Workbook, formats: _Formats, report: Report, title: str
) -> tuple[Worksheet, list[Callable[[int, int, object], None]]]:
    """A new sheet ``title`` laid out for ``report`` (widths, frozen bold header, print titles: set before
    any row, as constant_memory mode requires) and the cell writers of its columns."""
    ws: Worksheet = workbook.add_worksheet(title)
    for index, column in enumerate(report.columns):
        ws.set_column(index, index, column.effective_width)
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    for index, text in enumerate(report.header()):
        ws.write_string(0, index, xlsx_string(clean_text(text)), formats.header)
    return ws, [_cell_writer(ws, column, formats) for column in report.columns]


def write_sheet(workbook: Workbook, formats: _Formats, report: Report, counter: _Counter | None = None) -> int:
    """Add ``report`` to a constant_memory ``workbook`` as one sheet; return the number of data rows.

    Rows are written in order, each flushed when the next starts; the auto-filter range is set once the
    sheet's row count is known. Past Excel's 1,048,575 data rows (``MAX_DATA_ROWS``) the rows continue on
    「<title>（2）」, 「<title>（3）」 … with the same header, rather than being dropped."""
    width = len(report.columns)
    ws, writers = _open_sheet(workbook, formats, report, report.sheet_title)
    count = row_number = 0
    for count, row in enumerate(report.rows(), start=1):  # noqa: B007 - count is the rows written
        if len(row) != width:
            check_row(report, row)
        if row_number == MAX_DATA_ROWS:
            ws.autofilter(0, 0, row_number, width - 1)
            title = f"{report.sheet_title}（{count // MAX_DATA_ROWS + 1}）"
            ws, writers = _open_sheet(workbook, formats, report, title)
            row_number = 0
        row_number += 1
        for col, (write, value) in enumerate(zip(writers, row)):  # noqa: B905 - lengths checked above
            if value is not None:
                write(row_number, col, value)
        if counter is not None and count % PROGRESS_EVERY_ROWS == 0:
            counter.add(PROGRESS_EVERY_ROWS)
    if counter is not None:
        counter.add(count % PROGRESS_EVERY_ROWS)
    ws.autofilter(0, 0, row_number, width - 1)
    return count


def write_xlsx(reports: Iterable[Report], out: IO[bytes], progress: Progress | None = None) -> dict[str, int]:
    """Render ``reports`` (one sheet each, in order) as an .xlsx workbook to the binary file-like ``out``.

    With ``progress``, first calls ``progress(0, total)`` with the rows all reports expect (``count()``,
    at most one COUNT query each), then ``progress(rows written so far)`` every ``PROGRESS_EVERY_ROWS`` rows and at
    the end of each sheet. Returns {sheet title: number of data rows}."""
    reports = list(reports)
    counter = None
    if progress is not None:
        counter = _Counter(progress, sum(report.count() for report in reports))
        progress(0, counter.total)
    workbook = Workbook(out, WORKBOOK_OPTIONS)
    formats = _Formats(workbook)
    try:
        counts = {report.sheet_title: write_sheet(workbook, formats, report, counter) for report in reports}
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()  # removes XlsxWriter's temporary sheet files; the caller discards ``out``
        raise
    workbook.close()
    return counts
