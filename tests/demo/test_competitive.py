"""The competitive programme's demo (grants/demo/competitive.py): sample calls with groups and applications at
every stage the README walks through, made through the real services, on any day of the year."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from grants.competitive.models import Call, GroupRegistration, ProjectPlan, RegistrationStatus, Score
from grants.competitive.panel import panel_applications
from grants.core.models import AuditEvent
from grants.demo.competitive import setup_competitive_demo
from tests import factories
from tests.insurance.support import on_day

pytestmark = pytest.mark.django_db

STAGES = {"draft", "submitted", "screening", "selected", "not_selected", "decided", "reported", "closed"}


@pytest.fixture
def demo_users(db):  # type: ignore[no-untyped-def]
    call_command("load_reference_data", verbosity=0)
    return {name: factories.UserFactory(username=name, role=role)
            for name, role in [("tanto", Role.STAFF), ("kessai", Role.APPROVER), ("kaikei", Role.FINANCE)]}


@pytest.mark.parametrize("day", [dt.date(2030, 4, 1), dt.date(2030, 9, 15), dt.date(2031, 3, 31)])
def test_on_any_day_of_the_year_the_demo_has_an_application_at_every_stage(day, demo_users, media,  # type: ignore[no-untyped-def]
                                                                           monkeypatch):
    on_day(monkeypatch, day)
    summary = setup_competitive_demo(fiscal_year=2030, users=demo_users, password="demo-test-pass")
    plans = ProjectPlan.objects.select_related("case", "call")
    assert {p.case.status for p in plans} == STAGES
    assert summary.applications == plans.count() == 8
    assert all(call.label == "サンプル" for call in Call.objects.all())
    open_now = [c for c in Call.objects.filter(programme_year__fiscal_year=2030) if c.is_open(day)]
    assert len(open_now) == 1  # 第1次募集 closed yesterday; 第2次募集 is open for the walk-through
    first = Call.objects.get(programme_year__fiscal_year=2030, title__contains="第1次")
    assert first.closes_on < day and first.presentation_on is not None
    assert timezone.localtime(first.presentation_on).hour == 13  # 13:30 in Japan, not in UTC
    assert GroupRegistration.objects.exclude(status=RegistrationStatus.CONFIRMED).count() == 0
    # the こども食堂 project applies again as its 2nd year: the year-2 cap (200,000円) applies
    second_year = GrantCase.objects.get(organization__code="S-0001", programme_year__fiscal_year=2030)
    assert second_year.repeat_year == 2 and (second_year.applied_amount or 0) <= 200_000
    # every application made through the services has its audit trail
    for plan in plans.filter(call__programme_year__fiscal_year=2030):
        assert AuditEvent.objects.for_object(plan.case).filter(action="start_application").exists()
    assert setup_competitive_demo(fiscal_year=2030, users=demo_users, password="demo-test-pass") == summary
    assert ProjectPlan.objects.count() == 8


def test_the_conflicted_panel_member_does_not_see_the_scored_application(demo_users, media):  # type: ignore[no-untyped-def]
    setup_competitive_demo(fiscal_year=factories.CURRENT_FY, users=demo_users, password="demo-test-pass")
    scored = ProjectPlan.objects.get(case__status="screening")
    first, second = (factories.UserFactory(username=u) for u in ("shinsa1", "shinsa2"))
    assert Score.objects.filter(case=scored.case, member__user=first).exists()
    assert panel_applications(first, scored.call).filter(pk=scored.pk).exists()
    assert not panel_applications(second, scored.call).filter(pk=scored.pk).exists()
