"""年度 (fiscal year) and 和暦 (Japanese era) helpers.

The fiscal year runs April 1 – March 31 (地方自治法第208条). The Western year in which a fiscal year starts
is its key everywhere in the system; labels in 和暦 are derived only when rendering. Era boundaries come from
the japanera library (令和 began 2019-05-01; 平成 began 1989-01-08); the first year of an era is 元年.
"""
import datetime as dt
from functools import lru_cache
from typing import TypeGuard

from japanera import EraDate

FISCAL_YEAR_START_MONTH = 4


def is_day(value: object) -> TypeGuard[dt.date]:
    """Whether ``value`` is a calendar day (a ``date``, not a ``datetime`` nor a text): what an act's input
    must be before it is compared with the bounds of a 年度."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def fiscal_year_of(day: dt.date) -> int:
    """Return the 年度 (Western start year) that ``day`` belongs to: 2027-03-31 → 2026."""
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a 年度: 2026 → (2026-04-01, 2027-03-31)."""
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


# japanera's lookup costs 0.2–0.5 ms, and a list of 50 cases names each case's 年度 and dates: the answer for a day
# never changes within a process, so recent days are kept.
@lru_cache(maxsize=4096)
def era_year(day: dt.date) -> tuple[str, str]:
    """Return (era name, year within the era) for ``day``, the first year written 元: (令和, 元)."""
    try:
        era = EraDate.from_date(day).era
    except ValueError:
        # japanera does not know the calendar's last day (9999-12-31), a date people do type: same era as the day
        # before it.
        era = EraDate.from_date(day - dt.timedelta(days=1)).era
    year = era.strftime(day, "%-Y")
    return era.kanji, "元" if year == "1" else year


def wareki(day: dt.date, *, with_western: bool = False) -> str:
    """Format a date in 和暦: 2019-05-01 → 令和元年5月1日; with_western adds （2019年） after the year."""
    name, year = era_year(day)
    western = f"（{day.year}年）" if with_western else ""
    return f"{name}{year}年{western}{day.month}月{day.day}日"


def fiscal_year_label(fiscal_year: int) -> str:
    """Label a 年度 by the era of its first day: 2026 → 令和8年度, 2019 → 平成31年度 (begins 2019-04-01)."""
    name, year = era_year(dt.date(fiscal_year, 4, 1))
    return f"{name}{year}年度"
