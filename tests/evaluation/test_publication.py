"""What is published of an evaluation (grants.evaluation.publication): staff's decision (the scores, the summary, the
comments chosen) and ``published_results`` — means of submitted evaluations only, rounded half up to one place,
only the chosen comments, no evaluator named, only the cases whose scores are published, of the 年度 asked."""
from dataclasses import asdict
from decimal import Decimal
from fractions import Fraction

import pytest

from grants.core.models import AuditEvent
from grants.evaluation import assignments, scoring
from grants.evaluation.machines import EvaluationError
from grants.evaluation.models import Publication, Score
from grants.evaluation.publication import decide_publication, published_results, rounded, sheets
from tests import factories
from tests.evaluation.cast import assign, cast, closed_case, marks, submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "expected"), [
    (Fraction(7, 2), "3.5"), (Fraction(69, 20), "3.5"), (Fraction(689, 200), "3.4"), (Fraction(10, 3), "3.3"),
    (Fraction(11, 3), "3.7"), (Fraction(1, 20), "0.1"), (Fraction(5), "5.0"),
])
def test_means_are_rounded_half_up_to_one_place(value: Fraction, expected: str) -> None:
    assert rounded(value) == Decimal(expected)


def three_evaluations(c):  # type: ignore[no-untyped-def]
    """Two submitted (4, 3, 2 and 5, 4, 3), one a draft (1, 1, 1) and one declined: only the first two count."""
    first = submitted(c, c.evaluator, (4, 3, 2), ("目標を上回る参加がありました。", "", "来年度も続けられる体制です。"), kind="peer")
    second = submitted(c, c.evaluator2, (5, 4, 3), ("評価 二郎の講評：地域の広がりが見えます。",))
    draft = assign(c, factories.UserFactory(username="hyoka3", role="evaluator", display_name="評価 三郎"))
    assignments.declare(assignment_id=draft.pk, actor=draft.evaluator, conflicted=False)
    scoring.save_draft(assignment_id=draft.pk, actor=draft.evaluator, scores=marks(c, 1, 1, 1),
                       comments={c.criteria[0].pk: "下書きの講評"})
    declined = assign(c, factories.UserFactory(username="hyoka4", role="evaluator", display_name="評価 四郎"))
    assignments.declare(assignment_id=declined.pk, actor=declined.evaluator, conflicted=True, reason="会員です")
    return first, second, draft


def test_published_results_count_only_submitted_evaluations_and_only_the_chosen_comments() -> None:
    c = cast()
    first, second, draft = three_evaluations(c)
    chosen = {s.pk for s in Score.objects.filter(assignment=first).exclude(comment="")}
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="地域に根ざした事業です。",
                       published_comments=chosen)
    result = published_results(factories.CURRENT_FY)
    assert list(result) == [c.case.pk]
    got = result[c.case.pk]
    assert (got.evaluators, got.peer, got.third_party) == (2, 1, 1)
    assert [(x.name, x.max_score, x.weight, x.mean, x.scorers) for x in got.criteria] == [
        ("目標の達成度", 5, 2, Decimal("4.5"), 2), ("地域への波及効果", 5, 1, Decimal("3.5"), 2),
        ("事業の継続性", 3, 1, Decimal("2.5"), 2)]
    # (2 × 4.5 + 3.5 + 2.5) / 4 = 15 / 4 = 3.75 → 3.8
    assert got.weighted_mean == Decimal("3.8")
    assert [(x.criterion, x.text) for x in got.comments] == [("目標の達成度", "目標を上回る参加がありました。"),
                                                             ("事業の継続性", "来年度も続けられる体制です。")]
    assert got.summary == "地域に根ざした事業です。"
    text = repr(asdict(got))
    for name in ("評価 一郎", "評価 二郎", "評価 三郎", "評価 四郎", "hyoka", "下書きの講評", "会員です", "代表 花子"):
        assert name not in text


def test_a_case_whose_scores_are_not_published_is_absent_and_so_is_another_year() -> None:
    c = cast()
    three_evaluations(c)
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=False, summary="講評", published_comments=set())
    assert published_results(factories.CURRENT_FY) == {}
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="", published_comments=set())
    assert published_results(factories.CURRENT_FY - 1) == {}
    assert published_results(factories.CURRENT_FY)[c.case.pk].comments == ()


def test_deciding_again_replaces_the_choice_of_comments() -> None:
    c = cast()
    first, second, _ = three_evaluations(c)
    all_comments = set(Score.objects.filter(assignment__in=[first, second]).exclude(comment="")
                       .values_list("pk", flat=True))
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="", published_comments=all_comments)
    assert len(published_results(factories.CURRENT_FY)[c.case.pk].comments) == 3
    one = {Score.objects.get(assignment=second, criterion=c.criteria[0]).pk}
    decide_publication(case_id=c.case.pk, actor=c.staff2, publish_scores=True, summary="", published_comments=one)
    assert [x.text for x in published_results(factories.CURRENT_FY)[c.case.pk].comments] == [
        "評価 二郎の講評：地域の広がりが見えます。"]  # the text is the evaluator's; the name is never added
    publication = Publication.objects.get()
    assert publication.decided_by == c.staff2
    assert AuditEvent.objects.for_object(c.case).filter(action="decide_evaluation_publication").count() == 2


def test_attack_a_comment_of_a_draft_or_of_another_case_cannot_be_published() -> None:
    c = cast()
    _, _, draft = three_evaluations(c)
    other_case = closed_case(c.year, factories.AssociationFactory())
    draft_comment = Score.objects.get(assignment=draft, criterion=c.criteria[0]).pk
    for ids in ({draft_comment}, {999_999}):
        with pytest.raises(EvaluationError, match="提出された評価の講評から選んでください"):
            decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="",
                               published_comments=ids)
    with pytest.raises(EvaluationError, match="提出された評価がないため"):
        decide_publication(case_id=other_case.pk, actor=c.staff, publish_scores=True, summary="",
                           published_comments=set())
    assert not Publication.objects.exists()
    assert not Score.objects.filter(comment_published=True).exists()


@pytest.mark.parametrize("role", ["approver", "finance", "auditor", "evaluator", "association_head"])
def test_attack_only_staff_decide_what_is_published(role: str) -> None:
    c = cast()
    three_evaluations(c)
    actor = factories.UserFactory(username="someone", role=role)
    with pytest.raises(EvaluationError, match="協働推進課の担当者が決めます"):
        decide_publication(case_id=c.case.pk, actor=actor, publish_scores=True, summary="", published_comments=set())
    assert not Publication.objects.exists()


def test_staff_read_every_assignment_with_its_weighted_mean() -> None:
    c = cast()
    three_evaluations(c)
    criteria, rows = sheets(c.case)
    assert [x.name for x in criteria] == ["目標の達成度", "地域への波及効果", "事業の継続性"]
    assert [(r.assignment.evaluator.display_name, r.assignment.status, r.weighted_mean_display) for r in rows] == [
        ("評価 一郎", "submitted", "3.3"),  # (2×4 + 3 + 2) / 4 = 13/4 = 3.25 → 3.3
        ("評価 二郎", "submitted", "4.3"),  # (2×5 + 4 + 3) / 4 = 17/4 = 4.25 → 4.3
        ("評価 三郎", "assigned", "1.0"),
        ("評価 四郎", "declined", "—")]


def test_published_results_read_four_queries_whatever_the_number_of_cases(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = cast()
    three_evaluations(c)
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="", published_comments=set())
    with django_assert_num_queries(4):
        published_results(factories.CURRENT_FY)
    for n in range(3):
        other = closed_case(c.year, factories.AssociationFactory())
        a = assignments.assign(case_id=other.pk, evaluator_id=c.evaluator.pk, kind="peer", actor=c.staff)
        assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=False)
        scoring.submit(assignment_id=a.pk, actor=c.evaluator, scores=marks(c, 3, 3, n + 1), comments={})
        decide_publication(case_id=other.pk, actor=c.staff, publish_scores=True, summary="", published_comments=set())
    with django_assert_num_queries(4):
        assert len(published_results(factories.CURRENT_FY)) == 4


def test_an_evaluation_submitted_after_the_publication_waits_for_staffs_next_decision() -> None:
    # given one evaluation submitted and published
    c = cast()
    submitted(c, c.evaluator, tuple(criterion.max_score for criterion in c.criteria))
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="総評", published_comments=set())
    before = published_results(c.case.programme_year.fiscal_year)[c.case.pk]
    # when a second evaluator submits a low score afterwards
    other = factories.UserFactory(username="hyoka-later", role="evaluator")
    submitted(c, other, tuple(1 for _ in c.criteria))
    # then the published figures are still those staff reviewed, until they decide again
    assert published_results(c.case.programme_year.fiscal_year)[c.case.pk] == before
    decide_publication(case_id=c.case.pk, actor=c.staff, publish_scores=True, summary="総評", published_comments=set())
    assert published_results(c.case.programme_year.fiscal_year)[c.case.pk] != before
