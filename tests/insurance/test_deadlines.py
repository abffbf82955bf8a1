"""Deadlines of the community activity insurance (grants/insurance/deadlines.py): the report's due date counts
the accident day, and a claim opens on recovery or at 180 days, against the test policy ube() of
tests/insurance/builders.py (宇部市's and 廿日市市's published amounts)."""
import datetime as dt

import pytest

from grants.insurance.deadlines import claim_opens, is_late, report_due
from tests.insurance.builders import ube

D = dt.date


@pytest.mark.parametrize(("accident", "due"), [
    (D(2026, 6, 1), D(2026, 6, 20)),  # 20 days counting the accident day: + 19
    (D(2026, 12, 20), D(2027, 1, 8)),  # across the year end
    (D(2027, 2, 10), D(2027, 3, 1)),  # February of a common year (28 days)
    (D(2028, 2, 10), D(2028, 2, 29)),  # February of a leap year
    (D(2026, 1, 31), D(2026, 2, 19)),  # across a month end
])
def test_report_due_counts_the_accident_day(accident: dt.date, due: dt.date) -> None:
    assert report_due(ube(), accident) == due
    assert not is_late(ube(), accident, due)
    assert is_late(ube(), accident, due + dt.timedelta(days=1))


def test_claim_opens_on_recovery_or_at_180_days() -> None:
    accident = D(2026, 10, 1)
    assert claim_opens(ube(), accident, D(2026, 11, 15)) == D(2026, 11, 15)
    assert claim_opens(ube(), accident, None) == D(2027, 3, 30)  # 10/01 + 180 days
    assert claim_opens(ube(), accident, D(2027, 6, 1)) == D(2027, 3, 30)  # still treated: 180 days
