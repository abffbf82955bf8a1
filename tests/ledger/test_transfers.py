"""When a transfer may be dated (grants/ledger/transfers.py): the refusals of a bank holiday and of a day too early
name the same first day the bank takes, so that following one never meets the other."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.core.fiscal import wareki
from grants.ledger import transfers
from grants.ledger.models import TransferSettings

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 12, 4)
SATURDAY, MONDAY, TUESDAY = dt.date(2026, 12, 5), dt.date(2026, 12, 7), dt.date(2026, 12, 8)


@pytest.fixture
def on_a_friday_two_days_ahead(transfer_settings, monkeypatch):  # type: ignore[no-untyped-def]
    TransferSettings.objects.update(lead_days=2)
    monkeypatch.setattr(timezone, "localdate", lambda *args: FRIDAY)
    assert transfers.earliest_transfer_date() == TUESDAY


def test_a_holiday_suggests_the_first_day_the_bank_takes_not_one_refused_next(on_a_friday_two_days_ahead) -> None:  # type: ignore[no-untyped-def]
    """A Saturday suggested the Monday, and the Monday was then refused as too early (「12月7日以降」, then
    「12月8日以降」 for 12月7日): both now name the Tuesday."""
    with pytest.raises(transfers.TransferDateError) as holiday:
        transfers.check_transfer_date(SATURDAY)
    with pytest.raises(transfers.TransferDateError) as early:
        transfers.check_transfer_date(MONDAY)
    first = f"{wareki(TUESDAY)}以降"
    assert first in str(holiday.value) and "休業日" in str(holiday.value)
    assert first in str(early.value) and "早すぎます" in str(early.value)
    transfers.check_transfer_date(TUESDAY)


def test_a_holiday_after_the_earliest_suggests_the_next_business_day(on_a_friday_two_days_ahead) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(transfers.TransferDateError, match=f"{wareki(dt.date(2026, 12, 14))}以降"):
        transfers.check_transfer_date(dt.date(2026, 12, 12))  # a Saturday after the earliest: the Monday after
