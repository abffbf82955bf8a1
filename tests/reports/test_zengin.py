"""The 総合振込 writer against the layout of shared/domain/ZENGIN.md, read back by an independent
field-by-field parser (tests/reports/zengin_parser.py) and against hand-checked literal records."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest

from grants.organizations.kana import allowed_characters, bank_name_kana, branch_name_kana, normalize_account_name
from reports import zengin
from reports.zengin import Requester, Transfer, ZenginError, ZenginOptions, write_sogo_furikomi
from tests.reports.zengin_parser import parse_record, parse_zengin, split_records

DAY = dt.date(2027, 1, 4)  # Monday, the first bank business day of 2027

# 山口市 as 振込依頼人, paying from 山口銀行 本店営業部 (0170-001), 普通 0012345
CITY = Requester(
    code="351234",
    name_kana="ﾔﾏｸﾞﾁｼ",
    bank_code="0170",
    bank_name_kana="ﾔﾏｸﾞﾁ",
    branch_code="001",
    branch_name_kana="ﾎﾝﾃﾝ",
    account_type="1",
    account_number="12345",
)
# 大殿第1自治会 at 山口銀行 本店営業部, 普通 1234567, ¥129,600
OODONO = Transfer(
    bank_code="0170",
    bank_name_kana="ﾔﾏｸﾞﾁ",
    branch_code="001",
    branch_name_kana="ﾎﾝﾃﾝ",
    account_type="1",
    account_number="1234567",
    payee_kana="ｵｵﾄﾞﾉﾀﾞｲ1ｼﾞﾁｶｲ",
    amount=129_600,
)
# a company at ゆうちょ銀行 〇一九店 (9900-019), 当座 0012345, ¥1,000,000, first transfer, 顧客コード1 123
YUCHO = Transfer(
    bank_code="9900",
    bank_name_kana="ﾕｳﾁﾖ",
    branch_code="019",
    branch_name_kana="ｾﾞﾛｲﾁｷﾕｳ",
    account_type="2",
    account_number="12345",
    payee_kana="ｶ)ﾔﾏｸﾞﾁｹﾝｾﾂ",
    amount=1_000_000,
    new_code="1",
    customer_code1="123",
)

# JIS X 0201 bytes, checked by hand against the code table (ｱ = 0xB1 … ﾝ = 0xDD, ﾞ = 0xDE, ﾟ = 0xDF).
YAMAGUCHI = b"\xd4\xcf\xb8\xde\xc1"  # ﾔ ﾏ ｸ ﾞ ﾁ
HONTEN = b"\xce\xdd\xc3\xdd"  # ﾎ ﾝ ﾃ ﾝ

HEADER = (
    b"1"  # 1 データ区分
    b"21"  # 2-3 種別コード 総合振込
    b"0"  # 4 コード区分 JIS
    b"0000351234"  # 5-14 振込依頼人コード, zero-filled
    + YAMAGUCHI + b"\xbc" + b" " * 34  # 15-54 振込依頼人名 ﾔﾏｸﾞﾁｼ (6 bytes) + 34 spaces
    + b"0104"  # 55-58 振込指定日 MMDD
    b"0170"  # 59-62 仕向銀行番号
    + YAMAGUCHI + b" " * 10  # 63-77 仕向銀行名 (5 + 10)
    + b"001"  # 78-80 仕向支店番号
    + HONTEN + b" " * 11  # 81-95 仕向支店名 (4 + 11)
    + b"1"  # 96 預金種目 普通
    b"0012345"  # 97-103 口座番号, zero-filled
    + b" " * 17  # 104-120 ダミー
)
DATA_OODONO = (
    b"2"  # 1 データ区分
    b"0170"  # 2-5 被仕向銀行番号
    + YAMAGUCHI + b" " * 10  # 6-20 被仕向銀行名
    + b"001"  # 21-23 被仕向支店番号
    + HONTEN + b" " * 11  # 24-38 被仕向支店名
    + b"0000"  # 39-42 手形交換所番号
    b"1"  # 43 預金種目 普通
    b"1234567"  # 44-50 口座番号
    b"\xb5\xb5\xc4\xde\xc9\xc0\xde\xb2"  # 51- 受取人名 ｵ ｵ ﾄ ﾞ ﾉ ﾀ ﾞ ｲ
    b"1"  # 1
    b"\xbc\xde\xc1\xb6\xb2"  # ｼ ﾞ ﾁ ｶ ｲ  (14 bytes in all)
    + b" " * 16  # -80 padding to 30 bytes
    + b"0000129600"  # 81-90 振込金額 ¥129,600
    b"0"  # 91 新規コード
    b"0000000000"  # 92-101 顧客コード1
    b"0000000000"  # 102-111 顧客コード2
    b"7"  # 112 振込指定区分 電信
    b" "  # 113 識別表示
    b"       "  # 114-120 ダミー
)
DATA_YUCHO = (
    b"2"
    b"9900"  # ゆうちょ銀行
    b"\xd5\xb3\xc1\xd6" + b" " * 11  # ﾕ ｳ ﾁ ﾖ
    + b"019"
    + b"\xbe\xde\xdb\xb2\xc1\xb7\xd5\xb3" + b" " * 7  # ｾ ﾞ ﾛ ｲ ﾁ ｷ ﾕ ｳ
    + b"0000"
    b"2"  # 当座
    b"0012345"
    b"\xb6)" + YAMAGUCHI + b"\xb9\xdd\xbe\xc2" + b" " * 19  # ｶ ) ﾔﾏｸﾞﾁ ｹ ﾝ ｾ ﾂ (11 bytes) + 19
    + b"0001000000"  # ¥1,000,000
    b"1"  # 新規コード: first transfer
    b"0000000123"  # 顧客コード1
    b"0000000000"
    b"7"
    b" "
    b"       "
)
TRAILER = b"8" b"000002" b"000001129600" + b" " * 101  # 2 records, ¥1,129,600
END = b"9" + b" " * 119


def write(transfers: list[Transfer], **options: object) -> bytes:
    data = write_sogo_furikomi(CITY, DAY, transfers, ZenginOptions(**options))  # type: ignore[arg-type]
    assert isinstance(data, bytes)
    return data


def test_hand_checked_records_byte_for_byte() -> None:
    for record in (HEADER, DATA_OODONO, DATA_YUCHO, TRAILER, END):
        assert len(record) == 120
    assert write([OODONO, YUCHO]) == HEADER + b"\r\n" + DATA_OODONO + b"\r\n" + DATA_YUCHO + b"\r\n" + (
        TRAILER + b"\r\n" + END + b"\r\n"
    )


def test_hand_checked_records_read_back_field_by_field() -> None:
    header, oodono, yucho, trailer, end = parse_zengin(write([OODONO, YUCHO]))
    assert {k: v for k, v in header.items() if k != "_bytes"} == {
        "データ区分": "1", "種別コード": "21", "コード区分": "0", "振込依頼人コード": "0000351234",
        "振込依頼人名": "ﾔﾏｸﾞﾁｼ", "振込指定日": "0104", "仕向銀行番号": "0170", "仕向銀行名": "ﾔﾏｸﾞﾁ",
        "仕向支店番号": "001", "仕向支店名": "ﾎﾝﾃﾝ", "預金種目": "1", "口座番号": "0012345", "ダミー": "",
    }
    assert {k: v for k, v in oodono.items() if k != "_bytes"} == {
        "データ区分": "2", "被仕向銀行番号": "0170", "被仕向銀行名": "ﾔﾏｸﾞﾁ", "被仕向支店番号": "001",
        "被仕向支店名": "ﾎﾝﾃﾝ", "手形交換所番号": "0000", "預金種目": "1", "口座番号": "1234567",
        "受取人名": "ｵｵﾄﾞﾉﾀﾞｲ1ｼﾞﾁｶｲ", "振込金額": "0000129600", "新規コード": "0", "顧客コード1": "0000000000",
        "顧客コード2": "0000000000", "振込指定区分": "7", "識別表示": "", "ダミー": "",
    }
    assert (yucho["被仕向銀行名"], yucho["被仕向支店名"], yucho["受取人名"]) == ("ﾕｳﾁﾖ", "ｾﾞﾛｲﾁｷﾕｳ", "ｶ)ﾔﾏｸﾞﾁｹﾝｾﾂ")
    assert (yucho["預金種目"], yucho["口座番号"], yucho["新規コード"], yucho["顧客コード1"]) == (
        "2", "0012345", "1", "0000000123"
    )
    assert (trailer["合計件数"], trailer["合計金額"]) == ("000002", "000001129600")
    assert end["データ区分"] == "9" and end["_bytes"] == END


def test_names_from_zengin_code_match_the_hand_written_ones() -> None:
    assert (bank_name_kana("0170"), branch_name_kana("0170", "001")) == ("ﾔﾏｸﾞﾁ", "ﾎﾝﾃﾝ")
    assert (bank_name_kana("9900"), branch_name_kana("9900", "019")) == ("ﾕｳﾁﾖ", "ｾﾞﾛｲﾁｷﾕｳ")


def many(n: int) -> list[Transfer]:
    """``n`` varied transfers: different banks, branches, account types, names with voiced marks."""
    banks = [("0170", "001"), ("9900", "019"), ("0570", "001"), ("1780", "001")]
    out = []
    for i in range(n):
        bank, branch = banks[i % len(banks)]
        out.append(
            Transfer(
                bank_code=bank,
                bank_name_kana=bank_name_kana(bank),
                branch_code=branch,
                branch_name_kana=branch_name_kana(bank, branch),
                account_type="14"[i % 2],
                account_number=f"{i * 7919 % 10_000_000:07d}",
                payee_kana=f"ﾀﾞｲ{i}ｼﾞﾁｶｲ ﾊﾟ-ｸ",
                amount=1 + i * 7_919 % 2_000_000,
                new_code="012"[i % 3],
                customer_code1=str(i),
                customer_code2=str(i * 3)[:10],
                transfer_kind="78"[i % 2],
            )
        )
    return out


@pytest.mark.parametrize("line_ending", [b"\r\n", b""])
def test_every_record_is_120_bytes_with_the_line_ending_after_each(line_ending: bytes) -> None:
    transfers = many(25)
    data = write(transfers, line_ending=line_ending)
    assert len(data) == 28 * (120 + len(line_ending))
    records = split_records(data, line_ending)
    assert len(records) == 28 and all(len(r) == 120 for r in records)
    if line_ending:
        assert data.count(b"\r\n") == 28 and data.endswith(b"\r\n")
        assert data.replace(b"\r\n", b"").count(b"\r") == 0 and data.replace(b"\r\n", b"").count(b"\n") == 0
    else:
        assert b"\r" not in data and b"\n" not in data
    assert [r[:1] for r in records] == [b"1"] + [b"2"] * 25 + [b"8", b"9"]


def test_data_records_carry_each_transfer_and_the_trailer_sums_them() -> None:
    transfers = many(50)
    header, *data, trailer, end = parse_zengin(write(transfers))
    assert len(data) == 50
    for t, rec in zip(transfers, data, strict=True):
        assert rec["被仕向銀行番号"] == t.bank_code and rec["被仕向支店番号"] == t.branch_code
        assert rec["被仕向銀行名"] == t.bank_name_kana[:15] and rec["被仕向支店名"] == t.branch_name_kana[:15]
        assert rec["預金種目"] == t.account_type and rec["口座番号"] == t.account_number
        assert rec["受取人名"] == t.payee_kana and int(rec["振込金額"]) == t.amount  # type: ignore[arg-type]
        assert rec["新規コード"] == t.new_code and rec["振込指定区分"] == t.transfer_kind
        assert int(rec["顧客コード1"]) == int(t.customer_code1)  # type: ignore[arg-type]
        assert rec["顧客コード1"] == t.customer_code1.zfill(10) and rec["顧客コード2"] == t.customer_code2.zfill(10)
        assert rec["手形交換所番号"] == "0000" and rec["識別表示"] == ""
    assert int(trailer["合計件数"]) == len(data) == 50  # type: ignore[arg-type]
    assert int(trailer["合計金額"]) == sum(int(r["振込金額"]) for r in data) == sum(t.amount for t in transfers)  # type: ignore[arg-type]
    assert end["ダミー"] == ""


def test_stream_and_bytes_are_identical_and_a_generator_is_enough() -> None:
    transfers = many(20_000)
    whole = write(transfers)
    out = io.BytesIO()
    assert write_sogo_furikomi(CITY, DAY, (t for t in transfers), out=out) is None
    assert out.getvalue() == whole


def test_names_longer_than_their_field_are_cut_by_bytes() -> None:
    long_payee = "ｶﾞｷﾞｸﾞｹﾞｺﾞ" * 4  # 40 bytes: each voiced mark is its own byte
    long_bank = "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"  # 20 bytes
    t = dataclasses.replace(OODONO, payee_kana=long_payee, bank_name_kana=long_bank, branch_name_kana=long_bank)
    requester = dataclasses.replace(CITY, name_kana="ﾔ" * 45)
    data = write_sogo_furikomi(requester, DAY, [t])
    assert isinstance(data, bytes)
    header, rec, *_ = parse_zengin(data)
    assert rec["受取人名"] == long_payee[:30] == "ｶﾞｷﾞｸﾞｹﾞｺﾞ" * 3
    assert rec["被仕向銀行名"] == rec["被仕向支店名"] == "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟﾊﾟﾋﾟﾌ"  # 15 bytes, cut before a ﾟ
    assert header["振込依頼人名"] == "ﾔ" * 40
    # the cut did not shift the fields after it
    assert rec["振込金額"] == "0000129600" and rec["_bytes"][80:90] == b"0000129600"  # type: ignore[index]


def test_exactly_30_bytes_fill_the_field() -> None:
    name = "ｶﾞ" * 15  # 30 bytes
    rec = parse_zengin(write([dataclasses.replace(OODONO, payee_kana=name)]))[1]
    assert rec["受取人名"] == name
    assert rec["_bytes"][50:80] == b"\xb6\xde" * 15  # type: ignore[index]


def test_amount_limits() -> None:
    recs = parse_zengin(write([dataclasses.replace(OODONO, amount=9_999_999_999), dataclasses.replace(OODONO, amount=1)]))
    assert (recs[1]["振込金額"], recs[2]["振込金額"]) == ("9999999999", "0000000001")
    assert recs[3]["合計金額"] == "010000000000"
    # 100 × the largest amount still fits the trailer's 12 digits, 101 do not
    assert parse_zengin(write([dataclasses.replace(OODONO, amount=9_999_999_999)] * 100))[-2]["合計金額"] == (
        "999999999900"
    )
    with pytest.raises(ZenginError, match="合計金額"):
        write([dataclasses.replace(OODONO, amount=9_999_999_999)] * 101)


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"payee_kana": "ﾔﾏｸﾞﾁ漢"}, "受取人名", "6文字目の「漢」"),
        ({"payee_kana": "ﾔﾏｸﾞﾁﾀﾛｳ😀"}, "受取人名", "「😀」"),
        ({"payee_kana": "ﾔﾏｸﾞﾁｯ"}, "受取人名", "「ｯ」"),  # small kana
        ({"payee_kana": "ﾔﾏｸﾞﾁ ﾀﾛｰ"}, "受取人名", "「ｰ」"),  # half-width long vowel: must be "-"
        ({"payee_kana": "ｦｶﾞﾜ"}, "受取人名", "「ｦ」"),
        ({"payee_kana": "yamaguchi"}, "受取人名", "「y」"),  # lower case is not normalised here
        ({"payee_kana": "ヤマグチ"}, "受取人名", "「ヤ」"),  # full-width
        ({"payee_kana": "ﾔﾏｸﾞﾁ.ﾀﾛｳ"}, "受取人名", "「.」"),
        ({"payee_kana": "ﾔﾏｸﾞﾁ/ﾀﾛｳ"}, "受取人名", "「/」"),
        ({"payee_kana": "ﾔﾏｸﾞﾁ\tﾀﾛｳ"}, "受取人名", "U+0009"),
        # a stray or double voiced mark stored before the normaliser refused it (issue 12, part 8)
        ({"payee_kana": "ﾔﾏｱﾞ"}, "受取人名", "4文字目の「ﾞ」は前の文字に付けられません"),
        ({"payee_kana": "ｶﾞﾞｸｴﾝ"}, "受取人名", "3文字目の「ﾞ」は前の文字に付けられません"),
        ({"payee_kana": "ﾟﾔﾏ"}, "受取人名", "1文字目の「ﾟ」は前の文字に付けられません"),
        ({"payee_kana": "ﾔﾏ ﾞｸﾞﾁ"}, "受取人名", "4文字目の「ﾞ」"),
        ({"branch_name_kana": "ﾎﾝﾃﾝﾞ"}, "被仕向支店名", "5文字目の「ﾞ」"),
        ({"payee_kana": ""}, "受取人名", "指定されていません"),
        ({"payee_kana": "   "}, "受取人名", "指定されていません"),
        ({"payee_kana": None}, "受取人名", "文字列"),
        ({"bank_name_kana": "ﾔﾏｸﾞﾁｷﾞﾝｺｳ銀"}, "被仕向銀行名", "「銀」"),
        ({"branch_name_kana": "ﾎﾝﾃﾝ\u3000"}, "被仕向支店名", "U+3000"),
        ({"amount": 0}, "振込金額", "1円から"),
        ({"amount": -1}, "振込金額", "1円から"),
        ({"amount": 10_000_000_000}, "振込金額", "9,999,999,999円"),
        ({"amount": True}, "振込金額", "bool"),
        ({"amount": 129_600.0}, "振込金額", "float"),
        ({"amount": Decimal("129600")}, "振込金額", "Decimal"),
        ({"amount": "129600"}, "振込金額", "str"),
        ({"bank_code": "170"}, "被仕向銀行番号", "4桁"),
        ({"bank_code": "01700"}, "被仕向銀行番号", "4桁"),
        ({"bank_code": "０１７０"}, "被仕向銀行番号", "半角数字"),
        ({"bank_code": 170}, "被仕向銀行番号", "文字列"),
        ({"branch_code": "01"}, "被仕向支店番号", "3桁"),
        ({"branch_code": "0a1"}, "被仕向支店番号", "半角数字"),
        ({"account_number": "12345678"}, "口座番号", "7桁"),
        ({"account_number": ""}, "口座番号", "指定されていません"),
        ({"account_number": "123-456"}, "口座番号", "半角数字"),
        ({"account_type": "3"}, "預金種目", "「3」"),
        ({"new_code": "3"}, "新規コード", "「3」"),
        ({"customer_code1": "12345678901"}, "顧客コード1", "10桁"),
        ({"customer_code2": "ABC"}, "顧客コード2", "半角数字"),
        ({"transfer_kind": "9"}, "振込指定区分", "「9」"),
    ],
)
def test_bad_transfer_values_are_refused_naming_record_and_field(
    changes: dict[str, object], field: str, fragment: str
) -> None:
    bad = dataclasses.replace(OODONO, **changes)  # type: ignore[arg-type]
    out = io.BytesIO()
    with pytest.raises(ZenginError) as caught:
        write_sogo_furikomi(CITY, DAY, [OODONO, YUCHO, bad, OODONO], out=out)
    error = caught.value
    assert str(error).startswith(f"第4レコード（データ3件目）の{field}: "), str(error)
    assert fragment in str(error)
    assert (error.record_number, error.field) == (4, field)
    assert out.getvalue() == b""


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"code": "12345678901"}, "振込依頼人コード", "10桁"),
        ({"code": ""}, "振込依頼人コード", "指定されていません"),
        ({"name_kana": ""}, "振込依頼人名", "指定されていません"),
        ({"name_kana": "山口市"}, "振込依頼人名", "1文字目の「山」"),
        ({"bank_code": "17"}, "仕向銀行番号", "4桁"),
        ({"branch_code": "1"}, "仕向支店番号", "3桁"),
        ({"account_type": "4"}, "預金種目（依頼人）", "「4」"),  # 貯蓄 is for payees only
        ({"account_number": "12345678"}, "口座番号（依頼人）", "7桁"),
        ({"bank_name_kana": "ﾔﾏｸﾞﾁ ｷﾞﾝｺｳ!"}, "仕向銀行名", "「!」"),
    ],
)
def test_bad_requester_values_are_refused(changes: dict[str, str], field: str, fragment: str) -> None:
    with pytest.raises(ZenginError) as caught:
        write_sogo_furikomi(dataclasses.replace(CITY, **changes), DAY, [OODONO])
    assert str(caught.value).startswith(f"第1レコード（ヘッダー）の{field}: "), str(caught.value)
    assert fragment in str(caught.value)
    assert caught.value.record_number == 1


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        (dt.date(2027, 1, 1), "休業日"),  # 元日
        (dt.date(2026, 12, 31), "休業日"),  # year-end closure
        (dt.date(2027, 1, 11), "休業日"),  # 成人の日
        (dt.date(2027, 1, 9), "休業日"),  # Saturday
        (dt.datetime(2027, 1, 4, 9, 0), "datetime"),  # noqa: DTZ001
        ("0104", "str"),
    ],
)
def test_transfer_date_must_be_a_bank_business_day(day: object, fragment: str) -> None:
    with pytest.raises(ZenginError, match=f"振込指定日: .*{fragment}"):
        write_sogo_furikomi(CITY, day, [OODONO])  # type: ignore[arg-type]


def test_transfer_date_is_written_as_mmdd() -> None:
    data = write_sogo_furikomi(CITY, dt.date(2026, 11, 24), [OODONO])
    assert isinstance(data, bytes)
    assert parse_zengin(data)[0]["振込指定日"] == "1124"


def test_other_refusals() -> None:
    with pytest.raises(ZenginError, match="1件もありません"):
        write([])
    with pytest.raises(ZenginError, match="改行コード"):
        write([OODONO], line_ending=b"\n")
    with pytest.raises(ZenginError, match="改行コード"):
        write([OODONO], line_ending=b"\r")
    with pytest.raises(ZenginError, match="第2レコード（データ1件目）の振込データ"):
        write(["not a transfer"])  # type: ignore[list-item]


class RecordingStream(io.BytesIO):
    """A binary stream that remembers each ``write``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.calls += 1
        return super().write(data)


def test_a_bad_name_late_in_a_generator_is_refused_before_any_byte_is_written() -> None:
    consumed = 0

    def transfers() -> Iterator[Transfer]:
        nonlocal consumed
        for i, t in enumerate(many(50_000)):
            consumed += 1
            yield dataclasses.replace(t, payee_kana="ﾔﾏｸﾞﾁ 漢ｼﾞﾁｶｲ") if i == 49_999 else t

    out = RecordingStream()
    with pytest.raises(ZenginError, match=r"^第50001レコード（データ50000件目）の受取人名: 7文字目の「漢」"):
        write_sogo_furikomi(CITY, DAY, transfers(), out=out)
    assert consumed == 50_000
    assert out.calls == 0 and out.getvalue() == b""


def test_period_and_slash_only_with_the_option() -> None:
    t = dataclasses.replace(OODONO, payee_kana="ﾔﾏｸﾞﾁ.ｼ/ｼﾃﾝ", branch_name_kana="ｴｷﾏｴ.")
    with pytest.raises(ZenginError, match="被仕向支店名: 5文字目の「.」"):
        write([t])
    with pytest.raises(ZenginError, match="受取人名: 6文字目の「.」"):
        write([dataclasses.replace(t, branch_name_kana="ﾎﾝﾃﾝ")])
    rec = parse_zengin(write([t], allow_period_slash=True))[1]
    assert rec["受取人名"] == "ﾔﾏｸﾞﾁ.ｼ/ｼﾃﾝ" and rec["被仕向支店名"] == "ｴｷﾏｴ."
    assert rec["_bytes"][50:61] == b"\xd4\xcf\xb8\xde\xc1.\xbc/\xbc\xc3\xdd"  # type: ignore[index]
    # still refused with the option: comma and other symbols
    with pytest.raises(ZenginError, match="「,」"):
        write([dataclasses.replace(t, payee_kana="ﾔﾏｸﾞﾁ,ﾀﾛｳ")], allow_period_slash=True)


def test_cp932_round_trip_and_jis_x_0201_bytes() -> None:
    data = write(many(100))
    assert data.decode("cp932").encode("cp932") == data
    # half-width kana are the JIS X 0201 single bytes 0xB1–0xDF in cp932 (and in Shift_JIS)
    kana = "".join(chr(c) for c in range(0xFF71, 0xFFA0))
    assert kana.encode("cp932") == bytes(range(0xB1, 0xE0)) == kana.encode("shift_jis")
    # every allowed character is exactly one byte, so a byte cut is a character cut
    assert all(len(c.encode("cp932")) == 1 for c in allowed_characters(allow_period_slash=True))
    # a name decodes to itself: no character was widened or NFKC-normalised on the way
    for rec in parse_zengin(data)[1:-2]:
        assert str(rec["受取人名"]).startswith("ﾀﾞｲ")


def test_the_writer_accepts_exactly_the_characters_the_normaliser_produces() -> None:
    for allow in (False, True):
        allowed = allowed_characters(allow_period_slash=allow)
        pattern = zengin._NAME_PERIOD_SLASH if allow else zengin._NAME_DEFAULT
        accepted = {chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and pattern.fullmatch(chr(c))}
        assert accepted == allowed


@pytest.mark.parametrize(
    "entered", ["ヤマグチカブシキガイシャ", "特定非営利活動法人サポート", "やまぐち　たろう", "ｷｭｳ ｼｮｳｶｲ", "abc-123",
                # a long corporate name written out in full (37 and 41 characters) fits once abbreviated: 26 bytes
                "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク",
                "ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈｯﾄﾜｰｸ",
                "カ゛クエンハ゜ーク", "ウ\u3099イラ"]
)
def test_normalised_names_go_into_the_file_unchanged(entered: str) -> None:
    name = normalize_account_name(entered)
    assert parse_zengin(write([dataclasses.replace(OODONO, payee_kana=name)]))[1]["受取人名"] == name


def test_100k_transfers_make_100003_records() -> None:
    transfers = many(100_000)
    out = RecordingStream()
    assert write_sogo_furikomi(CITY, DAY, transfers, out=out) is None
    data = out.getvalue()
    assert out.calls > 2  # written in chunks
    assert len(data) == 100_003 * 122
    records = split_records(data)
    assert len(records) == 100_003
    assert records[0][:1] == b"1" and records[-2][:1] == b"8" and records[-1][:1] == b"9"
    assert sum(r[:1] == b"2" for r in records) == 100_000
    trailer = parse_record(records[-2])
    assert int(trailer["合計件数"]) == 100_000  # type: ignore[arg-type]
    assert int(trailer["合計金額"]) == sum(t.amount for t in transfers) == sum(  # type: ignore[arg-type]
        int(r[80:90]) for r in records[1:-2]
    )
