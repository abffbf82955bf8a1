"""Household-count files: every error named by row, column and field; nothing written on any error."""
import io

import pytest
from openpyxl import Workbook

from grants.cases.imports import ImportRejected, parse_household_counts

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
