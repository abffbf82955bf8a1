"""Deadlines of the community activity insurance (grants/insurance/deadlines.py): the report's due date counts
the accident day, and a claim opens on recovery or at 180 days, against the test policy ube() of
tests/insurance/builders.py (宇部市's and 廿日市市's published amounts)."""
import datetime as dt

import pytest

from grants.core.deadlines import DayCounting
from grants.insurance.deadlines import claim_opens, is_late, report_due
from tests.insurance import builders
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


# The counting is data (issue 12 §6): a policy whose 要綱 says 「事故の日の翌日から起算して20日以内」 is entered as 20
# days 翌日起算, not as 21 days counting the first, and its pages quote the 要綱's wording.

@pytest.mark.parametrize(("accident", "due"), [
    (D(2026, 6, 1), D(2026, 6, 21)),  # 6/2 is day 1: + 20
    (D(2026, 12, 20), D(2027, 1, 9)),  # across the year end
    (D(2027, 2, 10), D(2027, 3, 2)),  # February of a common year
    (D(2028, 2, 9), D(2028, 2, 29)),  # ends on the leap day
    (D(2026, 1, 31), D(2026, 2, 20)),  # across a month end
])
def test_report_due_counted_from_the_next_day(accident: dt.date, due: dt.date) -> None:
    policy = ube(report_due_counting=DayCounting.NEXT_DAY)
    assert report_due(policy, accident) == due
    assert not is_late(policy, accident, due)
    assert is_late(policy, accident, due + dt.timedelta(days=1))


def test_a_policy_counts_the_first_day_unless_told() -> None:
    """Existing policies keep their meaning: 「事故の日を含めて20日以内」."""
    assert ube().report_due_counting == DayCounting.INCLUSIVE
    assert ube().report_due_wording == "事故の日を含めて20日以内"
    assert ube().report_due_example == "5月1日なら、5月20日まで"


def test_the_wording_and_example_follow_the_counting() -> None:
    policy = ube(report_due_counting=DayCounting.NEXT_DAY, report_due_days=30)
    assert policy.report_due_wording == "事故の日の翌日から起算して30日以内"
    assert policy.report_due_example == "5月1日なら、5月31日まで"


@pytest.mark.django_db
def test_a_report_created_under_a_next_day_policy_gets_its_due_date(association, association_head) -> None:  # type: ignore[no-untyped-def]
    policy = builders.policy(report_due_counting=DayCounting.NEXT_DAY)
    report = builders.draft_report(association_head, association, attachments=False,
                                   accident_date=builders.days_ago(3))
    assert report.policy == policy
    assert report.due_date == report.accident_date + dt.timedelta(days=20)
