"""口座名義カナ: normalisation to the 全銀 character set and refusal of what a bank cannot take
(shared/domain/ZENGIN.md "Bytes and characters")."""
import unicodedata

import pytest
import zengin_code
from django.core.exceptions import ValidationError

from grants.organizations.kana import (
    AccountNameError,
    BankCodeError,
    allowed_characters,
    bank_name_kana,
    branch_name_kana,
    normalize_account_name,
)
from reports.zengin import Requester, Transfer, write_sogo_furikomi
from tests import factories

ALLOWED_MESSAGE = "（使える文字: 半角カタカナ、英大文字、数字、スペース、( ) -）"


@pytest.mark.parametrize(
    ("entered", "expected"),
    [
        # small kana → large
        ("ｷｭｳ", "ｷﾕｳ"),
        ("キュウ", "ｷﾕｳ"),
        ("きゅう", "ｷﾕｳ"),
        ("ｧｨｩｪｫｯｬｭｮ", "ｱｲｳｴｵﾂﾔﾕﾖ"),
        ("ァィゥェォッャュョヮヵヶ", "ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ"),
        ("ぁぃぅぇぉっゃゅょゎ", "ｱｲｳｴｵﾂﾔﾕﾖﾜ"),
        ("ハットリ", "ﾊﾂﾄﾘ"),
        # full-width katakana / hiragana → half-width, voiced marks as their own byte
        ("ヤマグチ", "ﾔﾏｸﾞﾁ"),
        ("やまぐち", "ﾔﾏｸﾞﾁ"),
        ("ガギグゲゴ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ"),
        ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ヴ", "ｳﾞ"),
        ("ゔ", "ｳﾞ"),
        ("カ\u3099ッコウ", "ｶﾞﾂｺｳ"),  # combining voiced mark (NFD, e.g. pasted from macOS)
        ("ハ\u309aン", "ﾊﾟﾝ"),
        ("カ゛", "ｶﾞ"),  # a spacing voiced mark
        # already normalised: unchanged
        ("ﾔﾏｸﾞﾁｼﾞﾁｶｲ", "ﾔﾏｸﾞﾁｼﾞﾁｶｲ"),
        ("ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ", "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ"),
        ("ｶ)ﾔﾏｸﾞﾁ", "ｶ)ﾔﾏｸﾞﾁ"),
        ("ﾔﾏｸﾞﾁ(ｶ", "ﾔﾏｸﾞﾁ(ｶ"),
        ("ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ", "ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ"),
        ("ﾄｸﾋ)ｻﾎﾟ-ﾄ", "ﾄｸﾋ)ｻﾎﾟ-ﾄ"),
        # long vowel and dashes → "-"
        ("ー", "-"),
        ("ｰ", "-"),
        ("サポート", "ｻﾎﾟ-ﾄ"),
        ("ｻﾎﾟｰﾄ", "ｻﾎﾟ-ﾄ"),
        ("ア－イ―ウ‐エ−オ", "ｱ-ｲ-ｳ-ｴ-ｵ"),
        # latin: upper-case, half-width
        ("abc", "ABC"),
        ("ａｂｃ", "ABC"),
        ("ＡＢＣ１２３", "ABC123"),
        ("npo ｻﾎﾟ-ﾄ", "NPO ｻﾎﾟ-ﾄ"),
        ("（ヤマグチ）", "(ﾔﾏｸﾞﾁ)"),
        # spaces: full-width → half-width, collapsed, stripped
        ("ヤマグチ　タロウ", "ﾔﾏｸﾞﾁ ﾀﾛｳ"),
        ("  ヤマグチ 　 タロウ  ", "ﾔﾏｸﾞﾁ ﾀﾛｳ"),
        ("ヤマグチ タロウ\n", "ﾔﾏｸﾞﾁ ﾀﾛｳ"),
        # corporate words by position, kanji or kana
        ("カブシキガイシャヤマグチ", "ｶ)ﾔﾏｸﾞﾁ"),
        ("ヤマグチカブシキガイシャ", "ﾔﾏｸﾞﾁ(ｶ"),
        ("ヤマグチ株式会社シテン", "ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ"),
        ("株式会社ヤマグチ", "ｶ)ﾔﾏｸﾞﾁ"),
        ("ヤマグチ株式会社", "ﾔﾏｸﾞﾁ(ｶ"),
        ("かぶしきがいしゃやまぐち", "ｶ)ﾔﾏｸﾞﾁ"),
        ("ｶﾌﾞｼｷｶﾞｲｼｬﾔﾏｸﾞﾁ", "ｶ)ﾔﾏｸﾞﾁ"),
        ("カブシキカイシャヤマグチ", "ｶ)ﾔﾏｸﾞﾁ"),
        ("株式会社 ヤマグチ", "ｶ)ﾔﾏｸﾞﾁ"),  # the space next to the abbreviation goes
        ("ヤマグチ　株式会社　シテン", "ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ"),
        ("特定非営利活動法人サポート", "ﾄｸﾋ)ｻﾎﾟ-ﾄ"),
        ("トクテイヒエイリカツドウホウジンサポート", "ﾄｸﾋ)ｻﾎﾟ-ﾄ"),
        ("有限会社ヤマグチ", "ﾕ)ﾔﾏｸﾞﾁ"),
        ("ユウゲンガイシャヤマグチ", "ﾕ)ﾔﾏｸﾞﾁ"),
        ("ヤマグチ合同会社", "ﾔﾏｸﾞﾁ(ﾄﾞ"),
        ("ゴウドウガイシャヤマグチ", "ﾄﾞ)ﾔﾏｸﾞﾁ"),
        ("一般社団法人ヤマグチ", "ｼﾔ)ﾔﾏｸﾞﾁ"),
        ("社団法人ヤマグチ", "ｼﾔ)ﾔﾏｸﾞﾁ"),
        ("イッパンシャダンホウジンヤマグチ", "ｼﾔ)ﾔﾏｸﾞﾁ"),
        ("一般財団法人ヤマグチ", "ｻﾞｲ)ﾔﾏｸﾞﾁ"),
        ("ヤマグチ財団法人", "ﾔﾏｸﾞﾁ(ｻﾞｲ"),
        ("ザイダンホウジンヤマグチ", "ｻﾞｲ)ﾔﾏｸﾞﾁ"),
        ("社会福祉法人ヤマグチ", "ﾌｸ)ﾔﾏｸﾞﾁ"),
        ("シャカイフクシホウジンヤマグチ", "ﾌｸ)ﾔﾏｸﾞﾁ"),
        ("医療法人ヤマグチ", "ｲ)ﾔﾏｸﾞﾁ"),
        ("イリョウホウジンヤマグチカイ", "ｲ)ﾔﾏｸﾞﾁｶｲ"),
        ("学校法人ヤマグチガクエン", "ｶﾞｸ)ﾔﾏｸﾞﾁｶﾞｸｴﾝ"),
        ("ガッコウホウジンヤマグチ", "ｶﾞｸ)ﾔﾏｸﾞﾁ"),
        ("宗教法人ヤマグチ", "ｼﾕｳ)ﾔﾏｸﾞﾁ"),
        ("シュウキョウホウジンヤマグチ", "ｼﾕｳ)ﾔﾏｸﾞﾁ"),
        ("ヤマグチ社会福祉法人ホンブ", "ﾔﾏｸﾞﾁ(ﾌｸ)ﾎﾝﾌﾞ"),
    ],
)
def test_normalisation_vectors(entered: str, expected: str) -> None:
    assert normalize_account_name(entered) == expected
    # idempotent: the result is its own normal form
    assert normalize_account_name(expected) == expected


def test_output_is_never_nfkc_normalised() -> None:
    name = normalize_account_name("ヤマグチ")
    assert name == "ﾔﾏｸﾞﾁ" and unicodedata.normalize("NFKC", name) == "ヤマグチ" != name
    assert all(0xFF71 <= ord(c) <= 0xFF9F for c in name)


def test_30_bytes_is_the_limit_and_voiced_marks_count() -> None:
    assert normalize_account_name("ｱ" * 30) == "ｱ" * 30
    assert normalize_account_name("ガ" * 15) == "ｶﾞ" * 15  # 15 characters entered, 30 bytes
    with pytest.raises(AccountNameError, match="30バイト以内.*31バイト") as caught:
        normalize_account_name("ｱ" * 31)
    assert caught.value.position is None
    with pytest.raises(AccountNameError, match="31バイト"):
        normalize_account_name("ガ" * 15 + "ア")  # 16 characters entered, 31 bytes
    with pytest.raises(AccountNameError, match="32バイト"):
        normalize_account_name("ガ" * 16)
    # a corporate word counts as its abbreviation: 8 characters become 2 bytes
    assert normalize_account_name("カブシキガイシャ" + "ア" * 28) == "ｶ)" + "ｱ" * 28
    with pytest.raises(AccountNameError, match="31バイト"):
        normalize_account_name("カブシキガイシャ" + "ア" * 29)
    # the limit is checked after collapsing spaces
    assert normalize_account_name("ｱ" * 14 + "     " + "ｲ" * 15) == "ｱ" * 14 + " " + "ｲ" * 15


@pytest.mark.parametrize(
    ("entered", "position", "char"),
    [
        ("ヤマグチ漢", 5, "漢"),
        ("山口太郎", 1, "山"),
        ("ヤマグチ株式会社山口支店", 9, "山"),  # the corporate word is fine, the other kanji not
        ("  ヤマ口", 5, "口"),  # the position counts the leading spaces as entered
        ("ﾔﾏｸﾞﾁ.ﾀﾛｳ", 6, "."),
        ("ﾔﾏｸﾞﾁ/ﾀﾛｳ", 6, "/"),
        ("ヤマグチ😀", 5, "😀"),
        ("ヤマグチ・タロウ", 5, "・"),
        ("ヤマグチ、タロウ", 5, "、"),
        ("ヤマグチ,タロウ", 5, ","),
        ("ﾔﾏｸﾞﾁ\tﾀﾛｳ", 6, "\t"),
        ("ＹＡＭＡ＠", 5, "＠"),
        ("①ヤマグチ", 1, "①"),
        ("ﾔﾏｸﾞﾁ¥", 6, "¥"),
        ("Müller", 2, "ü"),
        ("㈱ヤマグチ", 1, "㈱"),
        ("\ue000ヤマグチ", 1, "\ue000"),  # private use: not mistaken for a corporate word
    ],
)
def test_refused_characters_are_named_with_their_position(entered: str, position: int, char: str) -> None:
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name(entered)
    message = str(caught.value)
    assert (caught.value.position, caught.value.character) == (position, char)
    assert message.startswith(f"{position}文字目の")
    assert message.endswith(ALLOWED_MESSAGE) or "U+" in message
    if char.isprintable():
        assert f"「{char}」は口座名義に使えません" in message


def test_exact_refusal_message() -> None:
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ヤマグチ漢")
    assert str(caught.value) == "5文字目の「漢」は口座名義に使えません" + ALLOWED_MESSAGE
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ﾔﾏｸﾞﾁ\tﾀﾛｳ")
    assert str(caught.value).startswith("6文字目の（U+0009）は口座名義に使えません")


@pytest.mark.parametrize(("entered", "hint"), [("ヲカダ", "ｵ"), ("ｦｶﾀﾞ", "ｵ"), ("ヰ", "ｲ"), ("ゑ", "ｴ")])
def test_kana_outside_the_set_get_a_hint(entered: str, hint: str) -> None:
    with pytest.raises(AccountNameError, match=f"1文字目の「{entered[0]}」.*「{hint}」で入力してください"):
        normalize_account_name(entered)


def test_period_and_slash_only_when_allowed() -> None:
    assert normalize_account_name("ﾔﾏｸﾞﾁ.ｼ/ｼﾃﾝ", allow_period_slash=True) == "ﾔﾏｸﾞﾁ.ｼ/ｼﾃﾝ"
    assert normalize_account_name("ヤマグチ．シ／シテン", allow_period_slash=True) == "ﾔﾏｸﾞﾁ.ｼ/ｼﾃﾝ"
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ﾔﾏｸﾞﾁ.ｼ")
    assert str(caught.value).endswith(ALLOWED_MESSAGE)
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ﾔﾏｸﾞﾁ,ｼ", allow_period_slash=True)
    assert str(caught.value).endswith("（使える文字: 半角カタカナ、英大文字、数字、スペース、( ) - . /）")


@pytest.mark.parametrize("entered", ["", " ", "　　", "\n"])
def test_empty_is_refused(entered: str) -> None:
    with pytest.raises(AccountNameError, match="入力してください"):
        normalize_account_name(entered)


def test_a_corporate_word_alone_is_refused() -> None:
    with pytest.raises(AccountNameError, match="法人の種類だけ"):
        normalize_account_name("株式会社")
    with pytest.raises(AccountNameError, match="法人の種類だけ"):
        normalize_account_name(" カブシキガイシャ ")


def test_not_a_string() -> None:
    with pytest.raises(TypeError):
        normalize_account_name(None)  # type: ignore[arg-type]


def test_every_output_character_is_allowed_and_one_byte() -> None:
    samples = "アイウエオカキクケコガギグゲゴパピプペポァャッーabcABC０１２　()-"
    for allow in (False, True):
        allowed = allowed_characters(allow_period_slash=allow)
        assert all(len(c.encode("cp932")) == 1 for c in allowed)
        name = normalize_account_name(samples[:20], allow_period_slash=allow)
        assert set(name) <= allowed
    assert "ｦ" not in allowed_characters() and "ｰ" not in allowed_characters() and "ｯ" not in allowed_characters()
    assert len(allowed_characters()) == 45 + 2 + 26 + 10 + 4
    assert allowed_characters(allow_period_slash=True) - allowed_characters() == {".", "/"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("0170", "ﾔﾏｸﾞﾁ"), ("9900", "ﾕｳﾁﾖ"), ("0570", "ｻｲｷﾖｳ"), ("0001", "ﾐｽﾞﾎ"), ("0005", "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ")],
)
def test_bank_name_kana(code: str, expected: str) -> None:
    assert bank_name_kana(code) == expected


def test_branch_name_kana() -> None:
    assert branch_name_kana("0170", "001") == "ﾎﾝﾃﾝ"
    assert branch_name_kana("9900", "019") == "ｾﾞﾛｲﾁｷﾕｳ"
    with pytest.raises(BankCodeError, match="支店コード「999」"):
        branch_name_kana("0170", "999")
    with pytest.raises(BankCodeError, match="金融機関コード「0000」"):
        branch_name_kana("0000", "001")
    with pytest.raises(BankCodeError, match="金融機関コード「0000」"):
        bank_name_kana("0000")


def test_every_zengin_code_name_fits_the_file_character_set() -> None:
    allowed = allowed_characters()
    needs_period = set()
    for bank in zengin_code.Bank.all.values():
        name = bank_name_kana(bank.code)
        assert set(name) <= allowed_characters(allow_period_slash=True), bank.kana
        if not set(name) <= allowed:
            needs_period.add(bank.code)
        for branch in bank.branches.values():
            assert set(branch_name_kana(bank.code, branch.code)) <= allowed, branch.kana
    # Only a few foreign banks (クレディ・アグリコル → ｸﾚﾃﾞｲ.ｱｸﾞﾘｺﾙ) have a "." in their name in the data:
    # their names go into a file only with allow_period_slash.
    assert "0421" in needs_period
    assert all(code[:2] in {"04", "06"} for code in needs_period), needs_period


@pytest.mark.django_db
def test_bank_account_full_clean_normalises_the_holder_name() -> None:
    account = factories.BankAccountFactory.build(
        organization=factories.AssociationFactory(), holder_kana="ヤマグチ株式会社シテン"
    )
    account.full_clean()
    assert account.holder_kana == "ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ"
    account.save()
    account.refresh_from_db()
    assert account.holder_kana == "ﾔﾏｸﾞﾁ(ｶ)ｼﾃﾝ"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("holder_kana", "fragment"),
    [
        ("山口太郎", "1文字目の「山」は口座名義に使えません"),
        ("ﾔﾏｸﾞﾁ.ｼ", "6文字目の「.」は口座名義に使えません"),
        ("ガ" * 15 + "ア", "31バイト"),
    ],
)
def test_bank_account_full_clean_refuses_the_holder_name(holder_kana: str, fragment: str) -> None:
    account = factories.BankAccountFactory.build(organization=factories.AssociationFactory(), holder_kana=holder_kana)
    with pytest.raises(ValidationError) as caught:
        account.full_clean()
    assert list(caught.value.message_dict) == ["holder_kana"]
    assert fragment in caught.value.message_dict["holder_kana"][0]


@pytest.mark.django_db
def test_bank_account_factory_name_is_already_normal() -> None:
    account = factories.BankAccountFactory.build(organization=factories.AssociationFactory())
    before = account.holder_kana
    account.full_clean()
    assert account.holder_kana == before == "ｵｵﾄｼﾀﾞｲ1ｼﾞﾁｶｲ"


# 口座名義 normaliser attacked: every Unicode code point, combining marks, look-alikes, spaces, and byte
# lengths. Whatever the input, the output is only ｱ–ﾝ ﾞ ﾟ A–Z 0–9 space ( ) - (and . / with the option), at
# most 30 bytes, or an AccountNameError.


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
