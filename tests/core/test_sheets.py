"""The shared reader of uploaded tables (grants.core.sheets): hostile files are refused before or while they
stream, naming the limit; a formula cell without a stored result is named by row and column."""
import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from typing import Any
from unittest import mock

import pytest
from openpyxl import Workbook

from grants.core import sheets
from grants.core.sheets import Limits, SheetRejected, read_rows

LIMITS = Limits(rows=20_000, columns=200, unzipped_bytes=50 * 1024 * 1024, members=100, ratio=100,
                line_chars=10_000)
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADING_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>団体コード</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>世帯数</t></is></c></row>')


def hand_written_xlsx(rows: Iterable[str], *, dimension: str = "A1:B2", extra_members: int = 0) -> bytes:
    """An .xlsx written by hand: the sheet's ``<row>`` elements are streamed into the zip as given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        + f'<dimension ref="{dimension}"/><sheetData>'.encode())
            batch: list[str] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 100_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write("".join(batch).encode() + b"</sheetData></worksheet>")
        for n in range(extra_members):
            archive.writestr(f"customXml/item{n}.xml", "<a/>")
    return out.getvalue()


def empty_rows(count: int) -> Iterable[str]:
    yield HEADING_ROW
    for n in range(2, count + 2):
        yield f'<row r="{n}"/>'


class Counted:
    """A function wrapped to count its calls (without keeping their arguments, as a Mock would)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function, self.calls = function, 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.function(*args)


def refusal(name: str, data: bytes, limits: Limits = LIMITS) -> list[str]:
    with pytest.raises(SheetRejected) as info:
        read_rows(name, data, limits)
    return info.value.errors


def test_a_hand_written_sheet_is_read() -> None:
    data = hand_written_xlsx([HEADING_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>10-001</t></is></c>'
                                          '<c r="B2"><v>120</v></c></row>'])
    assert read_rows("c.xlsx", data, LIMITS) == [("団体コード", "世帯数"), ("10-001", 120)]


def test_a_million_bare_rows_are_refused_from_the_zip_alone_without_opening_the_workbook() -> None:
    data = hand_written_xlsx([HEADING_ROW, *(["<row/>"] * 1_000_000)], dimension="A1:B1000001")
    assert len(data) < 100 * 1024  # small on the wire…
    tracemalloc.start()
    try:
        with mock.patch.object(sheets, "load_workbook", side_effect=AssertionError("opened")):
            errors = refusal("c.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert errors == ["圧縮率が上限（100倍）を超えています。空の行や列が大量に含まれていないか確認してください。"]
    assert peak < 5 * 1024 * 1024, peak  # …and nothing was inflated


def test_a_million_numbered_empty_rows_stop_at_the_row_limit() -> None:
    """Numbered rows compress less (17 MB in 2.4 MB): the zip passes, and reading stops at the limit."""
    data = hand_written_xlsx(empty_rows(1_000_000), dimension="A1:B2")
    counted = Counted(sheets._trimmed)
    tracemalloc.start()
    try:
        with mock.patch.object(sheets, "_trimmed", counted):
            errors = refusal("c.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert errors[0].startswith("ファイルの行数が上限（20,000行）を超えています。")
    assert counted.calls == 20_000  # stopped at the first row over the limit, the million never read
    assert peak < 20 * 1024 * 1024, peak


def test_a_row_twenty_million_rows_down_is_refused_after_the_row_limit_whatever_the_dimension_says() -> None:
    """The XML is tiny, so the zip passes; openpyxl would fill 20 million empty rows into the gap."""
    data = hand_written_xlsx([HEADING_ROW, '<row r="20000000"><c r="A20000000"><v>1</v></c></row>'],
                             dimension="A1:B2")
    counted = Counted(sheets._trimmed)
    tracemalloc.start()
    try:
        with mock.patch.object(sheets, "_trimmed", counted):
            errors = refusal("c.xlsx", data, Limits(**{**LIMITS.__dict__, "rows": 5_000}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert errors == ["ファイルの行数が上限（5,000行）を超えています。"
                      "空の行が続いている場合は、使っていない行を削除して保存し直してください。"]
    assert counted.calls == 5_000  # stopped at the first row over the limit
    assert peak < 20 * 1024 * 1024, peak


def test_rows_up_to_the_limit_are_read_and_one_more_is_refused() -> None:
    limits = Limits(**{**LIMITS.__dict__, "rows": 3})
    rows = [HEADING_ROW] + [f'<row r="{n}"><c r="B{n}"><v>{n}</v></c></row>' for n in (2, 3)]
    assert len(read_rows("c.xlsx", hand_written_xlsx(rows), limits)) == 3
    more = rows + ['<row r="4"><c r="B4"><v>4</v></c></row>']
    assert refusal("c.xlsx", hand_written_xlsx(more), limits)[0].startswith("ファイルの行数が上限（3行）")
    csv_text = "団体コード,世帯数\n" + "".join(f"10-00{n},{n}\n" for n in range(3))
    assert refusal("c.csv", csv_text.encode(), limits)[0].startswith("ファイルの行数が上限（3行）")


def test_a_file_that_inflates_beyond_the_unzipped_limit_is_refused_naming_it() -> None:
    rows = [HEADING_ROW] + [f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"あ" * 300}</t></is></c></row>'
                            for n in range(2, 3_002)]
    limits = Limits(**{**LIMITS.__dict__, "unzipped_bytes": 2 * 1024 * 1024})
    with mock.patch.object(sheets, "load_workbook", side_effect=AssertionError("opened")):
        assert refusal("c.xlsx", hand_written_xlsx(rows), limits) == ["展開後の大きさが上限（2 MB）を超えています。"]


def test_a_zip_of_too_many_members_is_refused() -> None:
    data = hand_written_xlsx([HEADING_ROW], extra_members=101)
    assert refusal("c.xlsx", data) == ["Excelファイルの中の部品の数が上限（100個）を超えています。"]


def test_a_value_beyond_the_column_limit_is_refused_naming_the_row() -> None:
    limits = Limits(**{**LIMITS.__dict__, "columns": 3})
    far = hand_written_xlsx([HEADING_ROW, '<row r="2"><c r="XFD2"><v>1</v></c></row>'])
    assert refusal("c.xlsx", far, limits) == ["2行目: ファイルの列数が上限（3列）を超えています。"]
    assert refusal("c.csv", b"a,b\n1,2,3,4\n", limits) == ["2行目: ファイルの列数が上限（3列）を超えています。"]
    # empty cells beyond the limit are only trimmed
    assert read_rows("c.csv", b"a,b\n1,2,,,,\n", limits) == [("a", "b"), ("1", "2")]


def test_a_csv_line_over_the_limit_is_refused_naming_it() -> None:
    limits = Limits(**{**LIMITS.__dict__, "line_chars": 100})
    text = "団体コード,世帯数\r\n10-001," + "1" * 101 + "\r\n"
    assert refusal("c.csv", text.encode(), limits) == ["2行目: 1行の長さが上限（100文字）を超えています。"]
    assert read_rows("c.csv", ("団体コード,世帯数\r\n10-001," + "1" * 93 + "\r\n").encode(), limits)[1][0] == "10-001"


def test_a_formula_never_calculated_is_named_by_row_and_column() -> None:
    """openpyxl, like most programs, writes a formula without its result."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["団体コード", "世帯数"])
    sheet.append(["10-001", 120])
    sheet.append(["10-002", "=B2+1"])
    sheet["C4"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    assert refusal("c.xlsx", out.getvalue()) == [
        "3行目 B列（世帯数）: 数式の計算結果が保存されていません。Excelで開いて保存し直してから読み込んでください。",
        "4行目 C列: 数式の計算結果が保存されていません。Excelで開いて保存し直してから読み込んでください。",
    ]


def test_a_formula_with_its_result_stored_is_read_as_the_result() -> None:
    data = hand_written_xlsx([HEADING_ROW, '<row r="2"><c r="A2" t="inlineStr"><is><t>10-001</t></is></c>'
                                          '<c r="B2"><f>100+20</f><v>120</v></c>'
                                          '<c r="C2" t="str"><f>""</f><v></v></c></row>'])
    assert read_rows("c.xlsx", data, LIMITS) == [("団体コード", "世帯数"), ("10-001", 120)]


def test_a_declared_size_smaller_than_the_member_is_refused_as_broken() -> None:
    """The zip's sizes are what the limits are checked against; a member that would inflate beyond its declared
    size is cut there by zipfile and fails its CRC, so a lie cannot get past the limit."""
    data = bytearray(hand_written_xlsx(empty_rows(1_000)))
    name = b"xl/worksheets/sheet1.xml"
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    real = int.from_bytes(data[central + 24:central + 28], "little")
    data[central + 24:central + 28] = (real // 10).to_bytes(4, "little")
    assert refusal("c.xlsx", bytes(data)) == [sheets.UNREADABLE_XLSX]


def test_empty_styled_cells_far_right_are_not_read_into_rows_thousands_wide() -> None:
    rows = [HEADING_ROW] + [f'<row r="{n}"><c r="B{n}"><v>{n}</v></c><c r="XFD{n}" s="1"/></row>'
                            for n in range(2, 2_002)]
    widths: list[int] = []
    original = sheets._trimmed

    def trimmed(row: tuple[object, ...], *args: Any) -> tuple[object, ...]:
        widths.append(len(row))
        return original(row, *args)

    with mock.patch.object(sheets, "_trimmed", trimmed):
        read = read_rows("c.xlsx", hand_written_xlsx(rows), LIMITS)
    assert read[1] == (None, 2) and len(read) == 2_001
    assert max(widths) <= LIMITS.columns  # not 16,384 cells a row (XFD)


def test_shared_strings_over_a_fifth_of_the_unzipped_limit_are_refused_before_opening() -> None:
    out = io.BytesIO(hand_written_xlsx([HEADING_ROW]))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "".join(f"<si><t>{n}</t></si>" for n in range(150_000))
                         + "</sst>")
    limits = Limits(**{**LIMITS.__dict__, "unzipped_bytes": 10 * 1024 * 1024})
    with mock.patch.object(sheets, "load_workbook", side_effect=AssertionError("opened")):
        assert refusal("c.xlsx", out.getvalue(), limits) == ["文字列の部分の展開後の大きさが上限（2 MB）を超えています。"]


def test_shared_strings_renamed_but_declared_in_the_content_types_are_held_to_the_limit() -> None:
    """openpyxl finds the shared strings by their content type, not their name: a part renamed ``xl/s.xml``
    escaped the limit and inflated to hundreds of MB in memory."""
    original = zipfile.ZipFile(io.BytesIO(hand_written_xlsx([HEADING_ROW])))
    out = io.BytesIO()
    declared = CONTENT_TYPES.replace("</Types>", '<Override PartName="/xl/s.xml" ContentType="application/'
                                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            archive.writestr(info.filename, declared if info.filename == "[Content_Types].xml"
                             else original.read(info))
        archive.writestr("xl/s.xml", "<sst>" + "".join(f"<si><t>{n}</t></si>" for n in range(150_000)) + "</sst>")
    limits = Limits(**{**LIMITS.__dict__, "unzipped_bytes": 10 * 1024 * 1024})
    with mock.patch.object(sheets, "load_workbook", side_effect=AssertionError("opened")):
        assert refusal("c.xlsx", out.getvalue(), limits) == ["文字列の部分の展開後の大きさが上限（2 MB）を超えています。"]


def test_a_nul_byte_deep_in_a_csv_is_refused_naming_its_line() -> None:
    data = "団体コード,世帯数\n".encode() + b"A1,3\n" * 600 + b"AB\x00C,4\n"
    assert refusal("c.csv", data) == ["602行目: 文字として読めないデータ（NUL）が含まれています。CSVファイルとして保存し直してください。"]
