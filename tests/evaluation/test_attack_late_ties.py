"""Conflicts of interest checked only once: an evaluator who becomes (or is recorded as) an officer of the group
after the assignment still declares "no conflict", scores and submits; the panel's rule (panel_applications)
re-checks the tie each time, the evaluation's does not."""
import datetime as dt

import pytest

from grants.evaluation import assignments, scoring
from grants.evaluation.machines import EvaluationError, is_tied
from tests import factories
from tests.evaluation.cast import assign, cast, marks

pytestmark = pytest.mark.django_db


def test_attack_evaluator_tied_after_assignment_still_submits() -> None:
    c = cast()
    a = assign(c)
    # The evaluator is recorded as an officer (会計) of the group after the assignment.
    factories.RepresentativeFactory(organization=c.org, user=c.evaluator, name="評価 一郎", role="clerk",
                                    started_on=dt.date(2020, 4, 1))
    assert is_tied(c.evaluator, c.case)
    with pytest.raises((EvaluationError, Exception)):
        assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
        scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 5, 5, 3), comments={})
    a.refresh_from_db()
    assert a.status != "submitted", "a tied evaluator submitted a score of their own group's case"
