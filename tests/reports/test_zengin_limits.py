"""The 全銀 総合振込 writer at its limits: amounts (max, max+1, bool, float), names (small kana, ー, full-width,
emoji, 31 bytes), the trailer's count and sum, line endings, and the batch file through TransferSettings."""
import datetime as dt
import io

import pytest

from grants.core.bankdays import next_bank_business_day
from reports.zengin import MAX_AMOUNT, MAX_TOTAL, Requester, Transfer, ZenginError, ZenginOptions, write_sogo_furikomi
from tests.reports.zengin_parser import parse_zengin

DAY = next_bank_business_day(dt.date(2030, 4, 10))


REQ = Requester(code="123", name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", bank_name_kana="ﾔﾏｸﾞﾁ", branch_code="001",
                branch_name_kana="ﾎﾝﾃﾝ", account_type="1", account_number="1234567")


def transfer(**overrides: object) -> Transfer:
    values: dict[str, object] = dict(bank_code="0170", bank_name_kana="ﾔﾏｸﾞﾁ", branch_code="001",
                                     branch_name_kana="ﾎﾝﾃﾝ", account_type="1", account_number="7654321",
                                     payee_kana="ｵｵﾄﾉ ｼﾞﾁｶｲ", amount=70_000)
    values.update(overrides)
    return Transfer(**values)  # type: ignore[arg-type]


def test_max_amount_fits_and_sums_in_trailer() -> None:
    data = write_sogo_furikomi(REQ, DAY, [transfer(amount=MAX_AMOUNT), transfer(amount=1)])
    header, first, second, trailer, end = parse_zengin(data)
    assert first["振込金額"] == "9999999999" and second["振込金額"] == "0000000001"
    assert (trailer["合計件数"], trailer["合計金額"]) == ("000002", "010000000000")
    assert end["データ区分"] == "9"


@pytest.mark.parametrize("amount", [MAX_AMOUNT + 1, 0, -1, True, False, 1.0, "100", None, 10**30])
def test_amounts_outside_the_field_are_refused(amount: object) -> None:
    with pytest.raises(ZenginError, match="振込金額"):
        write_sogo_furikomi(REQ, DAY, [transfer(amount=amount)])


def test_total_above_trailer_field_is_refused_and_writes_nothing() -> None:
    count = MAX_TOTAL // MAX_AMOUNT + 1
    out = io.BytesIO()
    with pytest.raises(ZenginError, match="合計金額"):
        write_sogo_furikomi(REQ, DAY, (transfer(amount=MAX_AMOUNT) for _ in range(count)), out=out)
    assert out.getvalue() == b""


def test_trailer_sum_of_many_records_matches() -> None:
    amounts = [1, 20_000, 70_000, 9_999_999_999, 12_345]
    records = parse_zengin(write_sogo_furikomi(REQ, DAY, [transfer(amount=a) for a in amounts]))
    data = [r for r in records if r["データ区分"] == "2"]
    assert sum(int(r["振込金額"]) for r in data) == int(records[-2]["合計金額"]) == sum(amounts)
    assert int(records[-2]["合計件数"]) == len(amounts)


@pytest.mark.parametrize("name", [
    "ｷｬｸ", "ｵｰﾄ", "ヤマグチ", "ﾔﾏｸﾞﾁ😀", "ﾔﾏ\u3000ｸﾞﾁ", "ﾔﾏ\u00a0ｸﾞﾁ", "ﾔﾏ\u200dｸﾞﾁ", "yamaguchi", "ｦﾀ",
    "ﾔﾏ.ｸﾞﾁ", "ﾔﾏ/ｸﾞﾁ", "ﾔﾏ\r\nｸﾞﾁ", "ﾔﾏｸﾞﾁ\n", "Ⅻ", "（ｶ）", "ﾔﾏ\u0301", "", "   ",
])
def test_names_outside_the_set_are_refused(name: str) -> None:
    with pytest.raises(ZenginError, match="受取人名"):
        write_sogo_furikomi(REQ, DAY, [transfer(payee_kana=name)])


def test_period_and_slash_only_with_the_option() -> None:
    data = write_sogo_furikomi(REQ, DAY, [transfer(payee_kana="ﾔﾏ.ｸﾞﾁ/A")], ZenginOptions(allow_period_slash=True))
    assert parse_zengin(data)[1]["受取人名"] == "ﾔﾏ.ｸﾞﾁ/A"


def test_31_byte_name_is_cut_at_30_bytes_and_records_stay_120() -> None:
    name = "ｶﾞ" * 15 + "ｱ"  # 31 bytes
    records = parse_zengin(write_sogo_furikomi(REQ, DAY, [transfer(payee_kana=name)]))
    assert records[1]["受取人名"] == "ｶﾞ" * 15
    assert all(len(r["_bytes"]) == 120 for r in records)
    assert records[1]["振込金額"] == "0000070000"  # the amount did not move


def test_blank_cache_does_not_let_an_empty_payee_through_after_an_empty_bank_name() -> None:
    """Names are cached by (text, size): an empty bank name (allowed) must not make an empty payee pass."""
    with pytest.raises(ZenginError, match="受取人名"):
        write_sogo_furikomi(REQ, DAY, [transfer(bank_name_kana="", payee_kana="ｱ"), transfer(payee_kana="")])


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\n\r", b"\r\n\r\n", "\r\n"])
def test_other_line_endings_are_refused(eol: object) -> None:
    with pytest.raises(ZenginError, match="改行"):
        write_sogo_furikomi(REQ, DAY, [transfer()], ZenginOptions(line_ending=eol))  # type: ignore[arg-type]


def test_no_line_ending_is_a_multiple_of_120() -> None:
    data = write_sogo_furikomi(REQ, DAY, [transfer(), transfer()], ZenginOptions(line_ending=b""))
    assert len(data) == 5 * 120 and b"\r" not in data and b"\n" not in data
    assert len(parse_zengin(data, line_ending=b"")) == 5


def test_streamed_file_equals_returned_bytes() -> None:
    transfers = [transfer(amount=i + 1) for i in range(9000)]
    out = io.BytesIO()
    assert write_sogo_furikomi(REQ, DAY, iter(transfers), out=out) is None
    assert out.getvalue() == write_sogo_furikomi(REQ, DAY, transfers)


@pytest.mark.parametrize("day", [dt.date(2030, 12, 31), dt.date(2031, 1, 1), dt.date(2030, 4, 13),
                                 dt.datetime(2030, 4, 10, 9, 0, tzinfo=dt.UTC)])
def test_closed_days_and_datetimes_are_refused(day: dt.date) -> None:
    with pytest.raises((ZenginError, TypeError)):
        write_sogo_furikomi(REQ, day, [transfer()])


@pytest.mark.parametrize("field,value", [
    ("bank_code", "170"), ("bank_code", "０１７０"), ("branch_code", "1"), ("account_number", "12345678"),
    ("account_number", "１２３４５６７"), ("account_type", "3"), ("account_type", 1), ("customer_code1", "12345678901"),
    ("new_code", "3"), ("transfer_kind", "9"), ("bank_code", "01 7"),
])
def test_bad_codes_are_refused(field: str, value: object) -> None:
    with pytest.raises(ZenginError):
        write_sogo_furikomi(REQ, DAY, [transfer(**{field: value})])


def test_zero_transfers_are_refused() -> None:
    with pytest.raises(ZenginError, match="1件も"):
        write_sogo_furikomi(REQ, DAY, [])
