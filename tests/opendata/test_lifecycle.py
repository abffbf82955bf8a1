"""The open data of cases taken through the real services (the council's full lifecycle): a case appears once decided,
with its state in words, and a 不交付決定 never does."""
import pytest
from django.db.models import Max
from django.utils import timezone

from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.opendata import dataset
from tests.cases.world import KEPT, REPORTED, World, _pay_settlement, drive

pytestmark = pytest.mark.django_db


def _row(w: World, case: GrantCase) -> dataset.AwardRow | None:
    wanted = f"{w.py.fiscal_year}-{w.py.programme.code}-{case.number}"
    try:
        rows = dataset.award_rows(w.py.fiscal_year)
    except dataset.YearNotPublished:
        return None
    return next((row for row in rows if row.id == wanted), None)


@pytest.mark.parametrize(("status", "words", "confirmed"), [
    (Status.DECIDED, "交付決定", None),
    (Status.CHANGE_REQUESTED, "交付決定", None),
    (Status.REPORTED, "交付決定", None),
    (Status.CONFIRMED, "額の確定", REPORTED),
    (Status.CANCELLED, "交付決定取消", KEPT),
])
def test_a_decided_case_is_published_with_its_state(world: World, status: str, words: str,
                                                    confirmed: int | None) -> None:
    case = drive(world, status)
    row = _row(world, case)
    assert row is not None
    assert (row.status, row.decided_amount, row.confirmed_amount, row.decided_on) == (
        words, case.decided_amount, confirmed, timezone.localdate())
    assert row.recipient_name == world.org.name and row.unit == "個別"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.NOT_GRANTED])
def test_a_case_not_decided_or_refused_is_not_published(world: World, status: str) -> None:
    case = drive(world, status)
    assert _row(world, case) is None


def test_a_cancelled_case_closed_after_its_settlement_still_reads_cancelled(world: World) -> None:
    case = drive(world, Status.CANCELLED)
    _pay_settlement(world, case)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    row = _row(world, case)
    assert row is not None and (row.status, row.confirmed_amount) == ("交付決定取消", KEPT)


def test_last_modified_is_the_latest_act_on_the_case(world: World) -> None:
    case = drive(world, Status.REPORTED)
    latest = AuditEvent.objects.for_object(case).aggregate(at=Max("at"))["at"]
    assert dataset.year_data(world.py.fiscal_year).last_modified == latest.replace(microsecond=0)
