"""Reading a household-count file (世帯数の取込み): .xlsx or CSV, one row per association.

The first row holds the headings 団体コード and 世帯数, and, for the other figures a formula may use, a column
headed by the measure's name (人口, 面積, or with its unit: 面積（km²）); other columns are ignored. An empty
figure cell gives no figure. Every row is checked before anything is written; a file with any error is refused
whole with messages that name the row, the column and the field, in Japanese.
"""
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import jaconv
from openpyxl.utils import get_column_letter

from grants.core.sheets import SheetRejected, check_file, read_rows
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


def _rows(name: str, data: bytes) -> Sequence[Sequence[object]]:
    """The file's rows, read with the system's limits and checks (``grants.core.sheets.read_rows``)."""
    try:
        return read_rows(name, data)
    except SheetRejected as exc:
        raise ImportRejected(exc.errors) from exc


def check_household_file(name: str, data: bytes) -> None:
    """The checks made at once, before a large file is queued (``grants.core.sheets.check_file``): an empty
    file, the type, an .xlsx that would inflate beyond the limits. Raises ``ImportRejected``."""
    if not data:
        raise ImportRejected(["ファイルが空です。"])
    try:
        check_file(name, data)
    except SheetRejected as exc:
        raise ImportRejected(exc.errors) from exc


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
    name: str, data: bytes, known_codes: set[str], measures: Sequence[Measure] = (),
    progress: Callable[..., None] | None = None,
) -> ParsedCounts:
    """Read ``data`` (file called ``name``) into {団体コード: 世帯数} and, for each column headed by one of
    ``measures`` (人口, 面積 …), {団体コード: {項目コード: 値}} (Decimal, at most the measure's decimal places).

    Raises ``ImportRejected`` listing every error: wrong file type, empty file, missing headings, unknown
    association code, a count that is empty, negative or not a whole number, a figure that is negative, not a
    number or has too many decimals, duplicate rows, and a heading given to two columns; and every refusal of
    ``grants.core.sheets.read_rows`` (the limits on rows and size, a formula without its result …).
    ``progress(0, total)`` is told the number of rows once read, then ``progress(done)`` as they are checked.
    """
    if not data:
        raise ImportRejected(["ファイルが空です。"])
    all_rows = _rows(name, data)
    if progress:
        progress(0, len(all_rows))
    rows = iter(all_rows)
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
        if progress:
            progress(number)
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
