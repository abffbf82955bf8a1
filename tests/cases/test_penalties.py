"""加算金 / 延滞金 (``grants/cases/penalties.py``, GRANTS.md §4): late interest and surcharge by the day,
receipts attributed to the latest advances first, partial repayments, leap years and rounding.

Every expected number is computed by hand in a comment next to it, at the rate of tests/cases/money.py (RATE:
0.0003 a day)."""
import datetime as dt
from decimal import Decimal

import pytest

from grants.cases.penalties import attribute_to_receipts, charges
from tests.cases.money import RATE


def test_late_interest_on_a_million_for_thirty_days() -> None:
    due = dt.date(2025, 6, 30)
    owed = charges(principal=1_000_000, advances=[(dt.date(2025, 4, 1), 1_000_000)], due_on=due,
                   surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=due + dt.timedelta(days=30))
    # 1,000,000 × 10.95 % × 30 / 365 = 1,000,000 × 0.0009 = 9,000
    assert (owed.principal_unpaid, owed.surcharge, owed.late, owed.total) == (1_000_000, 0, 9_000, 1_009_000)
    # nothing runs up to and including the due date
    assert charges(principal=1_000_000, advances=[(dt.date(2025, 4, 1), 1_000_000)], due_on=due,
                   surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=due).late == 0


def test_surcharge_is_taken_from_the_latest_advances_first() -> None:
    first, second = (dt.date(2025, 4, 10), 600_000), (dt.date(2025, 7, 10), 400_000)
    # 500,000 to refund: 400,000 from the 7/10 advance, then 100,000 from the 4/10 one
    assert attribute_to_receipts(500_000, [first, second]) == [(second[0], 400_000), (first[0], 100_000)]
    owed = charges(principal=500_000, advances=[first, second], due_on=dt.date(2025, 11, 30), surcharge_rate=RATE,
                   late_rate=RATE, repayments=[(dt.date(2025, 10, 17), 500_000)], on=dt.date(2025, 10, 17))
    # 7/10 … 10/17 both counted = 22 + 31 + 30 + 17 = 100 days: 400,000 × 0.0003 × 100 = 12,000
    # 4/10 … 10/17 = 21 + 31 + 30 + 31 + 31 + 30 + 17 = 191 days: 100,000 × 0.0003 × 191 = 5,730
    assert (owed.principal_unpaid, owed.surcharge, owed.late) == (0, 17_730, 0)


def test_refund_above_what_was_received_is_an_error() -> None:
    with pytest.raises(ValueError, match="返還額が受領した額を超えています。"):
        attribute_to_receipts(500_001, [(dt.date(2025, 4, 1), 500_000)])


def test_partial_repayments_stop_both_charges_on_what_they_repay() -> None:
    advance = [(dt.date(2025, 4, 1), 1_000_000)]
    repaid = [(dt.date(2025, 7, 30), 400_000), (dt.date(2025, 8, 29), 600_000)]

    def on(day: dt.date):  # type: ignore[no-untyped-def]
        return charges(principal=1_000_000, advances=advance, due_on=dt.date(2025, 6, 30), surcharge_rate=RATE,
                       late_rate=RATE, repayments=repaid, on=day)

    # 延滞金: 1,000,000 × 0.0003 × 30 (7/1 … 7/30) = 9,000, then 600,000 × 0.0003 × 30 (7/31 … 8/29) = 5,400
    # 加算金: 400,000 × 0.0003 × 121 (4/1 … 7/30) = 14,520, then 600,000 × 0.0003 × 151 (4/1 … 8/29) = 27,180
    settled = on(dt.date(2025, 8, 29))
    assert (settled.principal_unpaid, settled.surcharge, settled.late) == (0, 41_700, 14_400)
    assert on(dt.date(2026, 3, 31)) == settled  # nothing accrues once the principal is back
    # on 8/1, between the two: 延滞金 9,000 + 600,000 × 0.0003 × 2 = 9,360;
    # 加算金 14,520 + 600,000 × 0.0003 × 123 (4/1 … 8/1) = 36,660
    between = on(dt.date(2025, 8, 1))
    assert (between.principal_unpaid, between.surcharge, between.late) == (600_000, 36_660, 9_360)
    # repayments after the day asked about do not count yet
    assert on(dt.date(2025, 7, 29)).principal_unpaid == 1_000_000


def test_repayments_above_the_principal_are_an_error() -> None:
    with pytest.raises(ValueError):
        charges(principal=100, advances=[(dt.date(2025, 4, 1), 100)], due_on=dt.date(2025, 5, 1),
                surcharge_rate=RATE, late_rate=RATE, repayments=[(dt.date(2025, 4, 2), 101)], on=dt.date(2025, 4, 2))


def test_a_leap_year_is_still_counted_on_365_days() -> None:
    def late(due: dt.date, day: dt.date) -> int:
        return charges(principal=1_000_000, advances=[(dt.date(2027, 4, 1), 1_000_000)], due_on=due,
                       surcharge_rate=Decimal("0"), late_rate=RATE, repayments=[], on=day).late

    # 2027-12-31 → 2028-12-31: 366 days (2028 is a leap year) × 0.0003 × 1,000,000 = 109,800 (not 109,500)
    assert late(dt.date(2027, 12, 31), dt.date(2028, 12, 31)) == 109_800
    # 2/29 and 3/1: 2 days → 600
    assert late(dt.date(2028, 2, 28), dt.date(2028, 3, 1)) == 600


def test_penalties_are_rounded_once_to_the_rules_unit() -> None:
    due = dt.date(2025, 6, 30)

    def late(unit: int) -> int:
        return charges(principal=1_234_567, advances=[(dt.date(2025, 4, 1), 1_234_567)], due_on=due,
                       surcharge_rate=Decimal("0"), late_rate=RATE,
                       repayments=[(due + dt.timedelta(days=17), 884_567)], on=due + dt.timedelta(days=27),
                       rounding_unit=unit).late

    # 1,234,567 × 0.0003 × 17 = 6,296.2917; then 350,000 × 0.0003 × 10 = 1,050; total 7,346.2917
    assert late(1) == 7_346
    assert late(100) == 7_300  # rounded once: per period it would be 6,200 + 1,000 = 7,200
