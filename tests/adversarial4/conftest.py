"""Fixtures of the fourth adversarial round (issue 4, the 地域づくり協議会 grants): two councils with their
secretaries, the two council programme-years, a throwaway MEDIA_ROOT, and the city's transfer settings."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.accounts.models import Role
from tests import factories
from tests.councils import builders


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def council(db):  # type: ignore[no-untyped-def]
    """大歳 council and its secretary (``secretary``)."""
    return builders.council()


@pytest.fixture
def council_b(db):  # type: ignore[no-untyped-def]
    """湯田 council and its secretary (``yuda-secretary``): the other council of every attack."""
    return builders.council(name="湯田地域づくり協議会", username="yuda-secretary")


@pytest.fixture
def katsudo(db):  # type: ignore[no-untyped-def]
    return builders.katsudo_year()


@pytest.fixture
def unei(db):  # type: ignore[no-untyped-def]
    return builders.unei_year()


@pytest.fixture
def approver2(db):  # type: ignore[no-untyped-def]
    return factories.UserFactory(username="approver2", role=Role.APPROVER)


@pytest.fixture
def jichikai_head(db):  # type: ignore[no-untyped-def]
    """A 自治会長 of the same 地域: role association_head, but of a 自治会, not of a council."""
    org = factories.AssociationFactory()
    user = factories.UserFactory(username="jichikai-head", role=Role.ASSOCIATION_HEAD)
    factories.RepresentativeFactory(organization=org, user=user, started_on=dt.date(2020, 4, 1))
    return user


@pytest.fixture
def transfer_settings(db):  # type: ignore[no-untyped-def]
    from grants.ledger.models import TransferSettings

    return TransferSettings.objects.create(
        requester_code="1234567890", requester_name_kana="ﾔﾏｸﾞﾁｼ", bank_code="0170", branch_code="001",
        account_type="2", account_number="7654321", lead_days=0,
    )


def today() -> dt.date:
    return timezone.localdate()
