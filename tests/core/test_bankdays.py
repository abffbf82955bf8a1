"""Bank business days: weekends, national holidays (jpholiday) and 12/31–1/3 are closed (CONVENTIONS.md)."""
import datetime as dt

import pytest

from grants.core.bankdays import bank_business_days_after, is_bank_business_day, next_bank_business_day

D = dt.date


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2026, 12, 31), "大晦日 (Thu), year-end closure"),
        (D(2027, 1, 1), "元日 (Fri)"),
        (D(2027, 1, 2), "1/2 (Sat), closure and weekend"),
        (D(2027, 1, 3), "1/3 (Sun), closure and weekend"),
        (D(2026, 1, 2), "1/2 (Fri), closure on a weekday that is not a holiday"),
        (D(2025, 12, 31), "大晦日 (Wed)"),
        (D(2029, 1, 3), "1/3 (Wed), closure on a weekday that is not a holiday"),
        (D(2027, 1, 11), "成人の日 (Mon)"),
        (D(2026, 11, 23), "勤労感謝の日 (Mon)"),
        (D(2026, 5, 6), "振替休日 (Wed)"),
        (D(2026, 9, 22), "国民の休日 (Tue) between 敬老の日 and 秋分の日"),
        (D(2027, 3, 22), "春分の日 振替休日 (Mon)"),
        (D(2026, 11, 21), "Saturday"),
        (D(2026, 11, 22), "Sunday"),
        (D(2027, 1, 9), "Saturday"),
        (D(2027, 1, 10), "Sunday"),
    ],
)
def test_closed_days(day: dt.date, why: str) -> None:
    assert not is_bank_business_day(day), why


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 12, 30),  # Wed: the last business day of 2026
        D(2027, 1, 4),  # Mon: the first business day of 2027
        D(2026, 11, 24),  # Tue after 勤労感謝の日
        D(2027, 1, 12),  # Tue after 成人の日
        D(2026, 11, 20),  # Fri
        D(2027, 1, 8),  # Fri
        D(2027, 11, 22),  # Mon (勤労感謝の日 2027 is Tue 11-23)
        D(2024, 2, 29),  # Thu, leap day
    ],
)
def test_open_days(day: dt.date) -> None:
    assert is_bank_business_day(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 12, 30), D(2026, 12, 30)),  # already a business day: itself
        (D(2026, 12, 31), D(2027, 1, 4)),  # through 元日 and the closure to Monday
        (D(2027, 1, 1), D(2027, 1, 4)),
        (D(2027, 1, 3), D(2027, 1, 4)),
        (D(2027, 1, 9), D(2027, 1, 12)),  # Sat → Sun → 成人の日 → Tue
        (D(2026, 11, 21), D(2026, 11, 24)),  # Sat → Sun → 勤労感謝の日 → Tue
        (D(2026, 5, 2), D(2026, 5, 7)),  # Golden Week: Sat, 憲法記念日, みどりの日, こどもの日, 振替休日
        (D(2026, 9, 19), D(2026, 9, 24)),  # Silver Week: Sat, Sun, 敬老の日, 国民の休日, 秋分の日
        (D(2025, 12, 31), D(2026, 1, 5)),  # Wed 12/31 → Thu 元日 → Fri 1/2 → weekend → Mon 1/5
    ],
)
def test_next_bank_business_day(day: dt.date, expected: dt.date) -> None:
    assert next_bank_business_day(day) == expected
    assert is_bank_business_day(expected)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2026, 11, 20), 0, D(2026, 11, 20)),  # 0: the day itself when open
        (D(2026, 11, 21), 0, D(2026, 11, 24)),  # 0: else the next open day
        (D(2026, 11, 20), 1, D(2026, 11, 24)),  # Fri + 1 skips the weekend and 勤労感謝の日
        (D(2026, 11, 20), 2, D(2026, 11, 25)),
        (D(2026, 11, 21), 1, D(2026, 11, 24)),  # from a closed day: the first open day after it
        (D(2026, 12, 28), 3, D(2027, 1, 4)),  # Mon + 3: 12/29, 12/30, then (closure 12/31–1/3) 1/4
        (D(2026, 12, 30), 1, D(2027, 1, 4)),
        (D(2027, 1, 8), 1, D(2027, 1, 12)),  # Fri + 1 skips the weekend and 成人の日
        (D(2026, 11, 16), 10, D(2026, 12, 1)),
    ],
)
def test_bank_business_days_after(day: dt.date, n: int, expected: dt.date) -> None:
    assert bank_business_days_after(day, n) == expected


def test_business_days_after_counts_each_open_day_once() -> None:
    start = D(2026, 12, 1)
    days = [bank_business_days_after(start, n) for n in range(1, 40)]
    assert days == sorted(set(days))
    assert all(is_bank_business_day(d) for d in days)
    # every open day between the start and the last result is in the list
    every = [start + dt.timedelta(days=i) for i in range(1, (days[-1] - start).days + 1)]
    assert [d for d in every if is_bank_business_day(d)] == days


def test_whole_year_2027_has_the_expected_number_of_business_days() -> None:
    # 365 days − 104 Saturdays and Sundays − 16 national holidays on weekdays (1/1, 1/11, 2/11, 2/23,
    # 3/22 振替休日 (3/21 is a Sunday), 4/29, 5/3, 5/4, 5/5, 7/19, 8/11, 9/20, 9/23, 10/11, 11/3, 11/23)
    # − 12/31 (Fri). 1/2 and 1/3 are a Saturday and a Sunday, already counted.
    year = [D(2027, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert sum(is_bank_business_day(d) for d in year) == 365 - 104 - 16 - 1


def test_errors() -> None:
    with pytest.raises(ValueError):
        bank_business_days_after(D(2026, 11, 20), -1)
    with pytest.raises(TypeError):
        bank_business_days_after(D(2026, 11, 20), True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        is_bank_business_day(dt.datetime(2026, 11, 20, 9, 0))  # noqa: DTZ001
    with pytest.raises(TypeError):
        next_bank_business_day("2026-11-20")  # type: ignore[arg-type]


# Payment batches pushed at their edges: odd case ids in the POST, transfer dates on closed/past/far days,
# double clicks, results recorded twice or against the wrong batch, a returned transfer re-batched, the
# account changed while the transfer is in flight, empty batches.


@pytest.mark.django_db
def test_next_business_day_helper_never_lands_on_a_closed_day() -> None:
    day = dt.date(2026, 12, 28)
    for _ in range(800):
        assert is_bank_business_day(next_bank_business_day(day))
        day += dt.timedelta(days=1)
