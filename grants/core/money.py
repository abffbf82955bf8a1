"""Whole-yen arithmetic and the rounding rules that programmes name.

Amounts are integers of yen, never floats. Each programme's rule names its rounding: a unit (¥1 or ¥1,000)
and a mode (切捨て by default). Python's ``round()`` is never used: it rounds half to even.
"""
from decimal import Decimal
from fractions import Fraction

from django.db import models


class RoundingMode(models.TextChoices):
    """How an amount is brought to the rule's unit (端数処理)."""

    FLOOR = "floor", "切捨て"
    CEIL = "ceil", "切上げ"
    HALF_UP = "half_up", "四捨五入"


def round_to(amount: int | Fraction | Decimal, unit: int, mode: str = RoundingMode.FLOOR) -> int:
    """Round ``amount`` (yen, exact) to a multiple of ``unit`` (yen, ≥ 1) by ``mode``.

    ``round_to(617_283.5, 1000)`` → 617,000 (千円未満切捨て, 浜松市 example in GRANTS.md §4).
    Raises ValueError for a unit below 1 or an unknown mode. Negative amounts are not amounts of a grant
    and are refused too.
    """
    if unit < 1:
        raise ValueError("端数処理の単位は1円以上でなければなりません。")
    value = Fraction(amount)
    if value < 0:
        raise ValueError("金額が負になっています。")
    units = value / unit
    if mode == RoundingMode.FLOOR:
        whole = units.numerator // units.denominator
    elif mode == RoundingMode.CEIL:
        whole = -((-units.numerator) // units.denominator)
    elif mode == RoundingMode.HALF_UP:
        whole = (units + Fraction(1, 2)).numerator // (units + Fraction(1, 2)).denominator
    else:
        raise ValueError(f"端数処理の方法「{mode}」は定義されていません。")
    return int(whole) * unit


def floor_to(amount: int | Fraction | Decimal, unit: int) -> int:
    """Round down to a multiple of ``unit`` yen (切捨て), the default of every rule."""
    return round_to(amount, unit, RoundingMode.FLOOR)


def yen(amount: int | None) -> str:
    """Format whole yen for display: 1234567 → '1,234,567円'; None → '—'."""
    return "—" if amount is None else f"{amount:,}円"
