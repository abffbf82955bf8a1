"""全国地方公共団体コード: the check digit of JIS X 0402 and the system check of the city's code."""
import pytest
from django.test import override_settings

from grants.opendata.apps import check_city_code
from grants.opendata.codes import check_digit, is_valid_code


@pytest.mark.parametrize(("code", "digit"), [
    ("35203", "9"),  # 山口市: 3×6 + 5×5 + 2×4 + 0×3 + 3×2 = 57; 57 mod 11 = 2; 11 − 2 = 9 → 352039
    ("35201", "2"),  # 下関市 352012
    ("13101", "6"),  # 千代田区 131016
    ("01100", "2"),  # 札幌市 011002
    ("00000", "1"),  # remainder 0: 11 − 0 = 11, its last digit
    ("00006", "0"),  # remainder 1 (6 × 2 = 12): 11 − 1 = 10, its last digit
])
def test_check_digit_by_the_jis_rule(code: str, digit: str) -> None:
    assert check_digit(code) == digit


@pytest.mark.parametrize("bad", ["3520", "352039", "35a03", "３５２０３", ""])
def test_check_digit_refuses_anything_but_five_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


def test_valid_codes() -> None:
    assert is_valid_code("352039")
    assert not is_valid_code("352030")  # the check digit mistyped
    assert not is_valid_code("35203")
    assert not is_valid_code("３５２０３９")


def test_the_city_code_in_settings_passes_the_system_check() -> None:
    assert check_city_code() == []


@override_settings(CITY_LOCAL_GOVERNMENT_CODE="352038")
def test_a_mistyped_city_code_fails_the_system_check() -> None:
    assert [message.id for message in check_city_code()] == ["opendata.E001"]
