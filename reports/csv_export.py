"""CSV for Excel of any one ``Report`` (e.g. the ledger, 「台帳」), streamed to a binary file-like.

Format (CONVENTIONS.md, "Exports and documents"):

- UTF-8 with a byte order mark, so that Excel reads Japanese text correctly; lines end in CRLF; fields are
  quoted only when needed (a comma, a quote or a line break inside).
- The first line is the report's header.
- TEXT cells are the cleaned text of ``reports.excel.typed_value`` (control characters XML refuses are
  removed, as in the workbook). A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with a single quote (``'=1+1``), so that Excel shows it as text and never runs it as a
  formula (CSV injection).
- YEN / COUNT / NUMBER cells are plain integers without separators (``70000``); they are numbers, never
  escaped, so a negative amount would stay ``-5``.
- DATE cells are ISO dates (``2026-04-01``); DATETIME cells are Asia/Tokyo wall-clock times of whole
  seconds (``2026-05-01 00:30:45``).
- ``None`` and empty text are empty fields.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from typing import IO

from .excel import PROGRESS_EVERY_ROWS, Column, ColumnType, Progress, Report, check_row, value_converter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Characters that make Excel (and LibreOffice) read a cell as a formula when they start it: the ASCII ones, and
# their full-width forms, which a Japanese Excel reads as the same operators.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# What a spreadsheet skips before it reads a cell's first character.
_LEADING_BLANKS = " \u3000\t\r\n"


def escape_formula(text: str) -> str:
    """``text`` prefixed with a single quote when it starts with a formula trigger (= + - @ TAB CR LF and the
    full-width ＝ ＋ － ＠), also after leading spaces or line breaks (「  =1+1」「\\n=1+1」)."""
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(_LEADING_BLANKS).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_cell(column: Column) -> Callable[[object], str]:
    """The function that turns one non-None value of ``column`` into its CSV field (see the module docstring)."""
    convert = value_converter(column)
    kind = column.type
    if kind is ColumnType.TEXT:
        return lambda value: escape_formula(convert(value) or "")
    if kind is ColumnType.DATE:
        return lambda value: convert(value).isoformat()
    if kind is ColumnType.DATETIME:
        return lambda value: convert(value).isoformat(sep=" ")
    return lambda value: str(convert(value))


def write_csv(report: Report, out: IO[bytes], progress: Progress | None = None) -> int:
    """Write ``report`` as CSV for Excel (see the module docstring) to the binary file-like ``out``; return the
    number of data rows. With ``progress``: ``progress(0, report.count())`` first (one COUNT query), then
    the rows written so far every ``PROGRESS_EVERY_ROWS`` rows, never beyond that total. Raises
    ``TypeError`` for a value of the wrong type for its column (a bug in the report)."""
    total = 0
    if progress is not None:
        total = report.count()
        progress(0, total)
    out.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([escape_formula(header) for header in report.header()])
        cells = [csv_cell(column) for column in report.columns]
        count = 0
        for count, row in enumerate(report.rows(), start=1):  # noqa: B007 - count is the rows written
            check_row(report, row)
            writer.writerow(["" if value is None else cell(value) for cell, value in zip(cells, row, strict=True)])
            if progress is not None and count % PROGRESS_EVERY_ROWS == 0:
                progress(min(count, total))
        if progress is not None:
            progress(min(count, total))
        text.flush()
    finally:
        text.detach()  # leave ``out`` open for the caller
    return count
