"""The generic part of the Excel exports: a report is a sheet of typed columns and rows (pretix-style).

A ``Report`` names its sheet, declares its ``columns`` (header text, ``ColumnType`` and width) and yields
row tuples of plain Python values, one value per column. ``write_xlsx`` renders any number of reports, one
sheet each, to an .xlsx file with openpyxl in write-only mode, so memory does not grow with the rows.

Every value is written according to its column's type, never guessed from the value
(CONVENTIONS.md, "Exports and documents"):

- TEXT: always a string cell (data_type ``'s'``, number format ``@``), even when it starts with ``=`` — a
  name such as ``=HYPERLINK(...)`` is never a formula. Characters openpyxl refuses (control characters such
  as ``\\x0b`` or ``\\x07`` pasted from Word; ``ILLEGAL_CHARACTERS_RE``) are removed.
- YEN: whole yen as an integer cell, number format ``#,##0``.
- COUNT: a count (世帯数 …) as an integer cell, number format ``#,##0``.
- NUMBER: an identifier (仕訳番号 …) as an integer cell, number format ``0`` (no thousands separator).
- DATE: a ``datetime.date`` as a date cell, number format ``yyyy-mm-dd``.
- DATETIME: a timezone-aware ``datetime`` converted to Asia/Tokyo, made naive and cut to whole seconds,
  as a date cell with number format ``yyyy-mm-dd hh:mm:ss``.

``None`` (and an empty string in a TEXT column) is an empty cell. A value of the wrong type for its column
raises ``TypeError``: that is a bug in the report, not bad data.

The header row is bold, frozen (panes at A2), repeated on every printed page and carries an auto-filter.
"""
from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, ClassVar
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Datetimes are shown in the city's time zone whatever timezone is active for the request.
EXPORT_TIMEZONE = ZoneInfo("Asia/Tokyo")

# Excel's limit for one cell; openpyxl would cut the text silently at the same length.
MAX_CELL_TEXT = 32_767


class ColumnType(enum.Enum):
    """How a column's values are written (see ``NUMBER_FORMATS`` and the module docstring)."""

    TEXT = "text"
    YEN = "yen"
    COUNT = "count"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS: dict[ColumnType, str] = {
    ColumnType.TEXT: "@",
    ColumnType.YEN: "#,##0",
    ColumnType.COUNT: "#,##0",
    ColumnType.NUMBER: "0",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.DATETIME: "yyyy-mm-dd hh:mm:ss",
}

# Widths (in Excel character units) when a column gives none: wide enough for the values of each type.
DEFAULT_WIDTHS: dict[ColumnType, float] = {
    ColumnType.TEXT: 16,
    ColumnType.YEN: 14,
    ColumnType.COUNT: 10,
    ColumnType.NUMBER: 10,
    ColumnType.DATE: 12,
    ColumnType.DATETIME: 20,
}

HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(vertical="center")


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
    ``rows()``. Subclasses query the database in ``rows()`` only, without a query per row."""

    sheet_title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]

    def header(self) -> tuple[str, ...]:
        """The header row: one text per column."""
        return tuple(column.header for column in self.columns)

    @abstractmethod
    def rows(self) -> Iterator[tuple[object, ...]]:
        """Yield the data rows, each a tuple with one value per column (see the module docstring for the
        Python type each ``ColumnType`` expects)."""


def display_width(text: str) -> int:
    """Width of ``text`` in half-width character units: full-width (East Asian W/F) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def clean_text(value: object) -> str:
    """``value`` as text that openpyxl accepts: control characters it refuses are removed and the text is
    cut to Excel's cell limit of 32,767 characters. Tab, line feed and carriage return are kept."""
    text: str = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_CELL_TEXT]


def excel_datetime(value: dt.datetime) -> dt.datetime:
    """An aware datetime as the naive Asia/Tokyo wall-clock time, cut to whole seconds (Excel stores a
    float of days, so microseconds would not survive). A naive datetime raises ``ValueError``: with
    USE_TZ every stored datetime is aware, and a naive one could not be placed in a time zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} cannot be exported; pass a timezone-aware datetime")
    return value.astimezone(EXPORT_TIMEZONE).replace(tzinfo=None, microsecond=0)


def _check_integer(value: object, column: Column) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"column {column.header!r} ({column.type.name}) expects int, got {type(value).__name__}"
        )
    return value


def typed_cell(ws: WriteOnlyWorksheet, column: Column, value: object) -> WriteOnlyCell | None:
    """The cell for ``value`` in ``column`` (see the module docstring), or None for an empty cell."""
    if value is None:
        return None
    kind = column.type
    if kind is ColumnType.TEXT:
        text = clean_text(value)
        if not text:
            return None
        cell = WriteOnlyCell(ws, text)
        # openpyxl marks any text starting with "=" as a formula; force it back to a plain string.
        cell.data_type = "s"
    elif kind in (ColumnType.YEN, ColumnType.COUNT, ColumnType.NUMBER):
        cell = WriteOnlyCell(ws, _check_integer(value, column))
    elif kind is ColumnType.DATETIME:
        if not isinstance(value, dt.datetime):
            raise TypeError(f"column {column.header!r} expects datetime, got {type(value).__name__}")
        cell = WriteOnlyCell(ws, excel_datetime(value))
    elif kind is ColumnType.DATE:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise TypeError(f"column {column.header!r} expects date, got {type(value).__name__}")
        cell = WriteOnlyCell(ws, value)
    else:  # pragma: no cover - every ColumnType is handled above
        raise AssertionError(kind)
    cell.number_format = NUMBER_FORMATS[kind]
    return cell


def _header_cell(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, clean_text(text))
    cell.data_type = "s"
    cell.font = HEADER_FONT
    cell.alignment = HEADER_ALIGNMENT
    return cell


def write_sheet(workbook: Workbook, report: Report) -> int:
    """Add ``report`` to a write-only ``workbook`` as one sheet; return the number of data rows written.

    Sheet layout (widths, frozen header, print titles) must be set before the first row is appended in
    write-only mode, so it is set here first; the auto-filter range is set last, once the row count is known.
    """
    columns = report.columns
    ws: WriteOnlyWorksheet = workbook.create_sheet(title=report.sheet_title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.effective_width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"

    ws.append([_header_cell(ws, text) for text in report.header()])
    count = 0
    for row in report.rows():
        if len(row) != len(columns):
            raise ValueError(
                f"{type(report).__name__}: row has {len(row)} values for {len(columns)} columns"
            )
        ws.append([typed_cell(ws, column, value) for column, value in zip(columns, row, strict=True)])
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def write_xlsx(reports: Iterable[Report], out: IO[bytes]) -> dict[str, int]:
    """Render ``reports`` (one sheet each, in order) as an .xlsx workbook to the binary file-like ``out``.

    Returns {sheet title: number of data rows}.
    """
    workbook = Workbook(write_only=True)
    counts = {report.sheet_title: write_sheet(workbook, report) for report in reports}
    workbook.save(out)
    return counts

