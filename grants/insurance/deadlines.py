"""Deadlines of the insurance scheme, in days counted as the city counts them (CONVENTIONS.md: a deadline
「事故発生日を含め20日以内」 ends on the accident day + 19 days)."""
import datetime as dt

from .models import InsurancePolicy


def report_due(policy: InsurancePolicy, accident_date: dt.date) -> dt.date:
    """Last day to file the 事故報告書: ``report_due_days`` days counting the accident day."""
    return accident_date + dt.timedelta(days=policy.report_due_days - 1)


def is_late(policy: InsurancePolicy, accident_date: dt.date, filed_on: dt.date) -> bool:
    """A report filed after its due date needs a 遅延理由書."""
    return filed_on > report_due(policy, accident_date)


def claim_opens(policy: InsurancePolicy, accident_date: dt.date, recovered_on: dt.date | None) -> dt.date:
    """When the claim may be filed: on recovery (治療の終了), or once ``claim_after_days`` days have passed since the
    accident while treatment goes on, whichever comes first."""
    at_days = accident_date + dt.timedelta(days=policy.claim_after_days)
    return min(recovered_on, at_days) if recovered_on is not None else at_days
