"""全国地方公共団体コード (JIS X 0401 / X 0402): the 6-digit code of the city that heads every row of the open data."""
import re

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(code5: str) -> str:
    """The 検査数字 of a 5-digit code (2 digits of the prefecture, JIS X 0401, and 3 of the municipality, JIS X
    0402): the digits weighted 6, 5, 4, 3, 2 from the left, summed, the sum's remainder by 11 taken from 11, and
    the last digit of that (remainder 0 → 1, remainder 1 → 0). 35203 (山口市) → "9". Raises ``ValueError`` for
    anything but five ASCII digits."""
    if not re.fullmatch(r"[0-9]{5}", code5):
        raise ValueError(f"not a 5-digit local government code: {code5!r}")
    total = sum(int(digit) * weight for digit, weight in zip(code5, _WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_code(code6: str) -> bool:
    """Whether ``code6`` is six ASCII digits whose last is the 検査数字 of the first five (352039 → True)."""
    return bool(re.fullmatch(r"[0-9]{6}", code6)) and check_digit(code6[:5]) == code6[5]
