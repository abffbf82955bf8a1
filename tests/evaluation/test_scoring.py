"""An evaluator's scores (grants.evaluation.scoring): 1 … 満点 per criterion, a draft saved as often as needed,
submitted once through the rail with every criterion scored; nothing changes after; the declaration first."""
import pytest

from grants.core.models import AuditEvent
from grants.evaluation import assignments, scoring
from grants.evaluation.machines import EvaluationError
from grants.evaluation.models import Assignment, Score
from tests import factories
from tests.evaluation.cast import assign, cast, criteria, marks

pytestmark = pytest.mark.django_db


def declared(c, evaluator=None):  # type: ignore[no-untyped-def]
    a = assign(c, evaluator)
    assignments.declare(assignment_id=a.pk, actor=evaluator or c.evaluator, conflicted=False)
    return a


def test_a_draft_keeps_what_was_typed_and_a_blank_score_removes_the_earlier_one() -> None:
    c = cast()
    a = declared(c)
    scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 4, 3, None),
                       comments={c.criteria[0].pk: "  目標を上回りました。 "})
    assert {s.criterion.name: (s.score, s.comment) for s in Score.objects.all()} == {
        "目標の達成度": (4, "目標を上回りました。"), "地域への波及効果": (3, "")}
    scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 5, None, 2), comments={})
    assert sorted(Score.objects.values_list("criterion__name", "score")) == [("事業の継続性", 2), ("目標の達成度", 5)]
    assert Assignment.objects.get().status == "assigned"


@pytest.mark.parametrize(("values", "message"), [
    ((0, 3, 2), "目標の達成度: 1〜5点の整数"),
    ((6, 3, 2), "目標の達成度: 1〜5点の整数"),
    ((5, 3, 4), "事業の継続性: 1〜3点の整数"),  # its 満点 is 3
    ((5, -1, 2), "地域への波及効果: 1〜5点の整数"),
    ((True, 3, 2), "目標の達成度: 1〜5点の整数"),
])
def test_attack_a_score_out_of_bounds_is_refused_and_nothing_is_written(values, message) -> None:  # type: ignore[no-untyped-def]
    c = cast()
    a = declared(c)
    scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 1, 1, 1), comments={})
    with pytest.raises(EvaluationError, match=message):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, *values), comments={})
    assert set(Score.objects.values_list("score", flat=True)) == {1}


def test_attack_a_comment_without_a_score_or_too_long_is_refused() -> None:
    c = cast()
    a = declared(c)
    with pytest.raises(EvaluationError, match="講評を保存するには点数も"):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, None, None, None),
                           comments={c.criteria[1].pk: "よい事業です。"})
    with pytest.raises(EvaluationError, match="2,000文字以内"):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 3, 3, 3),
                           comments={c.criteria[2].pk: "あ" * 2001})
    assert not Score.objects.exists()


def test_scores_wait_for_the_declaration() -> None:
    c = cast()
    a = assign(c)
    with pytest.raises(EvaluationError, match="利益相反の有無を申告してください"):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 3, 3, 3), comments={})
    assert not Score.objects.exists()


def test_submission_needs_every_criterion_and_writes_nothing_when_refused() -> None:
    c = cast()
    a = declared(c)
    with pytest.raises(EvaluationError, match="次の評価項目を採点してください: 事業の継続性"):
        scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 4, 4, None), comments={})
    assert not Score.objects.exists()  # the draft of the same transaction is rolled back
    assert Assignment.objects.get().status == "assigned"


def test_submitted_once_through_the_rail_then_nothing_changes() -> None:
    c = cast()
    a = declared(c)
    done = scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 4, 4, 3), comments={})
    assert done.status == "submitted" and done.submitted_at is not None
    row = AuditEvent.objects.get(action="submit_evaluation")
    assert (row.machine, row.from_state, row.to_state) == ("evaluation_assignment", "assigned", "submitted")
    with pytest.raises(EvaluationError, match="評価提出済」のため"):
        scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 1, 1, 1), comments={})
    with pytest.raises(EvaluationError, match="評価提出済」のため、変更できません"):
        scoring.save_draft(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 1, 1, 1), comments={})
    assert sorted(Score.objects.values_list("score", flat=True)) == [3, 4, 4]
    assert AuditEvent.objects.filter(action="submit_evaluation").count() == 1


def test_attack_another_evaluator_or_staff_cannot_score_or_submit() -> None:
    c = cast()
    a = declared(c)
    declared(c, c.evaluator2)
    for actor in (c.evaluator2, c.staff, c.head):
        with pytest.raises((Assignment.DoesNotExist, EvaluationError)):
            scoring.save_draft(assignment_id=a.pk, actor=actor, scores=marks(c, 5, 5, 3), comments={})
        with pytest.raises((Assignment.DoesNotExist, EvaluationError)):
            scoring.submit(assignment_id=a.pk, actor=actor, scores=marks(c, 5, 5, 3), comments={})
    assert not Score.objects.exists()
    assert set(Assignment.objects.values_list("status", flat=True)) == {"assigned"}


def test_attack_a_score_of_a_criterion_of_another_year_is_ignored() -> None:
    c = cast()
    foreign = criteria(factories.rule(fiscal_year=factories.CURRENT_FY - 1))[0]
    a = declared(c)
    scoring.save_draft(assignment_id=a.pk, actor=c.evaluator,
                       scores={**marks(c, 2, 2, 2), foreign.pk: 5}, comments={foreign.pk: "別の年度"})
    assert set(Score.objects.values_list("criterion__programme_year", flat=True)) == {c.year.pk}
