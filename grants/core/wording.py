"""How the pages word what was done: an act's button reads 「申請書兼請求書を提出する」, its message
「申請書兼請求書を提出しました。」 (plain polite public-sector Japanese), never 「「…」を行いました。」.

``done_message(label)`` turns a button's label — a verb phrase in the dictionary form, with an optional note
in parentheses (「審査済にする（決裁へ回す）」) — into that message. The conjugation is the regular one:
〜する → 〜しました; an ichidan verb (〜える・〜いる: 上げる, 受ける) → 〜ました; a godan verb by its last kana
(す→しました, く→きました, る→りました after a/o/u-row kana: 戻る, 送る …); a verbal noun (「送付を記録」)
→ 〜しました; a negative (「承認しない」) → 〜ないことにしました. A label none of these fits is said as
「「…」を受け付けました。」.
"""
import re

_NOTE = re.compile(r"（[^（）]*）$")
# The kana before a final る that mark an ichidan verb (e-row and i-row): 上げる, 受ける, 閉じる …
_ICHIDAN = set("えけげせぜてでねへべぺめれいきぎしじちぢにひびぴみり")
# Godan endings: the last kana → its polite past.
_GODAN = {"す": "しました", "く": "きました", "ぐ": "ぎました", "う": "いました", "つ": "ちました", "む": "みました",
          "ぶ": "びました", "ぬ": "にました", "る": "りました"}
# Godan verbs in る whose stem ends in an e/i-row kana, which the rule above would read as ichidan.
_GODAN_RU = ("帰る", "切る", "入る", "要る", "知る", "走る", "減る", "限る", "蹴る", "滑る", "握る", "参る")


def past_polite(label: str) -> str:
    """``label`` (a verb phrase in the dictionary form) in the polite past, without its note in parentheses:
    「申請書兼請求書を提出する」 → 「申請書兼請求書を提出しました」. ``ValueError`` when it is no verb phrase."""
    text = _NOTE.sub("", label.strip()).rstrip()
    if text.endswith("ない"):  # 「変更を承認しない」: a decision not to
        return text + "ことにしました"
    if text and "\u4e00" <= text[-1] <= "\u9fff":  # a verbal noun (「送付を記録」「振込完了」): 〜しました
        return text + "しました"
    if text.endswith("する"):
        return text[:-2] + "しました"
    if text.endswith("くる") or text.endswith("来る"):
        return text[:-2] + ("きました" if text.endswith("くる") else "来ました")
    if text.endswith("る") and len(text) >= 2 and text[-2] in _ICHIDAN and not text.endswith(_GODAN_RU):
        return text[:-1] + "ました"
    if text and text[-1] in _GODAN:
        return text[:-1] + _GODAN[text[-1]]
    raise ValueError(f"not a verb phrase in the dictionary form: {label!r}")


def done_message(label: str) -> str:
    """The message after the act of the button ``label``: 「…しました。」, or 「「…」を受け付けました。」 for a
    label that is no verb phrase."""
    try:
        return past_polite(label) + "。"
    except ValueError:
        return f"「{label}」を受け付けました。"
