"""Races of the panel and the selection on PostgreSQL (SQLite has no row locks): two members scoring one
application at once both land; one member's double submission leaves one score per criterion; two approvers
deciding one selection at once make one decision with one notice per application."""
import pytest
from django.db import connection

from grants.competitive import panel, selection
from grants.competitive.models import Criterion, Score, Selection
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.competitive import steps
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def refusals_only(outcomes, *kinds) -> None:  # type: ignore[no-untyped-def]
    bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, kinds)]
    assert not bad, outcomes


def scores_of(case, value):  # type: ignore[no-untyped-def]
    return {c.pk: value for c in Criterion.objects.filter(call__applications__case=case)}


def test_two_members_scoring_one_application_at_once_both_land(open_call, npo, staff, judge, judge2) -> None:  # type: ignore[no-untyped-def]
    case = steps.screening(open_call, *npo, staff)
    for member in (judge, judge2):
        panel.declare(case_id=case.pk, actor=member, conflicted=False)
    outcomes = run_together(
        lambda: panel.save_scores(case_id=case.pk, actor=judge, scores=scores_of(case, 5), comments={}),
        lambda: panel.save_scores(case_id=case.pk, actor=judge2, scores=scores_of(case, 1), comments={}))
    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert sorted(Score.objects.values_list("score", flat=True)) == [1, 1, 1, 1, 5, 5, 5, 5]
    assert panel.ranking(open_call)[0].scorers == 2


def test_one_member_submitting_twice_at_once_leaves_one_score_per_criterion(open_call, npo, staff, judge) -> None:  # type: ignore[no-untyped-def]
    case = steps.screening(open_call, *npo, staff)
    outcomes = run_together(lambda: panel.declare(case_id=case.pk, actor=judge, conflicted=False),
                            lambda: panel.declare(case_id=case.pk, actor=judge, conflicted=False))
    assert outcomes[0].pk == outcomes[1].pk, outcomes
    outcomes = run_together(
        lambda: panel.save_scores(case_id=case.pk, actor=judge, scores=scores_of(case, 3), comments={}),
        lambda: panel.save_scores(case_id=case.pk, actor=judge, scores=scores_of(case, 3), comments={}))
    refusals_only(outcomes, panel.PanelError)
    assert Score.objects.count() == 4
    assert set(Score.objects.values_list("score", flat=True)) == {3}


def test_two_approvers_deciding_one_selection_at_once_make_one_decision(open_call, npo, npo_b, staff, judge,  # type: ignore[no-untyped-def]
                                                                       approver, approver2) -> None:
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    steps.score(good, judge, 5)
    steps.score(weak, judge, 2)
    sel = selection.prepare(call_id=open_call.pk, actor=staff, lines=[
        {"case_id": good.pk, "selected": True, "amount": 150_000},
        {"case_id": weak.pk, "selected": False, "reason": "評価が及びませんでした。"}])
    workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)
    outcomes = run_together(
        lambda: workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver),
        lambda: workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver2))
    refusals_only(outcomes, selection.SelectionError)
    assert sum(isinstance(o, Selection) for o in outcomes) == 1, outcomes
    assert Notice.objects.count() == 2
    assert AuditEvent.objects.filter(action="decide_selection").count() == 1
    assert AuditEvent.objects.filter(action__in=("select", "not_select")).count() == 2
