"""口座名義カナ: normalise and validate an account holder's name for the 全銀 総合振込 file.

Rules from shared/domain/ZENGIN.md "Bytes and characters":

* the name is taken as the applicant gives it from the passbook (通帳): it is never derived from a kanji
  name, so kanji are refused — except the corporate words (株式会社, 特定非営利活動法人, ...), which become
  their position-dependent abbreviation (``ｶ)ﾃｽﾄ`` at the start, ``ﾃｽﾄ(ｶ)ｼﾃﾝ`` in the middle, ``ﾃｽﾄ(ｶ`` at
  the end);
* full-width katakana and hiragana become half-width katakana (JIS X 0201), a voiced or semi-voiced mark
  taking its own byte (ガ → ``ｶﾞ``); small kana become large (ｷｭｳ → ``ｷﾕｳ``); the long-vowel mark and
  dashes become ``-``; latin letters become upper-case, full-width letters, digits and symbols half-width;
  a full-width space becomes a space; repeated spaces are collapsed and the ends stripped;
* afterwards only ``ｱ``–``ﾝ`` (no small kana), ``ﾞ`` ``ﾟ``, ``A``–``Z``, ``0``–``9``, space, ``(`` ``)``
  ``-`` are allowed, plus ``.`` and ``/`` when the bank accepts them (``allow_period_slash``);
* a voiced or semi-voiced mark typed on its own (``゛`` ``゜``, half-width ``ﾞ`` ``ﾟ``, combining U+3099 /
  U+309A) joins the kana before it when that kana takes it (カ゛ → ``ｶﾞ``, ウ゛ → ``ｳﾞ``, ハ゜ → ``ﾊﾟ``); a
  mark at the start, after a kana that cannot take it (ア゛, ﾝﾞ) or after another mark (ガ゛, ｶﾞﾞ) is refused
  with its position, never written as a stray or double mark;
* at most 30 bytes (受取人名 is C(30) in the data record), counted after encoding (cp932: the same single
  bytes as JIS X 0201 for half-width kana) and only after normalisation: a long corporate name such as
  トクテイヒエイリカツドウホウジン… fits once abbreviated (``ﾄｸﾋ)…``). The text as typed may hold up to
  100 characters (``ACCOUNT_NAME_INPUT_MAX_CHARS``, the forms' limit too).

The output is never NFKC-normalised (NFKC turns half-width kana back into full-width). Pure Python: no
Django; ``jaconv`` converts widths and ``zengin_code`` supplies the bank and branch names.
"""
from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jaconv
import zengin_code

__all__ = [
    "ACCOUNT_NAME_INPUT_MAX_CHARS",
    "ACCOUNT_NAME_MAX_BYTES",
    "CORPORATE_ABBREVIATIONS",
    "AccountNameError",
    "BankCodeError",
    "allowed_characters",
    "bank_name_kana",
    "branch_name_kana",
    "normalize_account_name",
    "stray_mark_position",
]

#: 受取人名 is C(30) in the 全銀 data record (ZENGIN.md): at most 30 bytes once encoded.
ACCOUNT_NAME_MAX_BYTES = 30

#: The 口座名義 as typed, before normalisation, in characters: room for a corporate word written out in full
#: (トクテイヒエイリカツドウホウジン is 16 characters, ﾄｸﾃｲﾋｴｲﾘｶﾂﾄﾞｳﾎｳｼﾞﾝ 18) and a long name with spaces. Only
#: a sanity limit on input: the name kept and written is the normalised one, at most 30 bytes.
ACCOUNT_NAME_INPUT_MAX_CHARS = 100

#: The file's encoding: cp932 gives the JIS X 0201 single bytes for half-width kana and ASCII.
FILE_ENCODING = "cp932"

#: ``ｱ`` (U+FF71) to ``ﾝ`` (U+FF9D), then ``ﾞ`` (U+FF9E) and ``ﾟ`` (U+FF9F). Small kana (U+FF67–FF6F),
#: ``ｦ`` (U+FF66) and ``ｰ`` (U+FF70) lie outside this range.
_HALF_WIDTH_KANA = frozenset(chr(c) for c in range(0xFF71, 0xFFA0))
_DEFAULT_ALLOWED = _HALF_WIDTH_KANA | frozenset(string.ascii_uppercase + string.digits + " ()-")
_WITH_PERIOD_SLASH = _DEFAULT_ALLOWED | frozenset("./")

#: Corporate words → abbreviation (ZENGIN.md). Each is accepted in kanji and in katakana (hence also
#: hiragana and half-width katakana, which normalise to the same text).
CORPORATE_ABBREVIATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ｶ", ("株式会社", "カブシキガイシャ", "カブシキカイシャ")),
    ("ﾕ", ("有限会社", "ユウゲンガイシャ", "ユウゲンカイシャ")),
    ("ﾄﾞ", ("合同会社", "ゴウドウガイシャ", "ゴウドウカイシャ")),
    ("ｼﾔ", ("一般社団法人", "社団法人", "イッパンシャダンホウジン", "シャダンホウジン")),
    ("ｻﾞｲ", ("一般財団法人", "財団法人", "イッパンザイダンホウジン", "ザイダンホウジン")),
    ("ﾄｸﾋ", ("特定非営利活動法人", "トクテイヒエイリカツドウホウジン")),
    ("ﾌｸ", ("社会福祉法人", "シャカイフクシホウジン")),
    ("ｲ", ("医療法人", "イリョウホウジン")),
    ("ｶﾞｸ", ("学校法人", "ガッコウホウジン")),
    ("ｼﾕｳ", ("宗教法人", "シュウキョウホウジン")),
)

#: Before jaconv: full-width small kana → large (jaconv leaves ヮ ヵ ヶ full-width), dashes and the long
#: vowel mark → ``-``, full-width space → space, (combining) voiced marks → their half-width byte.
_BEFORE = str.maketrans(
    {
        **dict(zip("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ", strict=True)),
        **dict(zip("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ", strict=True)),
        # ー long vowel, ｰ half-width, － full-width hyphen-minus, ― horizontal bar, ‐ hyphen,
        # ‑ non-breaking hyphen, – en dash, — em dash, − minus sign
        **dict.fromkeys("ーｰ－―‐‑–—−", "-"),
        "\u3000": " ",
        "\u3099": "ﾞ",  # combining voiced mark (NFD input, e.g. from macOS)
        "\u309a": "ﾟ",  # combining semi-voiced mark
        "゛": "ﾞ",
        "゜": "ﾟ",
    }
)
#: After jaconv: half-width small kana → large, lower-case ASCII → upper-case.
_AFTER = str.maketrans("ｧｨｩｪｫｯｬｭｮ" + string.ascii_lowercase, "ｱｲｳｴｵﾂﾔﾕﾖ" + string.ascii_uppercase)

#: The half-width kana that take each mark: those whose full-width form (jaconv) composes with the combining
#: mark into one character (カ + U+3099 → ガ, ワ + U+3099 → ヷ, ハ + U+309A → パ). Derived, not listed by hand.
_MARK_TAKERS: dict[str, frozenset[str]] = {
    mark: frozenset(
        kana
        for kana in map(chr, range(0xFF71, 0xFF9E))
        if len(unicodedata.normalize("NFC", jaconv.h2z(kana, kana=True) + combining)) == 1
    )
    for mark, combining in (("ﾞ", "\u3099"), ("ﾟ", "\u309a"))
}
#: A mark as a message shows it: the combining marks as their spacing form (they would join the 「).
_MARK_SHOWN = {"\u3099": "゛", "\u309a": "゜"}

#: Characters the bank spells differently, suggested in the error message instead of guessed silently.
_HINTS: dict[str, str] = {"ｦ": "ｵ", "ヰ": "ｲ", "ヱ": "ｴ"}

#: Leading/trailing characters dropped before anything else (a name pasted with a newline).
_EDGE_WHITESPACE = " \t\r\n\u3000"

#: Private-use placeholders for corporate words until their position is known (never in valid input:
#: a private-use character in the input is refused before placeholders are resolved).
_PLACEHOLDER_BASE = 0xE000
_PLACEHOLDERS = {chr(_PLACEHOLDER_BASE + i): abbr for i, (abbr, _) in enumerate(CORPORATE_ABBREVIATIONS)}


class AccountNameError(ValueError):
    """The 口座名義カナ cannot be used; ``str(error)`` is a Japanese message for the applicant.

    ``position`` (1-based, in the text as entered) and ``character`` name the offending character when
    there is one; both are None for an empty or too long name.
    """

    def __init__(self, message: str, *, position: int | None = None, character: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.character = character


class BankCodeError(LookupError):
    """No bank or branch with that code in the zengin-code data; the message is in Japanese."""


#: The badge of an account whose bank or branch code is no longer in the zengin-code data (a merger, a branch
#: closed or renumbered): the case cannot be put into a payment batch until the account is corrected.
MISSING_BANK_CODE = "金融機関コードが見つかりません（合併等）"


@dataclass(frozen=True)
class BankCodeProblem:
    """Why an account cannot be paid with the bank data we have: ``field`` is ``"bank_code"`` or
    ``"branch_code"``, ``message`` a Japanese sentence naming the code."""

    field: str
    message: str


def bank_code_problem(bank_code: str, branch_code: str) -> BankCodeProblem | None:
    """The one test of "is this account payable by the bank data we have": the bank code (4 digits) and the
    branch code (3 digits) are in the zengin-code data shipped with the installed package. None when they are;
    otherwise the first missing one. A code that was valid when the account was registered disappears when its
    bank merges or its branch closes (the package is updated): the account page, the payment queue, the batch
    and the 全銀 file all ask here."""
    bank = zengin_code.Bank.all.get(bank_code)
    if bank is None:
        return BankCodeProblem("bank_code", f"金融機関コード「{bank_code}」は存在しません。")
    if branch_code not in bank.branches:
        return BankCodeProblem("branch_code", f"{bank.name}に支店コード「{branch_code}」はありません。")
    return None


def allowed_characters(*, allow_period_slash: bool = False) -> frozenset[str]:
    """The characters a normalised name may hold (ZENGIN.md): ｱ–ﾝ, ﾞ, ﾟ, A–Z, 0–9, space, ( ) -, and
    ``.`` ``/`` when ``allow_period_slash``."""
    return _WITH_PERIOD_SLASH if allow_period_slash else _DEFAULT_ALLOWED


@lru_cache(maxsize=8192)
def _convert_char(char: str) -> str:
    """One input character → its half-width form (zero, one or two characters; not yet validated)."""
    text = jaconv.hira2kata(char.translate(_BEFORE))
    return jaconv.z2h(text, kana=True, digit=True, ascii=True).translate(_AFTER)


def _convert(text: str) -> str:
    return "".join(_convert_char(c) for c in text)


def _alternation(words: list[str]) -> str:
    # longest first, so that 一般社団法人 wins over 社団法人
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _build_corporate_patterns() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str], dict[str, str]]:
    kanji: dict[str, str] = {}
    kana: dict[str, str] = {}
    for placeholder, (_, spellings) in zip(_PLACEHOLDERS, CORPORATE_ABBREVIATIONS, strict=True):
        for spelling in spellings:
            if re.search(r"[\u4e00-\u9fff]", spelling):
                kanji[spelling] = placeholder
            else:
                kana[_convert(spelling)] = placeholder
    return re.compile(_alternation(list(kanji))), kanji, re.compile(_alternation(list(kana))), kana


_KANJI_CORPORATE, _KANJI_PLACEHOLDER, _KANA_CORPORATE, _KANA_PLACEHOLDER = _build_corporate_patterns()
_SPACES = re.compile(" {2,}")
_SPACES_AROUND_PLACEHOLDER = re.compile(" *([\ue000-\ue0ff]) *")


def _refusal(position: int, char: str, allow_period_slash: bool) -> AccountNameError:
    shown = f"「{char}」" if char.isprintable() else f"（U+{ord(char):04X}）"
    symbols = "( ) - . /" if allow_period_slash else "( ) -"
    message = (
        f"{position}文字目の{shown}は口座名義に使えません"
        f"（使える文字: 半角カタカナ、英大文字、数字、スペース、{symbols}）"
    )
    hint = _HINTS.get(_convert_char(char))
    if hint:
        message += f"。通帳の表記どおり「{hint}」で入力してください。"
    return AccountNameError(message, position=position, character=char)


def stray_mark_position(name: str) -> int | None:
    """The 1-based position of the first stray mark (``ﾞ`` ``ﾟ``) in the half-width ``name``: at the start,
    after a kana that cannot take it (``ｱﾞ``) or after another mark (``ｶﾞﾞ``); None when every mark follows a
    kana that takes it. For a name already normalised (the file writer's last check, for a name stored before
    ``normalize_account_name`` refused stray marks)."""
    previous = ""
    for position, char in enumerate(name, 1):
        if char in _MARK_TAKERS and previous not in _MARK_TAKERS[char]:
            return position
        previous = char
    return None


def _stray_mark(position: int, char: str, before: str, previous: str) -> AccountNameError:
    """The refusal of the mark ``char`` typed at ``position`` (1-based) after the character ``before`` as typed
    (``""`` at the start), which became ``previous`` once converted."""
    if not before:
        reason = "前に文字がありません"
    elif previous in _MARK_TAKERS:
        reason = "濁点・半濁点が二重になっています"
    elif before == " " or before == "\u3000":
        reason = "スペースの後には付けられません"
    else:
        reason = f"「{_MARK_SHOWN.get(before, before)}」には付けられません"
    return AccountNameError(
        f"{position}文字目の「{_MARK_SHOWN.get(char, char)}」は前の文字に付けられません（{reason}）。"
        "濁点・半濁点は、付けられる文字のすぐ後に一つだけ入力してください（例: カ゛→ｶﾞ、ハ゜→ﾊﾟ）。",
        position=position,
        character=char,
    )


def normalize_account_name(text: str, *, allow_period_slash: bool = False) -> str:
    """The 口座名義カナ ``text`` as it goes into the 全銀 file: half-width (JIS X 0201) katakana, upper-case
    latin, digits, space and ``( ) -`` (and ``. /`` when ``allow_period_slash``), at most 30 bytes.

    Examples: ``"ヤマグチカブシキガイシャ"`` → ``"ﾔﾏｸﾞﾁ(ｶ"``; ``"きゅう"`` → ``"ｷﾕｳ"``; ``"abc"`` → ``"ABC"``;
    an already normalised name is returned unchanged. Rules: module docstring and ZENGIN.md.

    A separate voiced or semi-voiced mark joins the kana before it when that kana takes it (``"カ゛"`` →
    ``"ｶﾞ"``); the 30-byte limit applies to the normalised name only (``"トクテイヒエイリカツドウホウジン
    ヤマグチコドモショクドウネット"``, 33 characters, → ``"ﾄｸﾋ)ﾔﾏｸﾞﾁｺﾄﾞﾓｼﾖｸﾄﾞｳﾈﾂﾄ"``, 22 bytes).

    Raises AccountNameError (a ValueError; Japanese message) when the text is empty, longer than 100
    characters as typed (edges stripped), holds a character that cannot be used (the message names it and
    its 1-based position in ``text``; any kanji other than a corporate word is refused) or a stray mark (at
    the start, after a kana that cannot take it, or doubled: named with its position the same way), is
    only a corporate word, or is longer than 30 bytes once normalised (the message shows the normalised
    name and its byte count). Raises TypeError when ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    allowed = allowed_characters(allow_period_slash=allow_period_slash)
    stripped = text.lstrip(_EDGE_WHITESPACE)
    offset = len(text) - len(stripped)
    stripped = stripped.rstrip(_EDGE_WHITESPACE)
    if len(stripped) > ACCOUNT_NAME_INPUT_MAX_CHARS:
        raise AccountNameError(
            f"口座名義は{ACCOUNT_NAME_INPUT_MAX_CHARS}文字以内で入力してください（入力は{len(stripped)}文字です）。"
        )

    # 1. Character by character, corporate words in kanji set aside as placeholders; each mark must follow
    #    a kana that takes it.
    parts: list[str] = []
    index = 0
    for match in [*_KANJI_CORPORATE.finditer(stripped), None]:
        end = match.start() if match else len(stripped)
        for i in range(index, end):
            converted = _convert_char(stripped[i])
            if not converted or any(c not in allowed for c in converted):
                raise _refusal(offset + i + 1, stripped[i], allow_period_slash)
            previous = parts[-1][-1] if parts else ""
            for c in converted:
                if c in _MARK_TAKERS and previous not in _MARK_TAKERS[c]:
                    raise _stray_mark(offset + i + 1, stripped[i], stripped[i - 1] if i else "", previous)
                previous = c
            parts.append(converted)
        if match:
            parts.append(_KANJI_PLACEHOLDER[match.group()])
            index = match.end()
    converted = "".join(parts)

    # 2. Corporate words in kana, then spaces, then the abbreviations by position.
    converted = _KANA_CORPORATE.sub(lambda m: _KANA_PLACEHOLDER[m.group()], converted)
    converted = _SPACES.sub(" ", converted).strip(" ")
    converted = _SPACES_AROUND_PLACEHOLDER.sub(r"\1", converted)
    if not converted:
        raise AccountNameError("口座名義（カナ）を入力してください。")
    if all(c in _PLACEHOLDERS for c in converted):
        raise AccountNameError("口座名義が法人の種類だけです。通帳の表記どおり、名称も入力してください。")
    last = len(converted) - 1
    name = "".join(
        (
            _PLACEHOLDERS[c] + ")" if i == 0
            else "(" + _PLACEHOLDERS[c] if i == last
            else "(" + _PLACEHOLDERS[c] + ")"
        )
        if c in _PLACEHOLDERS
        else c
        for i, c in enumerate(converted)
    )

    size = len(name.encode(FILE_ENCODING))
    if size > ACCOUNT_NAME_MAX_BYTES:
        raise AccountNameError(
            f"口座名義は{ACCOUNT_NAME_MAX_BYTES}バイト以内にしてください（変換後「{name}」は{size}バイトです。"
            "半角カナ・英数字は1文字1バイト、濁点・半濁点も1バイトと数えます）。"
        )
    return name


def _file_kana(full_width: str) -> str:
    """zengin-code's full-width kana → half-width for the file (small kana → large, ー → -)."""
    return _convert(full_width)


def bank_name_kana(code: str) -> str:
    """The half-width kana name of bank ``code`` (4 digits) for the file, e.g. "0170" → ``"ﾔﾏｸﾞﾁ"``.

    From zengin-code's full-width ``kana``, converted with jaconv, small kana made large, ``ー`` → ``-``,
    ``．`` → ``.``; not truncated (the writer cuts it to its C(15) field). A few foreign banks'
    names hold a ``.`` (0421 → ``ｸﾚﾃﾞｲ.ｱｸﾞﾘｺﾙ``): the writer takes them only with ``allow_period_slash``.
    Raises BankCodeError when the code is unknown.
    """
    bank = zengin_code.Bank.all.get(code)
    if bank is None:
        raise BankCodeError(f"金融機関コード「{code}」は存在しません。")  # the same words as bank_code_problem
    return _file_kana(bank.kana)


def branch_name_kana(bank_code: str, branch_code: str) -> str:
    """The half-width kana name of branch ``branch_code`` (3 digits) of bank ``bank_code`` for the file,
    e.g. ("0170", "001") → ``"ﾎﾝﾃﾝ"``. Not truncated. Raises BankCodeError when either code is unknown.
    """
    problem = bank_code_problem(bank_code, branch_code)
    if problem is not None:
        raise BankCodeError(problem.message)
    return _file_kana(zengin_code.Bank.all[bank_code].branches[branch_code].kana)
