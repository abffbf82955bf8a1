"""The whole path through the services, from the group's report to the recorded payment."""
import pytest

from grants.insurance import claims, machines
from grants.insurance.models import ClaimStatus, ReportStatus

from . import builders


@pytest.mark.django_db
def test_report_to_payment(association, association_head, insurance, policy, media):
    claim = builders.filed_claim(association_head, insurance, association, outpatient_days=10)
    # 通院 10日 × 2,000円 = 20,000円
    assert claim.status == ClaimStatus.FILED
    assert claim.computed_amount == 20_000
    assert claim.report.status == ReportStatus.COVERED
    claims.forward_claim(actor=insurance, claim_id=claim.pk, insurer_reference="A-1")
    paid = claims.record_payment(actor=insurance, claim_id=claim.pk, paid_on=builders.today(), amount=20_000)
    assert paid.status == ClaimStatus.PAID
    assert machines.visible_reports(association_head).count() == 1
