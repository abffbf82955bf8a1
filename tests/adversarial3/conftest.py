"""Fixtures of the third adversarial round: the case fixtures of tests/cases, a case whose payment is approved,
a transfer day, the city's transfer settings and a throwaway MEDIA_ROOT."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.cases import services
from grants.core.bankdays import next_bank_business_day


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def approve_case(grant_case, head, staff, approver, payment_drafter, payment_approver):  # type: ignore[no-untyped-def]
    """Take a draft case to 支出承認済 through the real services."""
    services.submit_application(case_id=grant_case.pk, actor=head)
    services.verify_application(case_id=grant_case.pk, actor=staff)
    services.decide_grant(case_id=grant_case.pk, actor=approver)
    services.prepare_payment(case_id=grant_case.pk, actor=payment_drafter)
    return services.approve_payment(case_id=grant_case.pk, actor=payment_approver)


@pytest.fixture
def approved_case(case, association_head, staff, approver, finance):  # type: ignore[no-untyped-def]  # noqa: F811 - the re-exported fixture
    """The head's case (70,000 yen), payment approved by ``finance`` (drafted by ``staff``)."""
    return approve_case(case, association_head, staff, approver, staff, finance)


@pytest.fixture
def transfer_day() -> dt.date:
    return next_bank_business_day(timezone.localdate() + dt.timedelta(days=7))


@pytest.fixture
def transfer_settings(db):  # type: ignore[no-untyped-def]
    from grants.ledger.models import TransferSettings

    return TransferSettings.objects.create(
        requester_code="1234567890", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", branch_code="001",
        account_type="2", account_number="7654321", lead_days=0,
    )
