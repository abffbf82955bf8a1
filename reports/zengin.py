"""全銀協 総合振込 file writer (bank transfer file for a payment batch). Ours: no package writes it.

Layout from shared/domain/ZENGIN.md: 1 header (データ区分 ``1``) → n data records (``2``, one per payee) →
1 trailer (``8``) → 1 end record (``9``). Every record is exactly 120 bytes; N fields are right-aligned and
zero-filled, C fields left-aligned and space-filled. Text is encoded as cp932, which gives the same single
bytes as JIS X 0201 for half-width kana; fields are padded and cut **by bytes after encoding**. A record is
followed by CRLF (or nothing, :attr:`ZenginOptions.line_ending`).

Every value is checked before any byte is produced: a character outside the allowed set (ZENGIN.md: ｱ–ﾝ,
ﾞ, ﾟ, A–Z, 0–9, space, ``( ) -``, and ``. /`` when :attr:`ZenginOptions.allow_period_slash`), a code of
the wrong length, a voiced mark ``ﾞ``/``ﾟ`` that follows no kana taking it (``ｱﾞ``, ``ｶﾞﾞ``), an amount out of
range... raises :class:`ZenginError` and nothing is written. Names are
expected already normalised (grants.organizations.kana); names longer than their field are cut (every
allowed character is one byte, a voiced mark ``ﾞ`` included, so any byte cut is a character cut).

Pure Python: no Django. Amounts are whole yen (int).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, overload

from grants.core.bankdays import is_bank_business_day
from grants.organizations.kana import stray_mark_position

__all__ = [
    "RECORD_LENGTH",
    "Requester",
    "Transfer",
    "ZenginError",
    "ZenginOptions",
    "write_sogo_furikomi",
]

#: Bytes in every record (line ending excluded).
RECORD_LENGTH = 120
#: The file's encoding (JIS X 0201 half-width kana as single bytes; ASCII for the rest).
ENCODING = "cp932"
#: 振込金額 N(10): the largest amount one data record can carry, in yen.
MAX_AMOUNT = 9_999_999_999
#: 合計件数 N(6) and 合計金額 N(12) of the trailer.
MAX_RECORDS = 999_999
MAX_TOTAL = 999_999_999_999

#: Line endings a bank accepts (ZENGIN.md): CRLF after each record, or none. LF-only and CR-only are refused.
LINE_ENDINGS: frozenset[bytes] = frozenset({b"\r\n", b""})

_KANA = "\uff71-\uff9f"  # ｱ (U+FF71) … ﾝ (U+FF9D), ﾞ (U+FF9E), ﾟ (U+FF9F): no small kana, no ｦ, no ｰ
_NAME_DEFAULT = re.compile(f"[{_KANA}A-Z0-9 ()\\-]*")
_NAME_PERIOD_SLASH = re.compile(f"[{_KANA}A-Z0-9 ()\\-./]*")

_REQUESTER_ACCOUNT_TYPES = frozenset({"1", "2", "9"})  # 普通, 当座, その他
_PAYEE_ACCOUNT_TYPES = frozenset({"1", "2", "4", "9"})  # 普通, 当座, 貯蓄, その他
_NEW_CODES = frozenset({"0", "1", "2"})  # その他, 第1回振込, 変更分
_TRANSFER_KINDS = frozenset({"7", "8"})  # 電信, 文書


@dataclass(frozen=True)
class Requester:
    """振込依頼人 (the city), written in the header.

    ``code``: 委託者コード assigned by the bank, 1–10 ASCII digits (zero-filled to 10). ``name_kana``: the
    requester's name, half-width and already normalised, non-empty (cut to 40 bytes). ``bank_code``: 4
    digits; ``branch_code``: 3 digits; their ``*_name_kana``: half-width kana (may be empty, cut to 15
    bytes). ``account_type``: ``"1"`` 普通, ``"2"`` 当座, ``"9"`` その他. ``account_number``: 1–7 digits.
    """

    code: str
    name_kana: str
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str


@dataclass(frozen=True)
class Transfer:
    """One payment (one data record).

    ``bank_code``: 4 digits; ``branch_code``: 3 digits; ``*_name_kana``: half-width kana (may be empty,
    cut to 15 bytes). ``account_type``: ``"1"`` 普通, ``"2"`` 当座, ``"4"`` 貯蓄, ``"9"`` その他.
    ``account_number``: 1–7 digits. ``payee_kana``: 受取人名, normalised 口座名義カナ, non-empty (cut to 30
    bytes). ``amount``: whole yen, an int from 1 to 9,999,999,999 (bool refused). ``new_code``: ``"0"``
    (other), ``"1"`` (first transfer), ``"2"`` (changed). ``customer_code1``/``customer_code2``: 0–10
    digits (顧客コード, zero-filled). ``transfer_kind``: ``"7"`` 電信, ``"8"`` 文書.
    """

    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str
    payee_kana: str
    amount: int
    new_code: str = "0"
    customer_code1: str = ""
    customer_code2: str = ""
    transfer_kind: str = "7"


@dataclass(frozen=True)
class ZenginOptions:
    """Settings to confirm with the city's bank (ZENGIN.md *option*).

    ``line_ending``: ``b"\\r\\n"`` after each record (default) or ``b""`` (none); anything else is refused.
    ``allow_period_slash``: also allow ``.`` and ``/`` in names.
    """

    line_ending: bytes = b"\r\n"
    allow_period_slash: bool = False


class ZenginError(ValueError):
    """A value cannot go into the file; nothing was written. ``str(error)`` is a Japanese message naming
    the record (1-based record number in the file: header 1, data records from 2) and the field.

    ``record_number`` and ``field`` (the Japanese field name) are None for an error that is not about one
    record (e.g. the options).
    """

    def __init__(self, message: str, *, record_number: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.record_number = record_number
        self.field = field


def _record_label(record_number: int) -> str:
    if record_number == 1:
        return "第1レコード（ヘッダー）"
    return f"第{record_number}レコード（データ{record_number - 1}件目）"


def _fail(record_number: int, field: str, problem: str) -> ZenginError:
    return ZenginError(
        f"{_record_label(record_number)}の{field}: {problem}", record_number=record_number, field=field
    )


def _digits(value: object, record: int, field: str, *, size: int, exact: bool, empty_ok: bool = False) -> bytes:
    """An N field: ASCII digits, zero-filled on the left to ``size`` bytes."""
    if type(value) is not str:
        raise _fail(record, field, f"文字列で指定してください（{type(value).__name__} が渡されました）。")
    if value and not (value.isascii() and value.isdigit()):
        raise _fail(record, field, f"「{value}」は半角数字ではありません。")
    if exact and len(value) != size:
        raise _fail(record, field, f"「{value}」は{size}桁の数字で指定してください。")
    if len(value) > size:
        raise _fail(record, field, f"「{value}」は{size}桁を超えています。")
    if not value and not empty_ok:
        raise _fail(record, field, "指定されていません。")
    return value.encode("ascii").rjust(size, b"0")


def _choice(value: object, record: int, field: str, choices: frozenset[str]) -> bytes:
    if type(value) is not str or value not in choices:
        raise _fail(record, field, f"「{value}」は使えません（{'、'.join(sorted(choices))} のいずれか）。")
    return value.encode("ascii")


class _Names:
    """Check and encode C (text) fields; remembers names already encoded (bank and branch names repeat)."""

    def __init__(self, allow_period_slash: bool) -> None:
        self._pattern = _NAME_PERIOD_SLASH if allow_period_slash else _NAME_DEFAULT
        self._symbols = "( ) - . /" if allow_period_slash else "( ) -"
        self._cache: dict[tuple[str, int], bytes] = {}

    def field(self, value: object, record: int, field: str, *, size: int, required: bool) -> bytes:
        """``value`` encoded, cut to ``size`` bytes and space-padded to ``size`` bytes."""
        if type(value) is str:
            cached = self._cache.get((value, size))
            if cached is not None:
                return cached
        else:
            raise _fail(record, field, f"文字列で指定してください（{type(value).__name__} が渡されました）。")
        if not self._pattern.fullmatch(value):
            position, char = next((i, c) for i, c in enumerate(value, 1) if not self._pattern.fullmatch(c))
            shown = f"「{char}」" if char.isprintable() else f"（U+{ord(char):04X}）"
            raise _fail(
                record,
                field,
                f"{position}文字目の{shown}は全銀ファイルに使えません"
                f"（使える文字: 半角カタカナ（小さい文字を除く）、英大文字、数字、スペース、{self._symbols}）。",
            )
        stray = stray_mark_position(value)
        if stray is not None:
            raise _fail(
                record,
                field,
                f"{stray}文字目の「{value[stray - 1]}」は前の文字に付けられません"
                "（濁点・半濁点が二重か、付けられない文字の後にあります）。",
            )
        if required and not value.strip(" "):
            raise _fail(record, field, "指定されていません。")
        # Every allowed character is one byte in cp932, so cutting by bytes never splits a character.
        encoded = value.encode(ENCODING)[:size].ljust(size, b" ")
        if len(self._cache) < 100_000:
            self._cache[(value, size)] = encoded
        return encoded


def _amount(value: object, record: int) -> int:
    if type(value) is not int:  # bool, float, Decimal and str are refused
        raise _fail(record, "振込金額", f"整数（円）で指定してください（{type(value).__name__} が渡されました）。")
    if not 1 <= value <= MAX_AMOUNT:
        raise _fail(record, "振込金額", f"{value:,}円は1円から{MAX_AMOUNT:,}円の範囲にしてください。")
    return value


def _header(requester: Requester, transfer_date: dt.date, names: _Names) -> bytes:
    r = 1
    if not isinstance(requester, Requester):
        raise _fail(r, "振込依頼人", f"Requester を指定してください（{type(requester).__name__} が渡されました）。")
    if isinstance(transfer_date, dt.datetime) or not isinstance(transfer_date, dt.date):
        raise _fail(r, "振込指定日", f"date を指定してください（{type(transfer_date).__name__} が渡されました）。")
    if not is_bank_business_day(transfer_date):
        raise _fail(r, "振込指定日", f"{transfer_date.isoformat()}は銀行の休業日です（土日・祝日・12/31〜1/3）。")
    return b"".join(
        (
            b"1",  # データ区分
            b"21",  # 種別コード: 総合振込
            b"0",  # コード区分: JIS
            _digits(requester.code, r, "振込依頼人コード", size=10, exact=False),
            names.field(requester.name_kana, r, "振込依頼人名", size=40, required=True),
            transfer_date.strftime("%m%d").encode("ascii"),  # 振込指定日 MMDD
            _digits(requester.bank_code, r, "仕向銀行番号", size=4, exact=True),
            names.field(requester.bank_name_kana, r, "仕向銀行名", size=15, required=False),
            _digits(requester.branch_code, r, "仕向支店番号", size=3, exact=True),
            names.field(requester.branch_name_kana, r, "仕向支店名", size=15, required=False),
            _choice(requester.account_type, r, "預金種目（依頼人）", _REQUESTER_ACCOUNT_TYPES),
            _digits(requester.account_number, r, "口座番号（依頼人）", size=7, exact=False),
            b" " * 17,  # ダミー
        )
    )


def _data(t: Transfer, r: int, names: _Names) -> tuple[bytes, int]:
    """The data record of ``t`` (record number ``r``) and its amount."""
    if not isinstance(t, Transfer):
        raise _fail(r, "振込データ", f"Transfer を指定してください（{type(t).__name__} が渡されました）。")
    amount = _amount(t.amount, r)
    record = b"".join(
        (
            b"2",  # データ区分
            _digits(t.bank_code, r, "被仕向銀行番号", size=4, exact=True),
            names.field(t.bank_name_kana, r, "被仕向銀行名", size=15, required=False),
            _digits(t.branch_code, r, "被仕向支店番号", size=3, exact=True),
            names.field(t.branch_name_kana, r, "被仕向支店名", size=15, required=False),
            b"0000",  # 手形交換所番号
            _choice(t.account_type, r, "預金種目", _PAYEE_ACCOUNT_TYPES),
            _digits(t.account_number, r, "口座番号", size=7, exact=False),
            names.field(t.payee_kana, r, "受取人名", size=30, required=True),
            b"%010d" % amount,  # 振込金額
            _choice(t.new_code, r, "新規コード", _NEW_CODES),
            _digits(t.customer_code1, r, "顧客コード1", size=10, exact=False, empty_ok=True),
            _digits(t.customer_code2, r, "顧客コード2", size=10, exact=False, empty_ok=True),
            _choice(t.transfer_kind, r, "振込指定区分", _TRANSFER_KINDS),
            b" ",  # 識別表示
            b" " * 7,  # ダミー
        )
    )
    return record, amount


def _check_lengths(records: Iterable[bytes]) -> None:
    for record in records:
        if len(record) != RECORD_LENGTH:  # a bug in this module, never the caller's data
            raise AssertionError(f"record of {len(record)} bytes: {record!r}")


@overload
def write_sogo_furikomi(
    requester: Requester, transfer_date: dt.date, transfers: Iterable[Transfer], options: ZenginOptions = ...,
    out: None = None,
) -> bytes: ...


@overload
def write_sogo_furikomi(
    requester: Requester, transfer_date: dt.date, transfers: Iterable[Transfer], options: ZenginOptions = ...,
    *, out: IO[bytes],
) -> None: ...


@overload
def write_sogo_furikomi(
    requester: Requester, transfer_date: dt.date, transfers: Iterable[Transfer], options: ZenginOptions,
    out: IO[bytes],
) -> None: ...


def write_sogo_furikomi(
    requester: Requester,
    transfer_date: dt.date,
    transfers: Iterable[Transfer],
    options: ZenginOptions = ZenginOptions(),
    out: IO[bytes] | None = None,
) -> bytes | None:
    """Write a 総合振込 file: header, one data record per transfer (in the given order), trailer, end.

    ``transfer_date``: 振込指定日, a ``date`` that is a bank business day (grants.core.bankdays), written
    as MMDD. ``transfers``: any iterable, consumed once; at least one transfer. ``options``: line ending
    and the ``. /`` characters. Returns the whole file as bytes when ``out`` is None; otherwise writes it
    to the binary stream ``out`` in chunks and returns None.

    Every record is validated and encoded before the first byte goes to ``out`` (the records, 120 bytes
    each, are held in memory meanwhile), so a refusal leaves ``out`` untouched. Raises ZenginError
    (Japanese message naming the record number and field) for a value the file cannot hold, no transfers,
    more than 999,999 records or a total above 999,999,999,999 yen, or a line ending other than CRLF or
    none.
    """
    if not isinstance(options, ZenginOptions):
        raise ZenginError(f"ZenginOptions を指定してください（{type(options).__name__} が渡されました）。")
    if options.line_ending not in LINE_ENDINGS:
        raise ZenginError(f"改行コード {options.line_ending!r} は使えません（CRLF か、改行なしのみ）。")
    names = _Names(options.allow_period_slash)

    header = _header(requester, transfer_date, names)
    records: list[bytes] = []
    total = 0
    for r, transfer in enumerate(transfers, start=2):
        record, amount = _data(transfer, r, names)
        records.append(record)
        total += amount
    count = len(records)
    if count == 0:
        raise ZenginError("振込データが1件もありません。")
    if count > MAX_RECORDS:
        raise ZenginError(f"振込データは{MAX_RECORDS:,}件までです（{count:,}件あります）。")
    if total > MAX_TOTAL:
        raise ZenginError(f"合計金額{total:,}円がトレーラーレコードの合計金額（12桁）を超えています。")
    trailer = b"8%06d%012d" % (count, total) + b" " * 101
    end = b"9" + b" " * 119
    _check_lengths((header, trailer, end))
    _check_lengths(records)

    eol = options.line_ending
    if out is None:
        return eol.join((header, *records, trailer, end)) + eol
    out.write(header + eol)
    chunk = 8192
    for start in range(0, count, chunk):
        out.write(eol.join(records[start : start + chunk]) + eol)
    out.write(trailer + eol + end + eol)
    return None
