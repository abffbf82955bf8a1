"""Careless treatment records and what they are worth: a death recorded together with a disability share, the
most that one person's injury can be paid for death and disability together."""
import datetime as dt
from decimal import Decimal

import pytest

from grants.insurance import claims
from grants.insurance.benefits import Treatment, injury_benefit
from grants.insurance.models import InsurancePolicy
from tests.insurance import builders

pytestmark = pytest.mark.django_db


def _policy() -> InsurancePolicy:
    return InsurancePolicy(fiscal_year=2026, insurer="テスト", policy_number="T", period_start=dt.date(2026, 4, 1),
                           period_end=dt.date(2027, 3, 31), death_benefit=5_000_000, disability_min=90_000,
                           inpatient_daily=3_000)


@pytest.mark.parametrize("percent,disability", [(Decimal(100), 5_000_000), (Decimal(4), 200_000),
                                                (Decimal("0.5"), 90_000)])
def test_regression_death_and_disability_together_are_paid_up_to_the_death_benefit(percent, disability) -> None:
    """傷害保険の約款: 後遺障害保険金 and 死亡保険金 together are limited to the 保険金額; the death benefit is the
    保険金額 less the disability benefit. Both ticked on one claim computed 10,000,000円 for a 5,000,000円 cover."""
    benefit = injury_benefit(_policy(), Treatment(accident_date=dt.date(2026, 6, 1), died=True,
                                                  disability_percent=percent))
    assert [(line.label, line.amount) for line in benefit.lines] == [
        ("死亡保険金", 5_000_000 - disability), ("後遺障害保険金", disability)]
    assert benefit.amount == 5_000_000
    assert "後遺障害保険金" in benefit.lines[0].basis and f"{disability:,}円" in benefit.lines[0].basis


def test_death_alone_and_disability_alone_are_unchanged() -> None:
    accident = dt.date(2026, 6, 1)
    assert [(line.label, line.basis, line.amount) for line in injury_benefit(
        _policy(), Treatment(accident_date=accident, died=True)).lines] == [("死亡保険金", "定額", 5_000_000)]
    assert injury_benefit(_policy(), Treatment(accident_date=accident, disability_percent=Decimal(4))).amount == 200_000


def test_regression_inpatient_days_are_paid_on_top_of_the_capped_death_and_disability() -> None:
    accident = dt.date(2026, 6, 1)
    benefit = injury_benefit(_policy(), Treatment(accident_date=accident, died=True, disability_percent=Decimal(10),
                                                  inpatient=[(accident, accident + dt.timedelta(days=2))]))
    assert benefit.amount == 5_000_000 + 9_000


def test_regression_a_claim_filed_with_both_keeps_the_capped_amount(group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None, died=True,
                            disability_percent="100")
    for kind in ("claim_form", "medical"):
        claims.add_claim_document(actor=group_a.head, claim_id=claim.pk, kind=kind, title=kind, upload=builders.pdf())
    filed = claims.file_claim(actor=group_a.head, claim_id=claim.pk)
    assert filed.computed_amount == 5_000_000


def test_regression_overlapping_inpatient_stays_are_refused(client, group_a, insurance) -> None:
    """The same stay typed on two rows was kept: the amount counted its days once, the insurer's document set
    listed 「入院 6日」 for three days in hospital."""
    from django.urls import reverse

    from grants.insurance.models import InpatientPeriod
    from tests.insurance.pages import login

    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    first = report.accident_date
    data = {"state": "in_treatment", "surgeries_inpatient": 0, "surgeries_outpatient": 0}
    for row, (a, b) in enumerate(((first, first + dt.timedelta(days=2)), (first + dt.timedelta(days=2),
                                                                          first + dt.timedelta(days=3))), start=1):
        data[f"inpatient_{row}_first"], data[f"inpatient_{row}_last"] = a.isoformat(), b.isoformat()
    response = login(client, group_a.head).post(reverse("insurance_claim_treatment", args=[claim.pk]), data)
    assert response.status_code == 200
    assert "入院期間: 重なっている期間があります" in response.content.decode()
    assert InpatientPeriod.objects.filter(claim=claim).count() == 0


def test_stays_that_follow_each_other_are_kept(group_a, insurance) -> None:
    report = builders.covered_report(group_a.head, insurance, group_a.organization)
    claim = claims.send_claim_forms(actor=insurance, report_id=report.pk, person_id=report.persons.get().pk)
    day = report.accident_date
    claims.record_treatment(actor=group_a.head, claim_id=claim.pk, in_treatment=True, recovered_on=None,
                            inpatient=[(day + dt.timedelta(days=3), day + dt.timedelta(days=4)),
                                       (day, day + dt.timedelta(days=2))])
    assert claim.inpatient.count() == 2
