"""Household-count files: every error named by row, column and field; nothing written on any error."""
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from grants.cases.imports import ImportRejected, parse_household_counts
from grants.cases.models import AnnualRun, GrantCase
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, post_import

CODES = {"10-001", "10-002", "10-003"}


def xlsx(rows, *, setup=None) -> bytes:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if setup:
        setup(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.encode(encoding)


def errors_of(name: str, data: bytes) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        parse_household_counts(name, data, CODES)
    return info.value.errors


def test_reads_xlsx() -> None:
    data = xlsx([["団体コード", "団体名", "世帯数"], ["10-001", "大歳第1自治会", 120], ["10-002", "x", 35.0]])
    assert parse_household_counts("counts.xlsx", data, CODES).counts == {"10-001": 120, "10-002": 35}


def test_reads_csv_utf8_bom_and_cp932_and_fullwidth_digits() -> None:
    text = "団体コード,世帯数\r\n10-001,\"1,200\"\r\n10-003,４５\r\n"
    assert parse_household_counts("c.csv", csv_bytes(text), CODES).counts == {"10-001": 1200, "10-003": 45}
    assert parse_household_counts("c.csv", csv_bytes(text, "cp932"), CODES).counts == {"10-001": 1200, "10-003": 45}


def test_unknown_code_negative_and_non_numeric_counts_and_duplicates_named_by_row_and_column() -> None:
    data = xlsx([
        ["団体コード", "世帯数"],
        ["10-001", 120],
        ["99-999", 10],
        ["10-002", -5],
        ["10-003", "たくさん"],
        ["10-001", 121],
    ])
    assert errors_of("counts.xlsx", data) == [
        "3行目 A列（団体コード）: 「99-999」は登録されている団体の団体コードではありません。",
        "4行目 B列（世帯数）: 「-5」は0以上100,000以下の整数ではありません。",
        "5行目 B列（世帯数）: 「たくさん」は0以上100,000以下の整数ではありません。",
        "6行目 A列（団体コード）: 「10-001」は2行目と重複しています。",
    ]


def test_decimal_count_refused() -> None:
    assert errors_of("c.csv", csv_bytes("団体コード,世帯数\n10-001,12.5\n")) == [
        "2行目 B列（世帯数）: 「12.5」は0以上100,000以下の整数ではありません。"
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("counts.pdf", b"%PDF-1.4", "取り込めない形式"),
        ("counts.xls", b"\xd0\xcf\x11\xe0", "取り込めない形式"),
        ("counts.xlsx", b"not a zip", "Excelファイルではありません"),
        ("counts.xlsx", b"PK\x03\x04broken", "Excelファイルとして読み込めません"),
        ("counts.csv", b"", "ファイルが空です"),
        ("counts.csv", b"\r\n\r\n", "ファイルが空です"),
        ("counts.csv", "団体コード,世帯数\n".encode(), "データ行がありません"),
        ("counts.csv", "コード,数\n10-001,1\n".encode(), "見出し「団体コード」「世帯数」がありません"),
        ("counts.csv", b"PK\x03\x04", "CSV（文字）ファイルではありません"),
    ],
)
def test_bad_files_refused_with_clear_message(name: str, data: bytes, message: str) -> None:
    errors = errors_of(name, data)
    assert len(errors) == 1 and message in errors[0]


def test_empty_xlsx_refused() -> None:
    assert "ファイルが空です" in errors_of("c.xlsx", xlsx([]))[0]


# Attacks on the household-count import (世帯数の取込み): every file must either import correctly or be
# refused with a Japanese message naming row and column, and nothing may be written when it is refused.


HEAD = "団体コード,世帯数\n"


@pytest.fixture
def staff_client(client, staff):  # type: ignore[no-untyped-def]
    return login(client, staff)


def _nothing_written() -> None:
    assert not AnnualRun.objects.exists()
    assert not HouseholdCount.objects.exists()
    assert not GrantCase.objects.exists()


def _refused(response, *fragments: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert 'id="import-errors"' in page, page[:500]
    for fragment in fragments:
        assert fragment in page, fragment
    _nothing_written()
    return page


def _imported(response, association, households: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.content.decode()[:3000]
    run = AnnualRun.objects.get()
    assert list(HouseholdCount.objects.filter(organization=association).values_list("households", flat=True)) == [
        households
    ]
    assert run.status == "running"


@pytest.mark.django_db
@pytest.mark.parametrize("cell, shown", [
    ("=cmd|' /C calc'!A0", "=cmd|&#x27; /C calc&#x27;!A0"),
    ("-0", "-0"),
    ("1e3", "1e3"),
    ("12.5", "12.5"),
    ("−5", "−5"),  # U+2212 minus
    ("　", "空欄"),
    ("0x10", "0x10"),
    ("NaN", "NaN"),
    ("١٢٠x", "١٢٠x"),
])
def test_bad_count_refused_with_row_and_column(staff_client, programme_year, association, cell, shown) -> None:  # type: ignore[no-untyped-def]
    data = f'{HEAD}{association.code},"{cell}"\n'.encode()
    _refused(post_import(staff_client, programme_year, "c.csv", data), f"2行目 B列（世帯数）: 「{shown}」")


@pytest.mark.django_db
def test_formula_like_code_is_escaped_in_the_page(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = f'{HEAD}"=HYPERLINK(""http://x"")<script>alert(1)</script>",3\n'.encode()
    page = _refused(post_import(staff_client, programme_year, "c.csv", data), "2行目 A列（団体コード）")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


@pytest.mark.django_db
def test_whitespace_only_code_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = f"{HEAD}   ,5\n\u3000,6\n".encode()
    _refused(post_import(staff_client, programme_year, "c.csv", data),
             "2行目 A列（団体コード）: 団体コードが空欄です。", "3行目 A列（団体コード）: 団体コードが空欄です。")


@pytest.mark.django_db
def test_header_only_csv_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    _refused(post_import(staff_client, programme_year, "c.csv", HEAD.encode()), "データ行がありません")


@pytest.mark.django_db
def test_header_only_xlsx_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    _refused(post_import(staff_client, programme_year, "c.xlsx", xlsx([["団体コード", "世帯数"]])), "データ行がありません")


@pytest.mark.django_db
def test_ten_thousand_bad_rows_stop_at_fifty_errors(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = (HEAD + "".join(f"X{n},{n}\n" for n in range(10_000))).encode()
    page = _refused(post_import(staff_client, programme_year, "c.csv", data), "確認を打ち切りました")
    assert page.count("登録されている団体の団体コードではありません") == 50


@pytest.mark.django_db
def test_ten_thousand_rows_with_one_bad_row_at_the_end_writes_nothing(staff_client, programme_year) -> None:  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(20)
    rows = [f"{orgs[n % 20].code},{n}\n" for n in range(20)] + ["\n"] * 9_979 + ["ZZZ,1\n"]
    _refused(post_import(staff_client, programme_year, "c.csv", (HEAD + "".join(rows)).encode()),
             "10001行目 A列（団体コード）: 「ZZZ」")


@pytest.mark.django_db
def test_utf16_csv_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = f"{HEAD}{association.code},5\n".encode("utf-16")
    _refused(post_import(staff_client, programme_year, "c.csv", data), "CSV（文字）ファイルではありません")


@pytest.mark.django_db
def test_utf8_bom_followed_by_cp932_refused_with_encoding_message(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = b"\xef\xbb\xbf" + f"{HEAD}{association.code},5\n".encode("cp932")
    _refused(post_import(staff_client, programme_year, "c.csv", data), "文字コードを読み取れません")


@pytest.mark.django_db
def test_latin1_csv_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = "団体コード,世帯数\n".encode() + b"\xe9\xe8\xff,5\n"
    _refused(post_import(staff_client, programme_year, "c.csv", data), "文字コード")


@pytest.mark.django_db
def test_file_over_5mb_refused_before_parsing(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = (HEAD + f"{association.code},5\n" + "\n" * (5 * 1024 * 1024)).encode()
    response = post_import(staff_client, programme_year, "c.csv", data)
    assert "ファイルが大きすぎます" in response.content.decode()
    _nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize("name, data", [
    ("c.xlsx", b"not a zip at all"),
    ("c.xlsx", b"PK\x03\x04garbage"),
    ("c.csv", b"PK\x03\x04garbage"),
    ("c.xls", b"\xd0\xcf\x11\xe0"),
    ("c.xlsm", b"PK"),
    ("c", b"x"),
    ("c.CSV.exe", b"x"),
])
def test_wrong_file_types_refused(staff_client, programme_year, association, name, data) -> None:  # type: ignore[no-untyped-def]
    _refused(post_import(staff_client, programme_year, name, data))


@pytest.mark.django_db
def test_zip_that_is_not_a_workbook_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "x")
    _refused(post_import(staff_client, programme_year, "c.xlsx", out.getvalue()), "Excelファイルとして読み込めません")


@pytest.mark.django_db
def test_merged_code_cell_refused_naming_the_row(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    def merge(wb):  # type: ignore[no-untyped-def]
        wb.active.merge_cells("A2:A3")

    data = xlsx([["団体コード", "世帯数"], [association.code, 5], [None, 6]], setup=merge)
    _refused(post_import(staff_client, programme_year, "c.xlsx", data), "3行目 A列（団体コード）: 団体コードが空欄です。")


@pytest.mark.django_db
def test_xlsx_values_of_other_types_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    other = factories.AssociationFactory()
    third = factories.AssociationFactory()
    data = xlsx([["団体コード", "世帯数"], [association.code, True], [other.code, dt.date(2026, 4, 1)],
                 [third.code, None]])
    _refused(post_import(staff_client, programme_year, "c.xlsx", data),
             "2行目 B列（世帯数）: 「True」", "3行目 B列（世帯数）", "4行目 B列（世帯数）: 「空欄」")
    # A formula never calculated is no longer 「空欄」: it is named as such
    # (test_a_count_given_by_a_formula_never_calculated_is_named_not_called_empty).


@pytest.mark.django_db
def test_second_sheet_is_not_read(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Data on the second sheet only: refused (first sheet empty), nothing written."""
    def second(wb):  # type: ignore[no-untyped-def]
        ws = wb.create_sheet("データ")
        ws.append(["団体コード", "世帯数"])
        ws.append([association.code, 5])

    _refused(post_import(staff_client, programme_year, "c.xlsx", xlsx([], setup=second)), "ファイルが空です")


@pytest.mark.django_db
@pytest.mark.parametrize("cell, households", [("１２０", 120), ("1,200", 1200), (" 7 ", 7), ("0", 0), ("007", 7)])
def test_unusual_but_valid_counts_import(staff_client, programme_year, association, cell, households) -> None:  # type: ignore[no-untyped-def]
    data = f'{HEAD}{association.code},"{cell}"\n'.encode()
    _imported(post_import(staff_client, programme_year, "c.csv", data), association, households)


@pytest.mark.django_db
def test_cp932_with_extra_columns_and_reordered_headings(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    data = f"備考,世帯数,団体名,団体コード\nメモ,42,大歳,{association.code}\n".encode("cp932")
    _imported(post_import(staff_client, programme_year, "c.csv", data), association, 42)


@pytest.mark.django_db
def test_xlsx_float_and_extra_sheets(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    def extra(wb):  # type: ignore[no-untyped-def]
        wb.create_sheet("メモ").append(["団体コード", "世帯数"])

    data = xlsx([["団体コード", "世帯数"], [association.code, 1e3]], setup=extra)
    _imported(post_import(staff_client, programme_year, "c.xlsx", data), association, 1000)


@pytest.mark.django_db
def test_filename_with_html_is_escaped_on_run_page(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    response = post_import(staff_client, programme_year, "<img src=x onerror=alert(1)>.csv",
                           f"{HEAD}{association.code},5\n".encode())
    page = staff_client.get(response.url).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page


@pytest.mark.django_db
def test_regression_row_with_extra_unquoted_comma_silently_imports_wrong_count(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py parse_household_counts): ``10-001,1,200`` (a thousands separator not quoted in a
    hand-made CSV) has three cells under two headings. The extra cell is ignored and 1 household is
    imported instead of 1,200 — silently, with no message. A data row longer than the heading row should be
    refused naming the row."""
    data = f"{HEAD}{association.code},1,200\n".encode()
    response = post_import(staff_client, programme_year, "c.csv", data)
    _refused(response, "2行目")


@pytest.mark.django_db
def test_regression_misplaced_thousands_separator_accepted(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _parse_count): every comma is removed before the digit check, so "1,20" or "12,0,0"
    (a typo, or a decimal comma) is read as 120 / 1200 instead of being refused."""
    data = f'{HEAD}{association.code},"1,20"\n'.encode()
    _refused(post_import(staff_client, programme_year, "c.csv", data), "2行目 B列（世帯数）")


@pytest.mark.django_db
@pytest.mark.parametrize("cell", ["1000000000000", "99999999999999999999", "9" * 5000],
                         ids=["10**12", "20-digits", "5000-digits"])
def test_regression_absurdly_large_count_not_refused(staff_client, programme_year, association, cell) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _parse_count has no upper bound; the correction form caps at 100,000):
    10**12 households is accepted and written (on PostgreSQL the INSERT overflows integer → 500);
    a 20-digit count overflows SQLite's INTEGER → 500; a 5,000-digit count hits Python's int-string limit →
    ValueError → 500. It should be refused as 「2行目 B列（世帯数）」 like any other bad count."""
    data = f"{HEAD}{association.code},{cell}\n".encode()
    staff_client.raise_request_exception = False
    response = post_import(staff_client, programme_year, "c.csv", data)
    _refused(response, "2行目 B列（世帯数）")


@pytest.mark.django_db
def test_regression_xlsx_huge_float_count_not_refused(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Same bug through Excel: a numeric cell 1e20 becomes int 100000000000000000000."""
    staff_client.raise_request_exception = False
    response = post_import(staff_client, programme_year, "c.xlsx", xlsx([["団体コード", "世帯数"], [association.code, 1e20]]))
    _refused(response, "2行目 B列（世帯数）")


@pytest.mark.django_db
def test_regression_csv_with_very_long_cell_crashes(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _csv_rows): a cell over csv.field_size_limit() (131,072 characters, well within the
    5 MB upload limit) raises _csv.Error, which nothing catches → 500 instead of a Japanese refusal."""
    data = (HEAD + f"{association.code}," + "1" * 200_000 + "\n").encode()
    staff_client.raise_request_exception = False
    _refused(post_import(staff_client, programme_year, "c.csv", data))


@pytest.mark.django_db
def test_regression_csv_with_cr_only_line_endings_crashes(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _csv_rows): io.StringIO(text) keeps a lone CR inside the line, and csv.reader raises
    "new-line character seen in unquoted field" → 500. Files with CR line endings (Excel for Mac
    「CSV (Macintosh)」, old tools) should import, or at least be refused with a message. Fix:
    io.StringIO(text, newline="") / text.splitlines()."""
    data = f"団体コード,世帯数\r{association.code},5\r".encode()
    staff_client.raise_request_exception = False
    response = post_import(staff_client, programme_year, "c.csv", data)
    assert response.status_code in (200, 302), response.status_code


@pytest.mark.django_db
def test_regression_xlsx_with_corrupt_sheet_crashes(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _excel_rows): only load_workbook is inside the try; the sheet XML is parsed lazily by
    iter_rows, so a truncated/corrupt sheet raises xml.etree ParseError → 500 instead of
    「Excelファイルとして読み込めませんでした」."""
    good = xlsx([["団体コード", "世帯数"], [association.code, 5]])
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            z.writestr(info, content)
    staff_client.raise_request_exception = False
    _refused(post_import(staff_client, programme_year, "c.xlsx", out.getvalue()), "Excel")


@pytest.mark.django_db
def test_regression_long_upload_name_overflows_counts_source(staff_client, programme_year, association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (views.annual_run_start): counts_source is f"取込み: {upload.name}（{n}件）" in a CharField(max_length=200);
    a file name of 190+ characters (Django keeps up to 255) makes it longer. On PostgreSQL the INSERT fails
    (value too long for character varying(200)) → 500; SQLite stores the over-long value. Truncate the name."""
    name = "令和8年度_自治会等自治振興交付金_世帯数一覧_" + "あ" * 180 + ".csv"
    staff_client.raise_request_exception = False
    response = post_import(staff_client, programme_year, name, f"{HEAD}{association.code},5\n".encode())
    assert response.status_code == 302, response.status_code
    assert len(AnnualRun.objects.get().counts_source) <= 200


@pytest.mark.django_db
def test_parser_reports_duplicate_with_first_row(association) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImportRejected) as exc:
        parse_household_counts("c.csv", f"{HEAD}{association.code},1\n{association.code},2\n".encode(), {association.code})
    assert exc.value.errors == [f"3行目 A列（団体コード）: 「{association.code}」は2行目と重複しています。"]


def _with_dimension(data: bytes, ref: str) -> bytes:
    import re

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
            z.writestr(info, content)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["A1:B2", "A1"])
def test_regression_xlsx_with_understated_dimension_is_read_partially(staff_client, programme_year, ref) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (imports.py _excel_rows): the workbook is opened read_only, and openpyxl's read-only iter_rows stops
    at the sheet's declared <dimension>. Files whose writer put a wrong dimension (common with non-Excel
    generators) are read partially: with ref="A1:B2" only the first data row is imported and the other
    associations are silently left out — a partial import with no message; with ref="A1" a full file is
    refused as having no data. Fix: ws.reset_dimensions() before iter_rows (or calculate_dimension(force)).
    """
    orgs = factories.AssociationFactory.create_batch(3)
    data = xlsx([["団体コード", "世帯数"]] + [[o.code, 10 * (n + 1)] for n, o in enumerate(orgs)])
    response = post_import(staff_client, programme_year, "c.xlsx", _with_dimension(data, ref))
    assert response.status_code == 302, "refused"
    imported = dict(HouseholdCount.objects.values_list("organization__code", "households"))
    assert imported == {o.code: 10 * (n + 1) for n, o in enumerate(orgs)}


@pytest.mark.django_db
@pytest.mark.parametrize("head, values, message", [
    ("面積,面積（km²）", "1.5,2.5", "1行目: 「面積」の列が2つあります（C列、D列）。"),
    ("人口,人口", "100,200", "1行目: 「人口」の列が2つあります（C列、D列）。"),
    ("世帯数", "20", "1行目: 「世帯数」の列が2つあります（B列、C列）。"),
])
def test_a_heading_given_to_two_columns_is_refused_naming_them(  # type: ignore[no-untyped-def]
        staff_client, programme_year, association, head, values, message) -> None:
    """Only one of two columns headed alike would be read and the other ignored without a word."""
    data = f"{HEAD.rstrip()},{head}\n{association.code},3,{values}\n".encode()
    _refused(post_import(staff_client, programme_year, "c.csv", data), message)


def test_a_quote_left_open_is_refused_naming_its_row_and_column() -> None:
    """The lenient reader took the rest of the file into one cell (and its rows were lost without a word)."""
    text = "団体コード,世帯数\r\n10-001,\"120\r\n10-002,35\r\n10-003,40\r\n"
    assert errors_of("c.csv", csv_bytes(text)) == [
        "2行目・2列目（世帯数）: 引用符（\"）が閉じられていません。セルの中の引用符は \"\" と2つ重ねてください。"
    ]


def test_a_quoted_cell_with_a_line_break_does_not_shift_the_row_named_in_a_later_error() -> None:
    text = "団体コード,団体名,世帯数\r\n10-001,\"大歳\r\n第1自治会\",120\r\n\"10-002,x,35\r\n"
    assert errors_of("c.csv", csv_bytes(text)) == [
        "4行目・1列目（団体コード）: 引用符（\"）が閉じられていません。セルの中の引用符は \"\" と2つ重ねてください。"
    ]


@pytest.mark.django_db
def test_a_count_given_by_a_formula_never_calculated_is_named_not_called_empty(  # type: ignore[no-untyped-def]
        staff_client, programme_year, association) -> None:
    """openpyxl (like most programs) writes a formula without its result; read with data_only it was 「空欄」."""
    data = xlsx([["団体コード", "世帯数"], [association.code, "=100+20"]])
    _refused(post_import(staff_client, programme_year, "c.xlsx", data),
             "2行目 B列（世帯数）: 数式の計算結果が保存されていません。Excelで開いて保存し直してから読み込んでください。")


@pytest.mark.django_db
def test_an_xlsx_of_3000_rows_with_an_error_in_row_3000_writes_nothing(staff_client, programme_year) -> None:  # type: ignore[no-untyped-def]
    orgs = factories.AssociationFactory.create_batch(5)
    rows = [["団体コード", "世帯数"]] + [[orgs[n % 5].code if n < 5 else None, n if n < 5 else None]
                                         for n in range(2_998)] + [["ZZZ", 1]]
    _refused(post_import(staff_client, programme_year, "c.xlsx", xlsx(rows)), "3000行目 A列（団体コード）: 「ZZZ」")


@pytest.mark.django_db
def test_an_xlsx_of_empty_rows_beyond_the_row_limit_is_refused_naming_the_limit(  # type: ignore[no-untyped-def]
        staff_client, programme_year, association, settings) -> None:
    settings.IMPORT_MAX_ROWS = 5_000
    data = xlsx([["団体コード", "世帯数"], [association.code, 5]], setup=lambda wb: wb.active.cell(20_000, 1, "x"))
    _refused(post_import(staff_client, programme_year, "c.xlsx", data), "ファイルの行数が上限（5,000行）を超えています。")
