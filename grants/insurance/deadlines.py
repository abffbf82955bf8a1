"""Deadlines of the insurance scheme, in days counted as the policy's 要綱 counts them (``grants.core.deadlines``:
初日算入 「事故の日を含めて20日以内」 ends on the accident day + 19 days, CONVENTIONS.md; 翌日起算 「事故の日の翌日から
起算して20日以内」 on the accident day + 20 days)."""
import datetime as dt

from .models import InsurancePolicy


def report_due(policy: InsurancePolicy, accident_date: dt.date) -> dt.date:
    """Last day to file the 事故報告書: ``report_due_days`` days from the accident day, counted by
    ``report_due_counting`` (``InsurancePolicy.report_due_on``)."""
    return policy.report_due_on(accident_date)


def is_late(policy: InsurancePolicy, accident_date: dt.date, filed_on: dt.date) -> bool:
    """A report filed after its due date needs a 遅延理由書."""
    return filed_on > report_due(policy, accident_date)


def claim_opens(policy: InsurancePolicy, accident_date: dt.date, recovered_on: dt.date | None) -> dt.date:
    """When the claim may be filed: on recovery (治療の終了), or once ``claim_after_days`` days have passed since the
    accident while treatment goes on, whichever comes first."""
    at_days = accident_date + dt.timedelta(days=policy.claim_after_days)
    return min(recovered_on, at_days) if recovered_on is not None else at_days
