"""口座名義 normaliser attacked: every Unicode code point, combining marks, look-alikes, spaces, and byte
lengths. Whatever the input, the output is only ｱ–ﾝ ﾞ ﾟ A–Z 0–9 space ( ) - (and . / with the option), at
most 30 bytes, or an AccountNameError."""
import pytest

from grants.organizations.kana import AccountNameError, allowed_characters, normalize_account_name
from reports.zengin import Requester, Transfer, write_sogo_furikomi


def _check(text: str, *, allow_period_slash: bool = False) -> str | None:
    try:
        name = normalize_account_name(text, allow_period_slash=allow_period_slash)
    except AccountNameError:
        return None
    allowed = allowed_characters(allow_period_slash=allow_period_slash)
    assert all(c in allowed for c in name), (text, name)
    assert len(name.encode("cp932")) <= 30, (text, name)
    assert name == name.strip(" ") and "  " not in name, (text, name)
    return name


@pytest.mark.parametrize("allow_period_slash", [False, True])
def test_no_code_point_gets_outside_the_set(allow_period_slash: bool) -> None:
    """Exhaustive: each of the 1,112,064 scalar values between two ｱ."""
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        _check("ｱ" + chr(cp) + "ｱ", allow_period_slash=allow_period_slash)


@pytest.mark.parametrize("text", [
    "ヤマ\u0301グチ", "ｱ\u0300", "ﾔﾏ\u200dｸﾞﾁ", "ﾔﾏ\u200bｸﾞﾁ", "ﾔﾏ\u00a0ｸﾞﾁ", "\ufeffﾔﾏ", "ﾔﾏ\ufe0f",
    "ﾔﾏ😀", "Αβγ", "Ⅻ", "ⅱ", "㈱ﾔﾏ", "㍿", "ｦﾀ", "ヲ", "ヰ", "ゐ", "ヷ", "ﾔﾏ\tｸﾞﾁ", "ﾔﾏ\nｸﾞﾁ", "ﾔﾏ\x00",
    "\ue000ﾃｽﾄ", "ﾔﾏ\u2028", "・", "～", "＆", "ﾔﾏ.ｸﾞﾁ", "\u212a", "\u212b", "ß", "ﬁ", "ı",
])
def test_refused_inputs_name_the_character(text: str) -> None:
    with pytest.raises(AccountNameError) as info:
        normalize_account_name(text)
    assert info.value.position is not None and text[info.value.position - 1] == info.value.character


@pytest.mark.parametrize("text,expected", [
    ("ﾜﾞｲﾝ", "ﾜﾞｲﾝ"), ("ワ\u3099イン", "ﾜﾞｲﾝ"), ("ヴィラ", "ｳﾞｲﾗ"), ("ヵヶ", "ｶｹ"), ("ゕゖ", "ｶｹ"),
    ("ｷｬｸ", "ｷﾔｸ"), ("ｰ", "-"), ("ー", "-"), ("（カ）ヤマ", "(ｶ)ﾔﾏ"), ("ヤマ\u3000\u3000グチ", "ﾔﾏ ｸﾞﾁ"),
    ("\u3000ﾔﾏ\u3000", "ﾔﾏ"), ("ａｂｃ１２３", "ABC123"), ("ヤマグチ株式会社", "ﾔﾏｸﾞﾁ(ｶ"),
    ("株式会社ヤマグチ", "ｶ)ﾔﾏｸﾞﾁ"), ("ヤマ株式会社グチ", "ﾔﾏ(ｶ)ｸﾞﾁ"), ("かぶしきがいしゃやまぐち", "ｶ)ﾔﾏｸﾞﾁ"),
    ("ﾔﾏｸﾞﾁ\r\n", "ﾔﾏｸﾞﾁ"),
])
def test_normalised_forms(text: str, expected: str) -> None:
    assert normalize_account_name(text) == expected
    assert normalize_account_name(expected) == expected  # idempotent


@pytest.mark.parametrize("text,size", [
    ("ｱ" * 30, 30), ("ガ" * 15, 30), ("パ" * 15, 30), ("株式会社" + "ｱ" * 28, 30), ("ｱ" * 28 + "株式会社", 30),
])
def test_thirty_bytes_fit(text: str, size: int) -> None:
    assert len(normalize_account_name(text).encode("cp932")) == size


@pytest.mark.parametrize("text", ["ｱ" * 31, "ガ" * 15 + "ｱ", "ヴ" * 16, "株式会社" + "ｱ" * 29, "ｱ" * 29 + "株式会社",
                                  "ｱ" * 15 + "株式会社" + "ｱ" * 13])
def test_thirty_one_bytes_are_refused(text: str) -> None:
    with pytest.raises(AccountNameError, match="30バイト"):
        normalize_account_name(text)


@pytest.mark.parametrize("text", ["", " ", "\u3000", "\r\n", "株式会社", "カブシキガイシャ"])
def test_empty_or_only_a_corporate_word_is_refused(text: str) -> None:
    with pytest.raises(AccountNameError):
        normalize_account_name(text)


def test_type_errors() -> None:
    for value in (None, b"\xb1", 123, ["ｱ"]):
        with pytest.raises(TypeError):
            normalize_account_name(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["ヤマグチ株式会社", "ｷｬｸ", "ヴ" * 15, "ﾜﾞｲﾝ", "(ｶ)ﾔﾏ", "ﾔﾏ ｸﾞﾁ"])
def test_every_normalised_name_goes_into_the_file(text: str) -> None:
    import datetime as dt

    from grants.core.bankdays import next_bank_business_day

    name = normalize_account_name(text)
    requester = Requester(code="1", name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", bank_name_kana="", branch_code="001",
                          branch_name_kana="", account_type="1", account_number="1")
    transfer = Transfer(bank_code="0170", bank_name_kana="", branch_code="001", branch_name_kana="",
                        account_type="1", account_number="1", payee_kana=name, amount=1)
    data = write_sogo_furikomi(requester, next_bank_business_day(dt.date(2030, 4, 10)), [transfer])
    assert data[122 + 50:122 + 80].decode("cp932").rstrip(" ") == name
