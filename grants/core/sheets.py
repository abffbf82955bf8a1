"""Reading an uploaded table (.xlsx or CSV) into rows, with its limits checked before and while it streams.

Every import of the system reads its file through ``read_rows``, so that every one of them gets the same guards:

- an .xlsx is inspected as a zip before openpyxl opens it: the number of members, the sum of the members'
  uncompressed sizes (which bounds what can be inflated: ``zipfile`` stops a member at its declared size and a
  wrong declaration fails the CRC check) and each large member's compression ratio;
- rows are counted as they stream, empty rows and the rows openpyxl fills into gaps (``<row r="20000000"/>``)
  included, and reading stops at the first row over the limit; the sheet's ``<dimension>`` is not trusted;
- a value beyond the column limit is refused; a CSV line longer than the line limit is refused;
- an .xlsx cell holding a formula whose result was never stored (a file written by a program and never opened
  in Excel: ``data_only`` reads it as empty) is reported naming its row and column, not read as an empty cell.
  The sheet's XML is looked at raw for formulas, columns from AA and cells without a reference, and parsed a
  second time (``_scan``) only when it holds one of them.

The limits are settings (``IMPORT_MAX_ROWS`` …, see the README); every refusal is ``SheetRejected`` with
messages in Japanese that name the limit, or the row and column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError, iterparse

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

Row = tuple[object, ...]
MAX_ERRORS = 50
# A member smaller than this is not held to the compression ratio (tiny XML parts compress very well).
RATIO_FLOOR_BYTES = 1024 * 1024
# The shared strings (every text of the workbook, held in memory whole) may take this share of the unzipped limit.
STRINGS_SHARE = 5
UNREADABLE_XLSX = "Excelファイルとして読み込めませんでした。ファイルが壊れていないか確認してください。"
NOT_CALCULATED = "数式の計算結果が保存されていません。Excelで開いて保存し直してから読み込んでください。"


class SheetRejected(ValueError):
    """The file cannot be read; ``errors`` lists why (Japanese, naming the limit or the row and column)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Limits:
    """What an uploaded table may hold: ``rows`` (the heading row included), ``columns``, ``unzipped_bytes`` (the
    .xlsx's members, uncompressed, together; its shared strings a fifth of it), ``members`` (of the .xlsx zip),
    ``ratio`` (uncompressed ÷ compressed, for members over 1 MB) and ``line_chars`` (characters on one CSV
    line)."""

    rows: int
    columns: int
    unzipped_bytes: int
    members: int
    ratio: int
    line_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(rows=settings.IMPORT_MAX_ROWS, columns=settings.IMPORT_MAX_COLUMNS,
                   unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024,
                   members=settings.IMPORT_MAX_ZIP_MEMBERS, ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
                   line_chars=settings.IMPORT_MAX_LINE_CHARS)


def too_many_rows(limits: Limits) -> str:
    return (f"ファイルの行数が上限（{limits.rows:,}行）を超えています。"
            "空の行が続いている場合は、使っていない行を削除して保存し直してください。")


def _too_many_columns(row: int, limits: Limits) -> str:
    return f"{row}行目: ファイルの列数が上限（{limits.columns:,}列）を超えています。"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,}バイト"


def check_archive(data: bytes, limits: Limits | None = None) -> None:
    """Refuse an .xlsx whose zip would inflate beyond ``limits`` — without inflating anything. Raises
    ``SheetRejected`` (also for a file that is not a zip)."""
    limits = limits or Limits.from_settings()
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SheetRejected([UNREADABLE_XLSX]) from exc
    if len(infos) > limits.members:
        raise SheetRejected([f"Excelファイルの中の部品の数が上限（{limits.members:,}個）を超えています。"])
    if sum(info.file_size for info in infos) > limits.unzipped_bytes:
        raise SheetRejected([f"展開後の大きさが上限（{_mb(limits.unzipped_bytes)}）を超えています。"])
    shared = _shared_strings_parts(zipfile.ZipFile(io.BytesIO(data)), infos)
    strings = sum(info.file_size for info in infos if info.filename in shared)
    if strings > limits.unzipped_bytes // STRINGS_SHARE:
        # openpyxl keeps every shared string in memory, several times the XML's size.
        raise SheetRejected([f"文字列の部分の展開後の大きさが上限（{_mb(limits.unzipped_bytes // STRINGS_SHARE)}）"
                             "を超えています。"])
    for info in infos:
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > max(info.compress_size, 1) * limits.ratio:
            raise SheetRejected([f"圧縮率が上限（{limits.ratio:,}倍）を超えています。"
                                 "空の行や列が大量に含まれていないか確認してください。"])


_SHARED_STRINGS_TYPE = re.compile(
    rb'<Override[^>]*?PartName="/?([^"]+)"[^>]*?ContentType="[^"]*sharedStrings\+xml"'
    rb'|<Override[^>]*?ContentType="[^"]*sharedStrings\+xml"[^>]*?PartName="/?([^"]+)"')


def _shared_strings_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> set[str]:
    """The members holding the shared strings: the one named so, and any part ``[Content_Types].xml`` declares
    of that type — the way openpyxl finds it, so that renaming the part does not escape the limit. A content-types
    part too large to be honest (over 1 MB) is refused."""
    parts = {info.filename for info in infos if info.filename.lower().endswith("sharedstrings.xml")}
    types = next((info for info in infos if info.filename == "[Content_Types].xml"), None)
    if types is not None:
        if types.file_size > RATIO_FLOOR_BYTES:
            raise SheetRejected([UNREADABLE_XLSX])
        try:
            manifest = archive.read(types)
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise SheetRejected([UNREADABLE_XLSX]) from exc
        parts |= {(a or b).decode("utf-8", "replace") for a, b in _SHARED_STRINGS_TYPE.findall(manifest)}
    return parts


def read_rows(name: str, data: bytes, limits: Limits | None = None) -> list[Row]:
    """The rows of ``data`` (a file called ``name``: .xlsx, first sheet, or .csv in UTF-8 or Shift_JIS), each a
    tuple of cell values without trailing empty cells (CSV: strings; .xlsx: str, int, float, datetime, bool or
    None), the heading row first.

    Raises ``SheetRejected``: a type other than .xlsx/.csv, contents not matching the extension, a broken file,
    an unreadable encoding, a CSV quote left open (row and column), any limit of ``limits`` (default: the
    settings) exceeded, or formula cells without a stored result (row and column of each)."""
    limits = limits or Limits.from_settings()
    check_file(name, data, limits)
    return _excel_rows(data, limits) if name.lower().endswith(".xlsx") else _csv_rows(data, limits)


def check_file(name: str, data: bytes, limits: Limits | None = None) -> None:
    """The checks made before reading, at once whatever the file's size (a page may make them before it queues
    a large file): the type by extension and first bytes, and an .xlsx's zip (``check_archive``). Raises
    ``SheetRejected``."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise SheetRejected(["拡張子は .xlsx ですが、Excelファイルではありません。"])
        check_archive(data, limits)
    elif lower.endswith(".csv"):
        if data.startswith(b"PK") or b"\x00" in data[:1024]:
            raise SheetRejected(["拡張子は .csv ですが、CSV（文字）ファイルではありません。"])
        if (nul := data.find(b"\x00")) >= 0:  # no text holds one; a database cannot even store it in a message
            line = data.count(b"\n", 0, nul) + 1
            raise SheetRejected([f"{line}行目: 文字として読めないデータ（NUL）が"
                                 "含まれています。CSVファイルとして保存し直してください。"])
    else:
        raise SheetRejected(
            [f"「{name}」は取り込めない形式です。Excel（.xlsx）またはCSV（.csv）ファイルを選んでください。"]
        )


def _trimmed(row: Sequence[object], number: int, limits: Limits) -> Row:
    """``row`` without its trailing empty cells (None or ""); a value beyond the column limit is refused."""
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    if end > limits.columns:
        raise SheetRejected([_too_many_columns(number, limits)])
    return tuple(row[:end])


def _excel_rows(data: bytes, limits: Limits) -> list[Row]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            path = sheet._worksheet_path  # type: ignore[attr-defined]  # the first sheet's part in the zip
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                scanned = _scan(archive, path, limits)
            # Writers other than Excel often declare a wrong sheet size, and read-only mode would stop there.
            sheet.reset_dimensions()
            rows: list[Row] = []
            # Cells beyond the column limit are empty (``_scan`` refused values there): not read, so that no row
            # is made thousands of cells wide.
            for row in sheet.iter_rows(values_only=True, max_col=limits.columns if scanned.wide else None):
                if len(rows) >= limits.rows:
                    raise SheetRejected([too_many_rows(limits)])
                rows.append(_trimmed(row, len(rows) + 1, limits))
        finally:
            book.close()
    except SheetRejected:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, IndexError, AttributeError) as exc:
        raise SheetRejected([UNREADABLE_XLSX]) from exc
    missing = [(r, c) for r, c in scanned.formulas
               if not 0 < r <= len(rows) or c > len(rows[r - 1]) or rows[r - 1][c - 1] is None]
    if missing:
        found = [_formula_message(r, c, rows) for r, c in missing[:MAX_ERRORS]]
        if len(missing) > MAX_ERRORS:
            found.append(f"ほかに{len(missing) - MAX_ERRORS:,}個のセルで、数式の計算結果が保存されていません。")
        raise SheetRejected(found)
    return rows


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# What makes the sheet's XML worth parsing again (``_scan``): a formula, a cell reference of two letters or more
# (a column from AA), a cell without a reference (its column is counted). Each pattern starts with a literal, so
# that the search is fast; a false alarm only costs the parse.
_WORTH_SCANNING = tuple(re.compile(pattern) for pattern in (
    rb"<f[\s/>]", rb":f[\s/>]", rb' r="[A-Z]{2}', rb"<c(?=[\s/>])(?:(?! r=)[^>])*>", rb":c(?=[\s/>])(?:(?! r=)[^>])*>",
))


def _worth_scanning(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the sheet ``path`` holds anything ``_scan`` looks for (read in chunks, no XML parsed)."""
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(1024 * 1024):
            if any(pattern.search(tail + chunk) for pattern in _WORTH_SCANNING):
                return True
            tail = chunk[-256:]
    return False


@dataclass(frozen=True)
class _Scanned:
    """What the sheet's XML showed: ``formulas``, (row, column) of each cell with a formula and no stored result;
    ``wide``, whether a cell (an empty one: a value there is refused) lies beyond the column limit."""

    formulas: list[tuple[int, int]]
    wide: bool


def _scan(archive: zipfile.ZipFile, path: str, limits: Limits) -> _Scanned:
    """Look at the sheet's XML (``path``), before openpyxl reads it, for what its rows cannot show: a cell that
    holds a formula (``<f>``) without a stored result (no ``<v>``, or an empty one on a cell not typed as text),
    and cells beyond the column limit. Refuses a value beyond the column limit, and a row numbered beyond the
    row limit. Parses nothing when a look at the raw XML finds none of these (``_worth_scanning``)."""
    formulas: list[tuple[int, int]] = []
    wide = False
    if not _worth_scanning(archive, path):
        return _Scanned(formulas, wide)
    row_number, column = 0, 0
    with archive.open(path) as source:
        for event, element in iterparse(source, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column = 0
                    if row_number > limits.rows:
                        raise SheetRejected([too_many_rows(limits)])
                continue
            if tag == "c":
                ref = element.get("r")
                column = _column_of(ref) if ref else column + 1
                children = {_local(child.tag): child for child in element}
                if column > limits.columns:
                    if "v" in children or "is" in children:
                        raise SheetRejected([_too_many_columns(row_number, limits)])
                    wide = True
                value = children.get("v")
                stored = value is not None and (bool(value.text) or element.get("t") == "str")
                if "f" in children and not stored:
                    formulas.append((row_number, column))
            elif tag == "row":
                element.clear()
            elif tag == "sheetData":
                break
    return _Scanned(formulas, wide)


def _column_of(ref: str) -> int:
    """1-based column of a cell reference (``B12`` → 2)."""
    number = 0
    for letter in ref.upper():
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - 64
    return number


def _formula_message(row: int, column: int, rows: list[Row]) -> str:
    heading = rows[0][column - 1] if rows and column <= len(rows[0]) else None
    label = f"{get_column_letter(column)}列" + (f"（{heading}）" if heading not in (None, "") else "")
    return f"{row}行目 {label}: {NOT_CALCULATED}"


def _csv_lines(text: str, limits: Limits) -> Iterator[str]:
    """The physical lines of ``text`` (CR, LF or CRLF), refusing one longer than the limit."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > limits.line_chars + 2:  # the line break is not counted
            raise SheetRejected([f"{number}行目: 1行の長さが上限（{limits.line_chars:,}文字）を超えています。"])
        yield line


def _csv_rows(data: bytes, limits: Limits) -> list[Row]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetRejected(["CSVファイルの文字コードを読み取れません。UTF-8またはShift_JISで保存してください。"])
    # strict: a quote left open is an error (the lenient reader swallowed the rest of the file into one cell).
    reader = csv.reader(_csv_lines(text, limits), strict=True)
    rows: list[list[str]] = []
    trimmed: list[Row] = []
    try:
        for row in reader:
            if len(rows) >= limits.rows:
                raise SheetRejected([too_many_rows(limits)])
            rows.append(row)
            trimmed.append(_trimmed(row, reader.line_num, limits))
    except csv.Error as exc:
        start = _lines_taken(rows) + 1  # the physical line where the unfinished row began
        lines = text.splitlines()
        where = _open_quote_column(lines[start - 1] if start <= len(lines) else "")
        if where is not None:
            heading = rows[0][where - 1] if rows and len(rows[0]) >= where else ""
            column = f"{where}列目（{heading}）" if heading else f"{where}列目"
            raise SheetRejected([f"{start}行目・{column}: 引用符（\"）が閉じられていません。"
                                 "セルの中の引用符は \"\" と2つ重ねてください。"]) from exc
        raise SheetRejected([f"{reader.line_num}行目: CSVの形式が正しくありません（{exc}）。"]) from exc
    return trimmed


def _lines_taken(rows: list[list[str]]) -> int:
    """The number of physical lines the ``rows`` read so far took (a quoted cell may hold line breaks)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().count("\n")


def _open_quote_column(line: str) -> int | None:
    """The column (1-based) of ``line`` whose quote opens and is not closed on the line, or None. A quote opens a
    cell only at its start; inside a quoted cell ``""`` is one quote."""
    column, quoted, opened, at_start, index = 1, False, None, True, 0
    while index < len(line):
        char = line[index]
        if quoted and char == '"' and line[index + 1:index + 2] == '"':
            index += 2
            continue
        if quoted and char == '"':
            quoted = False
        elif not quoted and char == ",":
            column, at_start, index = column + 1, True, index + 1
            continue
        elif not quoted and char == '"' and at_start:
            quoted, opened = True, column
        at_start = False
        index += 1
    return opened if quoted else None
