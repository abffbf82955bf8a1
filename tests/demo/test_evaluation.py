"""The evaluation's demo (grants/demo/evaluation.py), after the competitive demo: criteria for this year's and last
year's programme-years, last year's closed application with its targets, results and 自己評価 (what next year's
panel sees), this year's submitted applications with targets, drafts left for the group; a second run changes
nothing."""
import datetime as dt

import pytest
from django.core.management import call_command

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from grants.demo.competitive import CODE, setup_competitive_demo
from grants.demo.evaluation import setup_evaluation_demo
from grants.evaluation.models import Criterion, Indicator, SelfAssessment
from grants.evaluation.summary import earlier_cases
from tests import factories
from tests.insurance.support import on_day

pytestmark = pytest.mark.django_db


def test_the_demo_gives_criteria_targets_and_last_years_results(media, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    on_day(monkeypatch, dt.date(2030, 9, 15))
    call_command("load_reference_data", verbosity=0)
    users = {name: factories.UserFactory(username=name, role=role)
             for name, role in [("tanto", Role.STAFF), ("kessai", Role.APPROVER), ("kaikei", Role.FINANCE)]}
    setup_competitive_demo(fiscal_year=2030, users=users, password="demo-test-pass")
    summary = setup_evaluation_demo(fiscal_year=2030)
    assert summary.criteria == Criterion.objects.count() == 8  # 4 × this year and last year of the programme
    assert set(Criterion.objects.values_list("programme_year__fiscal_year", flat=True)) == {2029, 2030}
    [past] = GrantCase.objects.filter(programme_year__programme__code=CODE, programme_year__fiscal_year=2029)
    assert summary.evaluated_cases == 1
    assert list(past.indicators.values_list("name", "result")) == [("参加者数（延べ）", 640), ("開催回数", 24)]
    assert SelfAssessment.objects.filter(case=past).count() == 3
    current = GrantCase.objects.filter(programme_year__programme__code=CODE, programme_year__fiscal_year=2030)
    for case in current:
        has = case.indicators.exists()
        assert has == (case.status != "draft"), case.status
        assert not case.indicators.filter(result__isnull=False).exists()
    # Next year's panel sees last year's evaluation of the こども食堂 group's application.
    this_years = current.filter(organization=past.organization).exclude(status="draft").first()
    assert this_years is not None and earlier_cases(this_years) == [past]
    counts = (Criterion.objects.count(), Indicator.objects.count(), SelfAssessment.objects.count())
    setup_evaluation_demo(fiscal_year=2030)
    assert (Criterion.objects.count(), Indicator.objects.count(), SelfAssessment.objects.count()) == counts
