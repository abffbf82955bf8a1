from fractions import Fraction

import pytest

from grants.core.money import RoundingMode, floor_to, round_to


def test_floor_to_thousand_yen() -> None:
    assert floor_to(Fraction(1_234_567, 2), 1000) == 617_000


@pytest.mark.parametrize(
    ("amount", "unit", "mode", "expected"),
    [
        (Fraction(2500), 1000, RoundingMode.HALF_UP, 3000),
        (Fraction(2499), 1000, RoundingMode.HALF_UP, 2000),
        (Fraction(1001), 1000, RoundingMode.CEIL, 2000),
        (Fraction(1000), 1000, RoundingMode.CEIL, 1000),
        (Fraction(7, 2), 1, RoundingMode.FLOOR, 3),
        (Fraction(5, 2), 1, RoundingMode.HALF_UP, 3),
    ],
)
def test_round_to_named_modes(amount: Fraction, unit: int, mode: str, expected: int) -> None:
    assert round_to(amount, unit, mode) == expected


def test_round_to_refuses_bad_unit_and_negative() -> None:
    with pytest.raises(ValueError):
        round_to(100, 0)
    with pytest.raises(ValueError):
        round_to(-1, 1)
