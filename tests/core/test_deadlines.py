"""Deadlines in days (grants/core/deadlines.py), counted as a 要綱 counts them: 初日算入 (the event day is day 1:
「事故の日を含めて20日以内」 ends on the event day + 19, CONVENTIONS.md "Dates") and 翌日起算 (day 1 is the next day,
民法140条: 「完了した日の翌日から起算して30日以内」 ends on the event day + 30). Attacks: a datetime for a date, a
bool or 0 for the days, an unknown counting."""
import datetime as dt

import pytest

from grants.core.deadlines import DayCounting, deadline_wording, due_on

D = dt.date
INCLUSIVE, NEXT_DAY = DayCounting.INCLUSIVE, DayCounting.NEXT_DAY


@pytest.mark.parametrize(("start", "days", "counting", "expected"), [
    (D(2026, 6, 1), 20, INCLUSIVE, D(2026, 6, 20)),  # 6/1 is day 1, 6/20 day 20
    (D(2026, 6, 1), 20, NEXT_DAY, D(2026, 6, 21)),  # 6/2 is day 1, 6/21 day 20
    (D(2027, 2, 18), 30, NEXT_DAY, D(2027, 3, 20)),  # the example: 2/19 is day 1 (10 days of Feb), 3/20 day 30
    (D(2026, 6, 1), 1, INCLUSIVE, D(2026, 6, 1)),  # 「当日を含めて1日以内」: the same day
    (D(2026, 6, 1), 1, NEXT_DAY, D(2026, 6, 2)),
])
def test_both_countings(start: dt.date, days: int, counting: DayCounting, expected: dt.date) -> None:
    assert due_on(start, days, counting) == expected


@pytest.mark.parametrize(("start", "days", "counting", "expected"), [
    (D(2026, 1, 31), 30, NEXT_DAY, D(2026, 3, 2)),  # 2026 is no leap year: 2/1..2/28 are 28 days, 3/1, 3/2
    (D(2026, 1, 31), 30, INCLUSIVE, D(2026, 3, 1)),
    (D(2026, 3, 31), 30, NEXT_DAY, D(2026, 4, 30)),  # a 31-day month to a 30-day one
    (D(2026, 12, 15), 20, INCLUSIVE, D(2027, 1, 3)),  # across the year end; not moved off 1/3 (calendar days)
    (D(2027, 3, 20), 30, NEXT_DAY, D(2027, 4, 19)),  # across the fiscal year end
])
def test_month_and_year_ends(start: dt.date, days: int, counting: DayCounting, expected: dt.date) -> None:
    assert due_on(start, days, counting) == expected


@pytest.mark.parametrize(("start", "days", "counting", "expected"), [
    (D(2028, 2, 10), 20, INCLUSIVE, D(2028, 2, 29)),  # 2028 is a leap year: day 20 is 2/29
    (D(2028, 2, 10), 20, NEXT_DAY, D(2028, 3, 1)),
    (D(2028, 2, 29), 1, INCLUSIVE, D(2028, 2, 29)),  # from the leap day itself
    (D(2028, 2, 29), 30, NEXT_DAY, D(2028, 3, 30)),
    (D(2028, 2, 29), 366, INCLUSIVE, D(2029, 2, 28)),  # a year counting the first day: there is no 2029-02-29
    (D(2100, 2, 20), 10, NEXT_DAY, D(2100, 3, 2)),  # 2100 is not a leap year (divisible by 100, not by 400)
])
def test_the_leap_day(start: dt.date, days: int, counting: DayCounting, expected: dt.date) -> None:
    assert due_on(start, days, counting) == expected


def test_the_counting_may_be_the_stored_value() -> None:
    assert due_on(D(2026, 6, 1), 20, "inclusive") == due_on(D(2026, 6, 1), 20, INCLUSIVE)
    assert due_on(D(2026, 6, 1), 20, "next_day") == D(2026, 6, 21)


def test_the_wording_is_the_yokos_own() -> None:
    assert deadline_wording("事故の日", 20, INCLUSIVE) == "事故の日を含めて20日以内"
    assert deadline_wording("完了した日", 30, NEXT_DAY) == "完了した日の翌日から起算して30日以内"
    assert deadline_wording("返還命令の日", 20, "next_day") == "返還命令の日の翌日から起算して20日以内"


def test_the_choices_read_in_japanese() -> None:
    assert INCLUSIVE.label.startswith("初日算入") and NEXT_DAY.label.startswith("翌日起算")


def test_attack_a_datetime_is_not_a_day() -> None:
    """A timezone-aware timestamp read as a calendar day would shift the deadline near midnight."""
    with pytest.raises(TypeError):
        due_on(dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC), 20, INCLUSIVE)  # type: ignore[arg-type]


@pytest.mark.parametrize("days", [0, -1, True])
def test_attack_days_that_are_no_deadline(days: int) -> None:
    """0 days would end before the event under 初日算入; a bool is not a count."""
    with pytest.raises((TypeError, ValueError)):
        due_on(D(2026, 6, 1), days, INCLUSIVE)
    with pytest.raises((TypeError, ValueError)):
        deadline_wording("事故の日", days, INCLUSIVE)


def test_attack_an_unknown_counting_is_refused() -> None:
    with pytest.raises(ValueError):
        due_on(D(2026, 6, 1), 20, "calendar_month")
