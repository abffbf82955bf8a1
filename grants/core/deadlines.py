"""Deadlines stated as a number of days (期限の日数), counted as the 要綱 counts them.

A 要綱 states a deadline in one of two ways, and the same number of days ends on different dates:

- 初日算入 (:attr:`DayCounting.INCLUSIVE`): 「事故の日を含めて20日以内」 — the day of the event is day 1, so the
  deadline is the event day + 19 days (CONVENTIONS.md "Dates").
- 翌日起算 (:attr:`DayCounting.NEXT_DAY`): 「完了した日の翌日から起算して30日以内」 — day 1 is the day after the
  event (民法140条, the default rule of the civil code), so the deadline is the event day + 30 days.

The counting is data (a field beside the number of days), and the pages quote the 要綱's own wording built by
:func:`deadline_wording`, so that the number shown is the number in the 要綱.

Pure Python apart from Django's ``TextChoices``. Dates are ``datetime.date``; a ``datetime`` is refused.
"""
from __future__ import annotations

import datetime as dt

from django.db import models

__all__ = ["DayCounting", "deadline_wording", "due_on"]


class DayCounting(models.TextChoices):
    """How the days of a deadline are counted (期間の計算方法)."""

    INCLUSIVE = "inclusive", "初日算入（…の日を含めて）"
    NEXT_DAY = "next_day", "翌日起算（…の日の翌日から起算して）"


def _check(start: object, days: object, counting: DayCounting | str) -> DayCounting:
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise TypeError(f"a datetime.date is required, not {type(start).__name__}")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, not {type(days).__name__}")
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    return DayCounting(counting)


def due_on(start: dt.date, days: int, counting: DayCounting | str) -> dt.date:
    """Last day (期限日) of a deadline of ``days`` days from the event day ``start``.

    INCLUSIVE (初日算入): ``start`` + ``days`` − 1 (20 days from 2026-06-01 → 2026-06-20).
    NEXT_DAY (翌日起算): ``start`` + ``days`` (30 days from 2027-02-18 → 2027-03-20).
    The deadline is not moved off a holiday: the 要綱 of this city say 「以内」 of calendar days.

    Raises TypeError when ``start`` is not a ``date`` (a ``datetime`` is refused) or ``days`` is not an int
    (bool refused), ValueError when ``days`` < 1 or ``counting`` is not a :class:`DayCounting` value.
    """
    counting = _check(start, days, counting)
    offset = days - 1 if counting == DayCounting.INCLUSIVE else days
    return start + dt.timedelta(days=offset)


def deadline_wording(event: str, days: int, counting: DayCounting | str) -> str:
    """The 要綱's wording of a deadline, e.g. 「事故の日を含めて20日以内」 or 「完了した日の翌日から起算して30日以内」.

    ``event`` names the day the count starts from, ending in 日 (「事故の日」「完了した日」「返還命令の日」).
    Raises TypeError / ValueError as :func:`due_on` does for ``days`` and ``counting``.
    """
    counting = _check(dt.date.min, days, counting)
    if counting == DayCounting.INCLUSIVE:
        return f"{event}を含めて{days}日以内"
    return f"{event}の翌日から起算して{days}日以内"
