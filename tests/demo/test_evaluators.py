"""The demo's 評価委員 (grants/demo/evaluation.py ``setup_evaluator_demo``): hyoka1's third-party evaluation of last
year's closed case submitted and published, hyoka2's draft peer evaluation (a second closed case, where the demo has
one, waits for hyoka1's declaration); a second run changes nothing."""
import datetime as dt

import pytest
from django.core.management import call_command

from grants.accounts.models import Role
from grants.demo.competitive import setup_competitive_demo
from grants.demo.evaluation import setup_evaluation_demo, setup_evaluator_demo
from grants.evaluation.models import Assignment, Score
from grants.evaluation.publication import published_results
from tests import factories
from tests.insurance.support import on_day

pytestmark = pytest.mark.django_db


def test_the_demo_evaluators_have_a_submitted_and_published_and_a_draft_assignment(media, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    on_day(monkeypatch, dt.date(2030, 9, 15))
    call_command("load_reference_data", verbosity=0)
    users = {name: factories.UserFactory(username=name, role=role)
             for name, role in [("tanto", Role.STAFF), ("kessai", Role.APPROVER), ("kaikei", Role.FINANCE)]}
    setup_competitive_demo(fiscal_year=2030, users=users, password="demo-test-pass")
    setup_evaluation_demo(fiscal_year=2030)
    assert setup_evaluator_demo(fiscal_year=2030, staff=users["tanto"], password="demo-test-pass") == 2
    rows = sorted(Assignment.objects.values_list("evaluator__username", "kind", "status", "conflict_declared"))
    assert rows == [("hyoka1", "third_party", "submitted", False), ("hyoka2", "peer", "assigned", False)]
    [case_id] = published_results(2029)
    result = published_results(2029)[case_id]
    assert result.evaluators == 1 and result.weighted_mean is not None and len(result.comments) == 1
    assert "評価委員" not in repr(result)
    counts = (Assignment.objects.count(), Score.objects.count())
    setup_evaluator_demo(fiscal_year=2030, staff=users["tanto"], password="demo-test-pass")
    assert (Assignment.objects.count(), Score.objects.count()) == counts
    hyoka1 = Assignment.objects.get(evaluator__username="hyoka1").evaluator
    assert hyoka1.role == Role.EVALUATOR and hyoka1.check_password("demo-test-pass")
