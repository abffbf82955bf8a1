import datetime as dt

import pytest

from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_of, wareki


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [(dt.date(2026, 4, 1), 2026), (dt.date(2027, 3, 31), 2026), (dt.date(2026, 3, 31), 2025),
     (dt.date(2026, 5, 20), 2026)],
)
def test_fiscal_year_runs_april_to_march(day: dt.date, fiscal_year: int) -> None:
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2026) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(2026, 4, 1), "令和8年4月1日"),
    ],
)
def test_wareki_at_era_boundaries(day: dt.date, text: str) -> None:
    assert wareki(day) == text


def test_wareki_with_western_year() -> None:
    assert wareki(dt.date(2026, 4, 1), with_western=True) == "令和8年（2026年）4月1日"


def test_fiscal_year_label_uses_era_of_april_first() -> None:
    assert fiscal_year_label(2026) == "令和8年度"
    assert fiscal_year_label(2019) == "平成31年度"
    assert fiscal_year_label(2020) == "令和2年度"
