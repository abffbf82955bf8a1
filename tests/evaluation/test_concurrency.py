"""Races of the evaluation on PostgreSQL (SQLite has no row locks): two staff assigning the same evaluator to one
case at once make one assignment; two staff assigning two evaluators at once make both; two evaluators submitting
at once both land; one evaluator's double submission submits once with one score per criterion; a withdrawal racing
the submission leaves one of them."""
import pytest
from django.db import connection

from grants.core.models import AuditEvent
from grants.evaluation import assignments, scoring
from grants.evaluation.machines import EvaluationError
from grants.evaluation.models import Assignment, Score
from tests.concurrency import run_together
from tests.evaluation.cast import assign, cast, marks

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def refusals_only(outcomes, *kinds) -> None:  # type: ignore[no-untyped-def]
    bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, kinds)]
    assert not bad, outcomes


def test_two_staff_assigning_the_same_evaluator_at_once_make_one_assignment() -> None:
    c = cast()
    outcomes = run_together(
        lambda: assignments.assign(case_id=c.case.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=c.staff),
        lambda: assignments.assign(case_id=c.case.pk, evaluator_id=c.evaluator.pk, kind="third_party",
                                   actor=c.staff2))
    refusals_only(outcomes, EvaluationError)
    assert sum(isinstance(o, Assignment) for o in outcomes) == 1, outcomes
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.filter(action="assign_evaluator").count() == 1


def test_two_staff_assigning_two_evaluators_at_once_make_both() -> None:
    c = cast()
    outcomes = run_together(
        lambda: assignments.assign(case_id=c.case.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=c.staff),
        lambda: assignments.assign(case_id=c.case.pk, evaluator_id=c.evaluator2.pk, kind="peer", actor=c.staff2))
    assert all(isinstance(o, Assignment) for o in outcomes), outcomes
    assert Assignment.objects.count() == 2


def declared(c, evaluator):  # type: ignore[no-untyped-def]
    a = assign(c, evaluator)
    assignments.declare(assignment_id=a.pk, actor=evaluator, conflicted=False)
    return a


def test_two_evaluators_submitting_at_once_both_land() -> None:
    c = cast()
    first, second = declared(c, c.evaluator), declared(c, c.evaluator2)
    outcomes = run_together(
        lambda: scoring.submit(assignment_id=first.pk, actor=c.evaluator, scores=marks(c, 5, 5, 3), comments={}),
        lambda: scoring.submit(assignment_id=second.pk, actor=c.evaluator2, scores=marks(c, 1, 1, 1), comments={}))
    assert all(isinstance(o, Assignment) for o in outcomes), outcomes
    assert set(Assignment.objects.values_list("status", flat=True)) == {"submitted"}
    assert Score.objects.count() == 6


def test_one_evaluator_submitting_twice_at_once_submits_once() -> None:
    c = cast()
    a = declared(c, c.evaluator)
    outcomes = run_together(
        lambda: scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 4, 4, 2), comments={}),
        lambda: scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 1, 1, 1), comments={}))
    refusals_only(outcomes, EvaluationError)
    assert sum(isinstance(o, Assignment) for o in outcomes) == 1, outcomes
    assert AuditEvent.objects.filter(action="submit_evaluation").count() == 1
    assert Score.objects.count() == 3
    winner = [o for o in outcomes if isinstance(o, Assignment)][0]
    assert winner.status == "submitted"


def test_a_withdrawal_racing_the_submission_leaves_one_of_them() -> None:
    c = cast()
    a = declared(c, c.evaluator)
    outcomes = run_together(
        lambda: scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 4, 4, 2), comments={}),
        lambda: assignments.withdraw(assignment_id=a.pk, actor=c.staff))
    refusals_only(outcomes, EvaluationError)
    assert sum(isinstance(o, Assignment) for o in outcomes) == 1, outcomes
    status = Assignment.objects.get().status
    assert status in ("submitted", "withdrawn")
    assert Score.objects.count() == (3 if status == "submitted" else 0)
