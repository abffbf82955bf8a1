"""口座名義カナ: normalisation to the 全銀 character set and refusal of what a bank cannot take
(shared/domain/ZENGIN.md "Bytes and characters")."""
import unicodedata

import pytest
import zengin_code
from django.core.exceptions import ValidationError

from grants.organizations.kana import (
    ACCOUNT_NAME_INPUT_MAX_CHARS,
    AccountNameError,
    BankCodeError,
    BankCodeProblem,
    allowed_characters,
    bank_code_problem,
    bank_name_kana,
    branch_name_kana,
    normalize_account_name,
    stray_mark_position,
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


# The 30 bytes are counted on the normalised name only (issue 12, part 8): a corporate name written out in
# full, in any width, fits once its corporate word is abbreviated; the text as typed may hold 100 characters.

LONG_NPO_NAME = "ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈﾂﾄﾜ-ｸ"  # 26 bytes


@pytest.mark.parametrize("typed", [
    "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク",  # full-width katakana, 37 characters
    "とくていひえいりかつどうほうじん　やまぐちしみんかつどうしえんねっとわーく",  # hiragana, 37
    "ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈｯﾄﾜｰｸ",  # half-width katakana, 41
    "特定非営利活動法人　　ヤマグチシミンカツドウシエンネットワーク",  # the corporate word in kanji, 31
    "トクテイヒエイリカツドウホウジン ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝﾈｯﾄﾜｰｸ",  # mixed widths, 39
])
def test_a_long_corporate_name_fits_once_abbreviated(typed: str) -> None:
    assert len(typed) > 30
    name = normalize_account_name(typed)
    assert name == LONG_NPO_NAME and len(name.encode("cp932")) == 26
    assert normalize_account_name(name) == name


def test_a_long_corporate_name_that_does_not_fit_shows_the_normalised_name_and_its_bytes() -> None:
    typed = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンセンターネットワークス"
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name(typed)
    assert str(caught.value) == (
        "口座名義は30バイト以内にしてください（変換後「ﾄｸﾋ)ﾔﾏｸﾞﾁｼﾐﾝｶﾂﾄﾞｳｼｴﾝｾﾝﾀ-ﾈﾂﾄﾜ-ｸｽ」は31バイトです。"
        "半角カナ・英数字は1文字1バイト、濁点・半濁点も1バイトと数えます）。"
    )
    assert caught.value.position is None


def test_the_text_as_typed_may_hold_100_characters() -> None:
    assert ACCOUNT_NAME_INPUT_MAX_CHARS == 100
    assert normalize_account_name("ﾔﾏ" + " " * 95 + "ｸﾞﾁ") == "ﾔﾏ ｸﾞﾁ"  # 100 characters typed
    assert normalize_account_name("\n ﾔﾏ" + " " * 95 + "ｸﾞﾁ \n") == "ﾔﾏ ｸﾞﾁ"  # the edges do not count
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ﾔﾏ" + " " * 96 + "ｸﾞﾁ")
    assert str(caught.value) == "口座名義は100文字以内で入力してください（入力は101文字です）。"


# Voiced and semi-voiced marks typed on their own: they join a kana that takes them; a stray one is refused
# with its position, never written as a stray or double mark.


@pytest.mark.parametrize(("typed", "expected"), [
    ("カ゛", "ｶﾞ"), ("ウ゛", "ｳﾞ"), ("ハ゜", "ﾊﾟ"), ("か゛", "ｶﾞ"), ("は゜", "ﾊﾟ"), ("ｶﾞ", "ｶﾞ"), ("ﾊﾟ", "ﾊﾟ"),
    ("カ\u3099", "ｶﾞ"), ("ハ\u309a", "ﾊﾟ"), ("ｳ\u3099", "ｳﾞ"), ("ﾄ゛", "ﾄﾞ"), ("ワ゛イン", "ﾜﾞｲﾝ"),
    ("ヤマク゛チ", "ﾔﾏｸﾞﾁ"), ("ヤマク\u3099チ", "ﾔﾏｸﾞﾁ"),
])
def test_a_separate_mark_joins_a_kana_that_takes_it(typed: str, expected: str) -> None:
    assert normalize_account_name(typed) == expected


@pytest.mark.parametrize(("typed", "position", "char", "reason"), [
    ("ア゛", 2, "゛", "「ア」には付けられません"),
    ("ﾝﾞ", 2, "ﾞ", "「ﾝ」には付けられません"),
    ("ヤマア゛", 4, "゛", "「ア」には付けられません"),
    ("ア\u3099", 2, "\u3099", "「ア」には付けられません"),
    ("カ゜", 2, "゜", "「カ」には付けられません"),  # カ takes ゛ only
    ("ｶﾟ", 2, "ﾟ", "「ｶ」には付けられません"),
    ("ｱ\u309a", 2, "\u309a", "「ｱ」には付けられません"),
    ("A゛", 2, "゛", "「A」には付けられません"),
    ("1ﾞ", 2, "ﾞ", "「1」には付けられません"),
    ("(ﾞ", 2, "ﾞ", "「(」には付けられません"),
    ("株式会社゛ヤマ", 5, "゛", "「社」には付けられません"),
    ("゛ヤマ", 1, "゛", "前に文字がありません"),
    ("ﾞﾔﾏ", 1, "ﾞ", "前に文字がありません"),
    ("\u3099ヤマ", 1, "\u3099", "前に文字がありません"),
    ("  ゜ヤマ", 3, "゜", "前に文字がありません"),  # the position counts the leading spaces as typed
    ("ヤマ ゛", 4, "゛", "スペースの後には付けられません"),
    ("ヤマ\u3000ﾞｸﾞﾁ", 4, "ﾞ", "スペースの後には付けられません"),
    ("ガ゛", 2, "゛", "二重"),
    ("ｶﾞﾞ", 3, "ﾞ", "二重"),
    ("カ゛゛", 3, "゛", "二重"),
    ("カ\u3099\u3099", 3, "\u3099", "二重"),
    ("パ゛", 2, "゛", "二重"),
    ("ﾊﾟﾟ", 3, "ﾟ", "二重"),
    ("ヴ゛", 2, "゛", "二重"),
    ("ヤマグ゛チ", 4, "゛", "二重"),
])
def test_a_stray_mark_is_refused_with_its_position(typed: str, position: int, char: str, reason: str) -> None:
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name(typed)
    shown = {"\u3099": "゛", "\u309a": "゜"}.get(char, char)
    assert (caught.value.position, caught.value.character) == (position, char)
    assert str(caught.value).startswith(f"{position}文字目の「{shown}」は前の文字に付けられません（")
    assert reason in str(caught.value)


def test_exact_stray_mark_message() -> None:
    with pytest.raises(AccountNameError) as caught:
        normalize_account_name("ヤマア゛")
    assert str(caught.value) == (
        "4文字目の「゛」は前の文字に付けられません（「ア」には付けられません）。"
        "濁点・半濁点は、付けられる文字のすぐ後に一つだけ入力してください（例: カ゛→ｶﾞ、ハ゜→ﾊﾟ）。"
    )


def test_no_double_or_stray_mark_comes_out_of_any_pair() -> None:
    """Every kana, mark or other character followed by every way of typing a mark: the result is refused or
    has each mark after a kana that takes it."""
    marks = ["゛", "゜", "ﾞ", "ﾟ", "\u3099", "\u309a"]
    bases = [chr(c) for c in range(0xFF71, 0xFFA0)] + [chr(c) for c in range(0x30A1, 0x30FB)] + list("ｱA1 (")
    for base in bases:
        for mark in marks:
            for text in (base + mark, "ﾔ" + base + mark, base + mark + mark):
                name = _check(text)
                if name is not None:
                    assert stray_mark_position(name) is None, (text, name)


@pytest.mark.parametrize(("name", "position"), [
    ("ｶﾞ", None), ("ﾊﾟ", None), ("ｳﾞ", None), ("ﾜﾞｲﾝ", None), ("ﾔﾏｸﾞﾁ", None), ("", None), ("ABC", None),
    ("ﾞ", 1), ("ｱﾞ", 2), ("ｶﾞﾞ", 3), ("ｶﾟ", 2), ("ﾔﾏ ﾞ", 4), ("ﾊﾟﾞ", 3),
])
def test_stray_mark_position(name: str, position: int | None) -> None:
    assert stray_mark_position(name) == position


@pytest.mark.django_db
def test_bank_account_full_clean_takes_a_long_corporate_name_as_typed() -> None:
    """The model checks the 30 bytes on the normalised name, not the column's 30 characters on the text typed."""
    typed = "トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンネットワーク"
    account = factories.BankAccountFactory.build(organization=factories.AssociationFactory(), holder_kana=typed)
    account.full_clean()
    assert account.holder_kana == LONG_NPO_NAME
    account.save()
    account.refresh_from_db()
    assert account.holder_kana == LONG_NPO_NAME


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "fragment"), [
    ("ﾔﾏ" + " " * 96 + "ｸﾞﾁ", "100文字以内"),
    ("ヤマア゛", "4文字目の「゛」は前の文字に付けられません"),
    ("トクテイヒエイリカツドウホウジン　ヤマグチシミンカツドウシエンセンターネットワークス", "31バイト"),
])
def test_bank_account_full_clean_gives_one_message_for_the_name(typed: str, fragment: str) -> None:
    account = factories.BankAccountFactory.build(organization=factories.AssociationFactory(), holder_kana=typed)
    with pytest.raises(ValidationError) as caught:
        account.full_clean()
    assert list(caught.value.message_dict) == ["holder_kana"]
    assert len(caught.value.message_dict["holder_kana"]) == 1  # not also the column's "30文字以下"
    assert fragment in caught.value.message_dict["holder_kana"][0]
    assert account.holder_kana == typed  # left as typed


def test_bank_code_problem_is_the_one_test_of_a_payable_account(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Valid codes pass; a bank or a branch missing from zengin-code (never there, or gone with a merger since the
    account was registered) is named, with the field to correct; the file's names refuse the same codes."""
    assert bank_code_problem("0170", "001") is None
    assert bank_code_problem("9999", "001") == BankCodeProblem("bank_code", "金融機関コード「9999」は存在しません。")
    assert bank_code_problem("0170", "999") == BankCodeProblem("branch_code", "山口に支店コード「999」はありません。")
    assert bank_code_problem("0005", "001") is None
    monkeypatch.delitem(zengin_code.Bank.all, "0005")
    assert bank_code_problem("0005", "001") == BankCodeProblem("bank_code", "金融機関コード「0005」は存在しません。")
    with pytest.raises(BankCodeError, match="^金融機関コード「0005」は存在しません。$"):
        branch_name_kana("0005", "001")
