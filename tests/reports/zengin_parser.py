"""A field-by-field reader of 全銀 総合振込 files, written for the tests from the layout tables in
shared/domain/ZENGIN.md (1-based byte positions), independently of reports.zengin.

``parse_zengin(data)`` → one dict per record: the field names of ZENGIN.md as keys; N fields as their
digit strings (zero-filled, as in the file), C fields decoded from cp932 with the space padding removed;
``"_bytes"`` holds the raw 120 bytes. Malformed input (a record of the wrong length, a missing line
ending, a non-digit N field, records out of order) raises ``ValueError``.
"""
from __future__ import annotations

from typing import Literal

Field = tuple[int, int, Literal["N", "C"], str]  # (1-based start, length, type, name)

HEADER: tuple[Field, ...] = (
    (1, 1, "N", "データ区分"),
    (2, 2, "N", "種別コード"),
    (4, 1, "N", "コード区分"),
    (5, 10, "N", "振込依頼人コード"),
    (15, 40, "C", "振込依頼人名"),
    (55, 4, "N", "振込指定日"),
    (59, 4, "N", "仕向銀行番号"),
    (63, 15, "C", "仕向銀行名"),
    (78, 3, "N", "仕向支店番号"),
    (81, 15, "C", "仕向支店名"),
    (96, 1, "N", "預金種目"),
    (97, 7, "N", "口座番号"),
    (104, 17, "C", "ダミー"),
)
DATA: tuple[Field, ...] = (
    (1, 1, "N", "データ区分"),
    (2, 4, "N", "被仕向銀行番号"),
    (6, 15, "C", "被仕向銀行名"),
    (21, 3, "N", "被仕向支店番号"),
    (24, 15, "C", "被仕向支店名"),
    (39, 4, "N", "手形交換所番号"),
    (43, 1, "N", "預金種目"),
    (44, 7, "N", "口座番号"),
    (51, 30, "C", "受取人名"),
    (81, 10, "N", "振込金額"),
    (91, 1, "N", "新規コード"),
    (92, 10, "N", "顧客コード1"),
    (102, 10, "N", "顧客コード2"),
    (112, 1, "N", "振込指定区分"),
    (113, 1, "C", "識別表示"),
    (114, 7, "C", "ダミー"),
)
TRAILER: tuple[Field, ...] = (
    (1, 1, "N", "データ区分"),
    (2, 6, "N", "合計件数"),
    (8, 12, "N", "合計金額"),
    (20, 101, "C", "ダミー"),
)
END: tuple[Field, ...] = (
    (1, 1, "N", "データ区分"),
    (2, 119, "C", "ダミー"),
)
LAYOUTS: dict[bytes, tuple[Field, ...]] = {b"1": HEADER, b"2": DATA, b"8": TRAILER, b"9": END}
RECORD_LENGTH = 120

# The tables cover every byte of a 120-byte record exactly once, in order.
for _layout in LAYOUTS.values():
    _pos = 1
    for _start, _length, _, _ in _layout:
        assert _start == _pos, _layout
        _pos += _length
    assert _pos == RECORD_LENGTH + 1, _layout


def split_records(data: bytes, line_ending: bytes = b"\r\n") -> list[bytes]:
    """The 120-byte records of ``data``; each must be followed by ``line_ending`` (b"" for none)."""
    step = RECORD_LENGTH + len(line_ending)
    if len(data) % step:
        raise ValueError(f"{len(data)} bytes is not a whole number of {step}-byte records")
    records = []
    for offset in range(0, len(data), step):
        record = data[offset : offset + RECORD_LENGTH]
        if data[offset + RECORD_LENGTH : offset + step] != line_ending:
            raise ValueError(f"record at byte {offset} is not followed by {line_ending!r}")
        if b"\r" in record or b"\n" in record:
            raise ValueError(f"record at byte {offset} holds a CR or LF")
        records.append(record)
    return records


def parse_record(record: bytes) -> dict[str, str | bytes]:
    """The fields of one 120-byte record, by its データ区分."""
    if len(record) != RECORD_LENGTH:
        raise ValueError(f"a record is {RECORD_LENGTH} bytes, not {len(record)}")
    layout = LAYOUTS.get(record[:1])
    if layout is None:
        raise ValueError(f"unknown データ区分 {record[:1]!r}")
    fields: dict[str, str | bytes] = {"_bytes": record}
    for start, length, kind, name in layout:
        raw = record[start - 1 : start - 1 + length]
        if kind == "N":
            if not (raw.isascii() and raw.isdigit()):
                raise ValueError(f"N field {name} is not digits: {raw!r}")
            fields[name] = raw.decode("ascii")
        else:
            fields[name] = raw.decode("cp932").rstrip(" ")
    return fields


def parse_zengin(data: bytes, line_ending: bytes = b"\r\n") -> list[dict[str, str | bytes]]:
    """Every record of a 総合振込 file; the order must be header, data records, trailer, end."""
    records = [parse_record(r) for r in split_records(data, line_ending)]
    kinds = "".join(str(r["データ区分"]) for r in records)
    if len(kinds) < 3 or kinds[0] != "1" or kinds[-2:] != "89" or set(kinds[1:-2]) - {"2"}:
        raise ValueError(f"records out of order: {kinds[:5]}…{kinds[-5:]}")
    return records
