"""Benefits and deadlines of the community activity insurance, against a test policy made of 宇部市's published
amounts (GRANTS.md §6: death ¥5,000,000; disability ¥90,000–¥5,000,000; inpatient ¥3,000/day within 180 days;
outpatient ¥2,000/day within 180 days, at most 90 days) and 廿日市市's liability limits (bodily ¥100M per person /
¥300M per accident, property ¥5M per accident) with a ¥5,000 deductible. Every expected yen is worked out in a
comment."""
import datetime as dt

import pytest

from grants.insurance.deadlines import claim_opens, is_late, report_due
from grants.insurance.models import InsurancePolicy

D = dt.date


def ube(**fields: object) -> InsurancePolicy:
    """The test policy (not saved: the engine reads only its fields)."""
    values = {
        "fiscal_year": 2026, "insurer": "テスト損害保険", "policy_number": "T-0001",
        "period_start": D(2026, 4, 1), "period_end": D(2027, 3, 31), "label": "テスト（宇部市・廿日市市の公表値）",
        "liability_bodily_per_person": 100_000_000, "liability_bodily_per_accident": 300_000_000,
        "liability_property_per_accident": 5_000_000, "liability_deductible": 5_000,
        "death_benefit": 5_000_000, "disability_min": 90_000,
        "inpatient_daily": 3_000, "inpatient_window_days": 180,
        "outpatient_daily": 2_000, "outpatient_window_days": 180, "outpatient_max_days": 90,
        "surgery_multiple_inpatient": 10, "surgery_multiple_outpatient": 5, "surgery_max_count": 1,
        "report_due_days": 20, "claim_after_days": 180,
    }
    values.update(fields)
    return InsurancePolicy(**values)


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
