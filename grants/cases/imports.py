"""Reading a household-count file (世帯数の取込み): .xlsx or CSV, one row per association.

The first row holds the headings 団体コード and 世帯数, and, for the other figures a formula may use, a column
headed by the measure's name (人口, 面積, or with its unit: 面積（km²）); other columns are ignored. An empty
figure cell gives no figure. Every row is checked before anything is written; a file with any error is refused
whole with messages that name the row, the column and the field, in Japanese.
"""
import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

import jaconv
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from grants.organizations.models import MAX_HOUSEHOLDS, Measure

CODE_HEADING = "団体コード"
COUNT_HEADING = "世帯数"
MAX_ERRORS = 50


class ImportRejected(Exception):
    """The file was refused; ``errors`` lists every problem found (row, column, field)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ParsedCounts:
    """{団体コード: 世帯数}, the number of rows, and {団体コード: {項目コード: 値}} of the figures' columns."""

    counts: dict[str, int]
    rows: int
    figures: dict[str, dict[str, Decimal]] = field(default_factory=dict)


COUNT_PATTERN = re.compile(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]+")
FIGURE_PATTERN = re.compile(r"([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


def _excel_rows(data: bytes) -> list[tuple[object, ...]]:
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        # Writers other than Excel often declare a wrong sheet size, and read-only mode would stop there.
        sheet.reset_dimensions()
        return list(sheet.iter_rows(values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, IndexError) as exc:
        message = "Excelファイルとして読み込めませんでした。ファイルが壊れていないか確認してください。"
        raise ImportRejected([message]) from exc


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRejected(["CSVファイルの文字コードを読み取れません。UTF-8またはShift_JISで保存してください。"])
    # strict: a quote left open is an error (the lenient reader swallowed the rest of the file into one cell).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        start = _lines_taken(rows) + 1  # the physical line where the unfinished row began
        lines = text.splitlines()
        where = _open_quote_column(lines[start - 1] if start <= len(lines) else "")
        if where is not None:
            heading = rows[0][where - 1] if rows and len(rows[0]) >= where else ""
            column = f"{where}列目（{heading}）" if heading else f"{where}列目"
            raise ImportRejected([f"{start}行目・{column}: 引用符（\"）が閉じられていません。"
                                  "セルの中の引用符は \"\" と2つ重ねてください。"]) from exc
        raise ImportRejected([f"{reader.line_num}行目: CSVの形式が正しくありません（{exc}）。"]) from exc
    return rows


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


def _rows(name: str, data: bytes) -> Sequence[Sequence[object]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportRejected(["拡張子は .xlsx ですが、Excelファイルではありません。"])
        return _excel_rows(data)
    if lower.endswith(".csv"):
        if data.startswith(b"PK") or b"\x00" in data[:1024]:
            raise ImportRejected(["拡張子は .csv ですが、CSV（文字）ファイルではありません。"])
        return _csv_rows(data)
    raise ImportRejected(
        [f"「{name}」は取り込めない形式です。Excel（.xlsx）またはCSV（.csv）ファイルを選んでください。"]
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return jaconv.z2h(str(value), kana=False, ascii=True, digit=True).strip()


def _heading(value: object) -> str:
    """A heading as compared: half-width letters and digits, full-width kana, no spaces."""
    return jaconv.h2z(_text(value).replace(" ", ""), kana=True, ascii=False, digit=False)


def _accepted_headings(measure: Measure) -> set[str]:
    """The headings of a measure's column: its name, alone or with its unit (面積, 面積（km²）)."""
    return {_heading(measure.name), _heading(f"{measure.name}（{measure.unit}）")}


def _figure_columns(header: Sequence[object], measures: Sequence[Measure]) -> list[tuple[int, Measure]]:
    """(position, measure) of each column headed by a measure's name, alone or with its unit (面積（km²）)."""
    names = [_heading(h) for h in header]
    found = []
    for measure in measures:
        accepted = _accepted_headings(measure)
        at = next((i for i, name in enumerate(names) if name in accepted), None)
        if at is not None:
            found.append((at, measure))
    return found


def _repeated_columns(header: Sequence[object], measures: Sequence[Measure]) -> list[str]:
    """One error for each heading the file has twice or more (団体コード, 世帯数, a measure's column, 面積 beside
    面積（km²））: only one of them would be read, and the other ignored without a word."""
    names = [_heading(h) for h in header]
    groups = [(CODE_HEADING, {CODE_HEADING}), (COUNT_HEADING, {COUNT_HEADING}),
              *((measure.name, _accepted_headings(measure)) for measure in measures)]
    errors = []
    for label, accepted in groups:
        columns = [get_column_letter(i + 1) for i, name in enumerate(names) if name in accepted]
        if len(columns) > 1:
            errors.append(f"1行目: 「{label}」の列が{len(columns)}つあります（{'列、'.join(columns)}列）。"
                          "どの列の値を使うか決められないため、1列にしてください。")
    return errors


def _parse_figure(raw: str, measure: Measure) -> Decimal | str:
    """The figure in ``raw`` (digits, optional thousands commas and decimals), or why it is not one."""
    if not FIGURE_PATTERN.fullmatch(raw) or len(raw) > 20:
        return f"{measure.name}は0以上の数で入力してください。"
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return f"{measure.name}は0以上の数で入力してください。"
    return measure.check_value(value) or value


def _header_positions(header: Sequence[object]) -> tuple[int, int]:
    names = [_heading(h) for h in header]
    missing = [h for h in (CODE_HEADING, COUNT_HEADING) if h not in names]
    if missing:
        names_missing = "」「".join(missing)
        raise ImportRejected(
            [f"1行目に見出し「{names_missing}」がありません。1行目は見出し（団体コード、世帯数）にしてください。"]
        )
    return names.index(CODE_HEADING), names.index(COUNT_HEADING)


def _parse_count(raw: str) -> int | None:
    """A whole number of households, digits with optional thousands commas (1,200), at most MAX_HOUSEHOLDS."""
    if not COUNT_PATTERN.fullmatch(raw) or len(raw) > 9:
        return None
    count = int(raw.replace(",", ""))
    return count if count <= MAX_HOUSEHOLDS else None


def parse_household_counts(
    name: str, data: bytes, known_codes: set[str], measures: Sequence[Measure] = ()
) -> ParsedCounts:
    """Read ``data`` (file called ``name``) into {団体コード: 世帯数} and, for each column headed by one of
    ``measures`` (人口, 面積 …), {団体コード: {項目コード: 値}} (Decimal, at most the measure's decimal places).

    Raises ``ImportRejected`` listing every error: wrong file type, empty file, missing headings, unknown
    association code, a count that is empty, negative or not a whole number, a figure that is negative, not a
    number or has too many decimals, duplicate rows, and a heading given to two columns.
    """
    if not data:
        raise ImportRejected(["ファイルが空です。"])
    rows = iter(_rows(name, data))
    header = next(rows, None)
    if header is None or not any(_text(v) for v in header):
        raise ImportRejected(["ファイルが空です（1行目に見出しがありません）。"])
    code_at, count_at = _header_positions(header)
    repeated = _repeated_columns(header, measures)
    if repeated:
        raise ImportRejected(repeated)
    code_col, count_col = get_column_letter(code_at + 1), get_column_letter(count_at + 1)
    figure_columns = _figure_columns(header, measures)
    figures: dict[str, dict[str, Decimal]] = {}
    counts: dict[str, int] = {}
    first_row: dict[str, int] = {}
    errors: list[str] = []
    for number, row in enumerate(rows, start=2):
        cells = list(row)
        code = _text(cells[code_at]) if code_at < len(cells) else ""
        raw = _text(cells[count_at]) if count_at < len(cells) else ""
        if not code and not raw and not any(_text(c) for c in cells):
            continue
        where = f"{number}行目"
        if not code:
            errors.append(f"{where} {code_col}列（{CODE_HEADING}）: 団体コードが空欄です。")
        elif code not in known_codes:
            errors.append(
                f"{where} {code_col}列（{CODE_HEADING}）: 「{code}」は登録されている団体の団体コードではありません。"
            )
        elif code in first_row:
            errors.append(
                f"{where} {code_col}列（{CODE_HEADING}）: 「{code}」は{first_row[code]}行目と重複しています。"
            )
        extra = [get_column_letter(i + 1) for i in range(len(header), len(cells)) if _text(cells[i])]
        if extra:
            errors.append(
                f"{where} {extra[0]}列: 見出しのない列に値があります。"
                "カンマを含む数は「\"1,200\"」のように引用符で囲むか、カンマを除いてください。"
            )
        count = _parse_count(raw)
        if count is None:
            shown = raw if len(raw) <= 20 else raw[:20] + "…"
            errors.append(
                f"{where} {count_col}列（{COUNT_HEADING}）: 「{shown or '空欄'}」は0以上"
                f"{MAX_HOUSEHOLDS:,}以下の整数ではありません。"
            )
        row_figures: dict[str, Decimal] = {}
        for at, measure in figure_columns:
            cell = _text(cells[at]) if at < len(cells) else ""
            if not cell:
                continue
            value = _parse_figure(cell, measure)
            if isinstance(value, str):
                shown = cell if len(cell) <= 20 else cell[:20] + "…"
                column = get_column_letter(at + 1)
                errors.append(f"{where} {column}列（{measure.name}）: 「{shown}」は使えません。{value}")
            else:
                row_figures[measure.code] = value
        if code and code not in first_row:
            first_row[code] = number
            if count is not None:
                counts[code] = count
            if row_figures:
                figures[code] = row_figures
        if len(errors) >= MAX_ERRORS:
            errors.append(f"誤りが多いため、{number}行目で確認を打ち切りました。")
            break
    if errors:
        raise ImportRejected(errors)
    if not counts:
        raise ImportRejected(["データ行がありません（2行目以降に団体コードと世帯数を入力してください）。"])
    return ParsedCounts(counts=counts, rows=len(counts), figures=figures)
