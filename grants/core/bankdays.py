"""Bank business days (銀行営業日) for transfer dates (振込指定日).

A bank business day is a day that is not a Saturday or Sunday, not a national holiday (国民の祝日, including
振替休日 and 国民の休日, as listed by the ``jpholiday`` package) and not in the year-end/new-year closure
12/31–1/3 (shared/domain/CONVENTIONS.md "Dates"; ZENGIN.md: the 振込指定日 must be a bank business day).

Pure Python, no Django. Dates are ``datetime.date``; a ``datetime`` is refused (TypeError) so that a
timezone-aware timestamp is never silently read as a calendar day.
"""
from __future__ import annotations

import datetime as dt

import jpholiday

__all__ = ["bank_business_days_after", "is_bank_business_day", "next_bank_business_day"]

#: (month, day) of the year-end / new-year closure of the banks.
YEAR_END_CLOSURE: frozenset[tuple[int, int]] = frozenset({(12, 31), (1, 1), (1, 2), (1, 3)})

_ONE_DAY = dt.timedelta(days=1)


def _check_date(d: object) -> None:
    if isinstance(d, dt.datetime) or not isinstance(d, dt.date):
        raise TypeError(f"a datetime.date is required, not {type(d).__name__}")


def is_bank_business_day(d: dt.date) -> bool:
    """True when banks are open on ``d``: not Sat/Sun, not a national holiday (jpholiday), not 12/31–1/3.

    Raises TypeError when ``d`` is not a ``date`` (a ``datetime`` is refused too).
    """
    _check_date(d)
    if d.weekday() >= 5:
        return False
    if (d.month, d.day) in YEAR_END_CLOSURE:
        return False
    return not jpholiday.is_holiday(d)


def next_bank_business_day(d: dt.date) -> dt.date:
    """``d`` itself when it is a bank business day, else the first bank business day after it.

    E.g. 2026-12-31 (Thu, closed) → 2027-01-04 (Mon). Raises TypeError when ``d`` is not a ``date``.
    """
    _check_date(d)
    while not is_bank_business_day(d):
        d += _ONE_DAY
    return d


def bank_business_days_after(d: dt.date, n: int) -> dt.date:
    """The bank business day that is ``n`` bank business days after ``d``.

    Counting starts the day after ``d`` (``d`` itself need not be a business day, and is never counted):
    with ``n`` = 1 the result is the first bank business day strictly after ``d``; with ``n`` = 0 it is
    :func:`next_bank_business_day` of ``d``. E.g. from Fri 2026-11-20, 1 → Tue 2026-11-24 (Mon 11-23 is
    勤労感謝の日). Raises ValueError when ``n`` is negative and TypeError when ``n`` is not an int (bool
    refused) or ``d`` is not a ``date``.
    """
    _check_date(d)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError("n must be 0 or more")
    if n == 0:
        return next_bank_business_day(d)
    for _ in range(n):
        d = next_bank_business_day(d + _ONE_DAY)
    return d
