"""The open-data files of one 年度 and the data dictionary, as bytes (pages and the public API serve these).

- CSV, UTF-8 with a byte order mark (Excel reads Japanese correctly), CRLF line ends, fields quoted only when needed,
  the column names as the first line. Integers without separators, dates YYYY-MM-DD, unknown values empty.
- The same CSV in Shift_JIS (Windows-31J, Python's ``cp932``) for software that reads no UTF-8. The characters that
  JIS X 0208 has but Unicode spells two ways are written as the cp932 form (〜 → ～, − → －, ‖ → ∥, — → ―, ¢ £ ¬ →
  ￠ ￡ ￢): the same character, never a loss. A character cp932 cannot hold (𠮷, emoji …) becomes 〓 (ゲタ, U+3013),
  one for each, the long-standing mark of a missing glyph in Japanese print; the UTF-8 file and the JSON keep the
  exact text. Nothing is dropped silently and the encoder never fails.
- In both CSVs a text that starts with = + - @ (or their full-width forms), a tab or a line break is prefixed with
  a single quote (``'=…``), so that a spreadsheet shows it and never runs it as a formula (CSV injection). The JSON
  keeps the exact text.
- JSON: ``{"metadata": {...}, "records": [...]}``, UTF-8, the records keyed by column name, numbers as numbers,
  unknown values ``null``; the metadata names the title, publisher, licence (CC BY 4.0 and its URL), 年度, the
  date of the data and where the data dictionary is.
- The 評価結果 of a year (``grants.opendata.evaluations``) in the same three forms; its score, a ``Decimal`` of one
  place, is 「4.2」 in the CSVs and the number 4.2 in the JSON.
- The data dictionary of both datasets as one CSV (データ, 項番, 項目名, 型, 説明, 例).
"""
from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone

from .dataset import (
    COLUMNS,
    LICENCE_NAME,
    LICENCE_TITLE,
    LICENCE_URL,
    TITLE,
    Column,
    Record,
    Value,
    YearData,
    city_code,
    city_name,
)
from .evaluations import COLUMNS as EVALUATION_COLUMNS
from .evaluations import TITLE as EVALUATION_TITLE
from .evaluations import EvaluationData

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
SJIS_CONTENT_TYPE = "text/csv; charset=Shift_JIS"
JSON_CONTENT_TYPE = "application/json"

#: What stands for a character Shift_JIS (cp932) cannot hold.
GETA = "〓"

#: Characters of JIS X 0208 that Unicode has twice: the form other Shift_JIS tables map to → cp932's form.
CP932_FORMS = str.maketrans({"\u301c": "\uff5e", "\u2212": "\uff0d", "\u2016": "\u2225", "\u2014": "\u2015",
                             "\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2"})

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_LEADING_BLANKS = " \u3000\t\r\n"


def _geta(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return GETA * (error.end - error.start), error.end


codecs.register_error("opendata_geta", _geta)


def to_cp932(text: str) -> bytes:
    """``text`` in Windows-31J: the JIS variants written in cp932's form, anything else it cannot hold as 〓."""
    return text.translate(CP932_FORMS).encode("cp932", errors="opendata_geta")


def escape_formula(text: str) -> str:
    """``text`` with a single quote in front when a spreadsheet would read it as a formula (see the module)."""
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(_LEADING_BLANKS).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _field(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return str(value)
    return escape_formula(value)


def _number(value: object) -> float:
    """A ``Decimal`` of one place as a JSON number: 4.2 is written 4.2 (the shortest form that reads back the same)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([escape_formula(name) for name in header])
    writer.writerows([_field(value) for value in row] for row in rows)
    return out.getvalue()


def _table(records: list[Record], columns: Sequence[Column] = COLUMNS) -> tuple[list[str], list[list[Value]]]:
    header = [column.name for column in columns]
    return header, [[record[name] for name in header] for record in records]


def csv_utf8(data: YearData) -> bytes:
    """The year's rows as CSV in UTF-8 with a BOM."""
    return codecs.BOM_UTF8 + _csv_text(*_table([row.record() for row in data.rows])).encode("utf-8")


def csv_sjis(data: YearData) -> bytes:
    """The year's rows as CSV in Shift_JIS (cp932), 〓 for what it cannot hold."""
    return to_cp932(_csv_text(*_table([row.record() for row in data.rows])))


def metadata(data: YearData | EvaluationData, dictionary_url: str, *, title: str = TITLE,
             columns: tuple[Column, ...] = COLUMNS) -> dict[str, object]:
    """A JSON file's metadata: title, publisher, licence, 年度, the date of the data (its last change, so that the
    same data always makes the same file) and the data dictionary's URL and the file's columns."""
    return {
        "title": f"{city_name()} {title}（{data.label}）",
        "publisher": city_name(),
        "local_government_code": city_code(),
        "license": {"name": LICENCE_NAME, "title": LICENCE_TITLE, "url": LICENCE_URL},
        "fiscal_year": data.fiscal_year,
        "generated": timezone.localtime(data.last_modified).date().isoformat(),
        "last_modified": data.last_modified.isoformat(),
        "record_count": len(data.rows),
        "dictionary": dictionary_url,
        "columns": [column.name for column in columns],
    }


def json_bytes(data: YearData, dictionary_url: str) -> bytes:
    """The year's rows as JSON with its metadata (UTF-8, no BOM)."""
    document = {"metadata": metadata(data, dictionary_url), "records": [row.record() for row in data.rows]}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def evaluations_csv_utf8(data: EvaluationData) -> bytes:
    """The year's 評価結果 as CSV in UTF-8 with a BOM."""
    records = [row.record() for row in data.rows]
    return codecs.BOM_UTF8 + _csv_text(*_table(records, EVALUATION_COLUMNS)).encode("utf-8")


def evaluations_csv_sjis(data: EvaluationData) -> bytes:
    """The year's 評価結果 as CSV in Shift_JIS (cp932), 〓 for what it cannot hold."""
    return to_cp932(_csv_text(*_table([row.record() for row in data.rows], EVALUATION_COLUMNS)))


def evaluations_json(data: EvaluationData, dictionary_url: str) -> bytes:
    """The year's 評価結果 as JSON with its metadata, as the awards' (UTF-8, no BOM)."""
    meta = metadata(data, dictionary_url, title=EVALUATION_TITLE, columns=EVALUATION_COLUMNS)
    document = {"metadata": meta, "records": [row.record() for row in data.rows]}
    return json.dumps(document, ensure_ascii=False, indent=1, default=_number).encode("utf-8")


DICTIONARY_HEADER = ("データ", "項番", "項目名", "型", "説明", "例")
#: The datasets of the dictionary, in its order: (name, columns).
DATASETS: tuple[tuple[str, tuple[Column, ...]], ...] = ((TITLE, COLUMNS), (EVALUATION_TITLE, EVALUATION_COLUMNS))


def dictionary_csv() -> bytes:
    """The data dictionary (項目定義書) of both datasets as CSV in UTF-8 with a BOM: データ (交付決定一覧 or 評価結果),
    項番, 項目名, 型, 説明, 例."""
    rows = [[dataset_name, str(number), column.name, column.type, column.description, column.example]
            for dataset_name, columns in DATASETS for number, column in enumerate(columns, start=1)]
    return codecs.BOM_UTF8 + _csv_text(DICTIONARY_HEADER, rows).encode("utf-8")
