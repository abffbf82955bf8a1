"""The policy is data: saved per 年度 with its bands, edited in the admin, checked by the database."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from grants.insurance.benefits import Treatment, injury_benefit
from grants.insurance.models import BenefitBand, BenefitMode, InsurancePolicy
from tests.insurance.builders import ube

pytestmark = pytest.mark.django_db


def test_a_saved_banded_policy_reads_its_bands_from_the_database() -> None:
    policy = ube(benefit_mode=BenefitMode.BANDED)
    policy.save()
    BenefitBand.objects.create(policy=policy, lower_days=1, upper_days=10, amount=20_000)
    BenefitBand.objects.create(policy=policy, lower_days=11, amount=50_000)
    treatment = Treatment(accident_date=dt.date(2026, 6, 1), outpatient=[dt.date(2026, 6, d) for d in range(1, 13)])
    assert injury_benefit(InsurancePolicy.objects.get(pk=policy.pk), treatment).amount == 50_000  # 12 days


def test_one_policy_per_year_and_ordered_periods() -> None:
    ube().save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ube(policy_number="T-0002").save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ube(fiscal_year=2027, period_start=dt.date(2028, 4, 1), period_end=dt.date(2027, 3, 31)).save()
    with transaction.atomic(), pytest.raises(IntegrityError):
        ube(fiscal_year=2028, disability_min=6_000_000).save()


def test_admin_edits_the_policy(admin_client) -> None:  # type: ignore[no-untyped-def]
    policy = ube()
    policy.save()
    assert admin_client.get(f"/admin/insurance/insurancepolicy/{policy.pk}/change/").status_code == 200
    assert admin_client.get("/admin/insurance/insurancepolicy/").status_code == 200


@pytest.mark.django_db
def test_overlapping_policy_periods_are_refused() -> None:
    """policy_for picks the policy of the accident day: two policies may not share a day."""
    fields = {"insurer": "テスト損害保険", "policy_number": "T-1"}
    InsurancePolicy.objects.create(fiscal_year=2026, period_start=dt.date(2026, 4, 1),
                                   period_end=dt.date(2027, 3, 31), **fields)
    overlapping = InsurancePolicy(fiscal_year=2027, period_start=dt.date(2027, 3, 31),
                                  period_end=dt.date(2028, 3, 31), **fields)
    with pytest.raises(ValidationError) as refused:
        overlapping.full_clean()
    assert "（令和8年4月1日〜令和9年3月31日）と重なっています" in str(refused.value.message_dict["period_start"])
    InsurancePolicy(fiscal_year=2027, period_start=dt.date(2027, 4, 1), period_end=dt.date(2028, 3, 31),
                    **fields).full_clean()
