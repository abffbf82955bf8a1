"""The evaluation results of a case: what staff read (every evaluator's scores and comments), what they choose to
publish (評価結果の公表: ``Publication.publish_scores``, the 講評 for the public, and which evaluators' comments,
``Score.comment_published``), and what is published with the award data (``published_results``, read by the open
data).

The published figures count only submitted evaluations (評価提出済). Per criterion the mean score is the sum of the
scores divided by the number of evaluators who scored it, rounded half up to one decimal place (小数第2位を四捨五入
して小数第1位まで, with ``Decimal``; e.g. 3.45 → 3.5, 10/3 → 3.3); the weighted mean of a case is
Σ weight × mean / Σ weight over the criteria scored, computed from the exact means and rounded the same way. No
evaluator is named anywhere in what is published, nor told apart (the comments come in the criteria's order).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core.models import record_event

from .machines import EvaluationError
from .models import Assignment, AssignmentStatus, Criterion, Publication, Score

#: One decimal place: the unit the published means are rounded to.
ONE_PLACE = Decimal("0.1")
#: The longest public summary (公表用の講評), in characters.
SUMMARY_MAX = 4000


def rounded(value: Fraction) -> Decimal:
    """``value`` rounded half up to one decimal place (小数第2位を四捨五入)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PublishedCriterion:
    """One criterion of a published evaluation: its name, 満点 and 重み, the mean score of the submitted
    evaluations (one decimal place, rounded half up; None when no evaluator scored it) and how many scored it."""

    name: str
    max_score: int
    weight: int
    mean: Decimal | None
    scorers: int


@dataclass(frozen=True)
class PublishedComment:
    """A comment (講評) staff chose to publish, under its criterion's name; its evaluator is not named."""

    criterion: str
    text: str


@dataclass(frozen=True)
class PublishedEvaluation:
    """The published evaluation of one case: ``evaluators`` (how many submitted an evaluation, of each kind in
    ``peer`` 相互評価 and ``third_party`` 第三者評価), the criteria in their order, the weighted mean (one decimal
    place; None when nothing was scored), the chosen comments and the summary (公表用の講評)."""

    case_id: int
    evaluators: int
    peer: int
    third_party: int
    criteria: tuple[PublishedCriterion, ...]
    weighted_mean: Decimal | None
    comments: tuple[PublishedComment, ...]
    summary: str


def published_results(fiscal_year: int) -> dict[int, PublishedEvaluation]:
    """By case id, the published evaluations of the cases of 年度 ``fiscal_year`` (the programme-year's) whose
    ``Publication.publish_scores`` is set; other cases are absent. Only the evaluations submitted by the time staff
    decided the publication count (one submitted later waits for their next decision). Four queries whatever the
    number of cases."""
    publications = {p.case_id: p for p in Publication.objects.filter(
        publish_scores=True, case__programme_year__fiscal_year=fiscal_year).select_related("case")}
    if not publications:
        return {}
    years = {p.case.programme_year_id for p in publications.values()}
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(programme_year_id__in=years).order_by("order", "pk"):
        criteria[criterion.programme_year_id].append(criterion)
    # What staff reviewed: the evaluations submitted by the time they decided the publication. One submitted later
    # waits for their next decision (the publication does not change under them).
    submitted = list(Assignment.objects.filter(
        case_id__in=publications, status=AssignmentStatus.SUBMITTED,
        submitted_at__lte=F("case__evaluation_publication__decided_at")).values_list("pk", "case_id", "kind"))
    scores: dict[int, list[Score]] = defaultdict(list)
    case_of = {pk: case_id for pk, case_id, _ in submitted}
    for score in Score.objects.filter(assignment_id__in=case_of).order_by("criterion__order", "pk"):
        scores[case_of[score.assignment_id]].append(score)
    return {case_id: _published(publication, criteria[publication.case.programme_year_id],
                                [kind for _, c, kind in submitted if c == case_id], scores[case_id])
            for case_id, publication in publications.items()}


def _published(publication: Publication, criteria: list[Criterion], kinds: list[str],
               scores: list[Score]) -> PublishedEvaluation:
    by_criterion: dict[int, list[int]] = defaultdict(list)
    for score in scores:
        by_criterion[score.criterion_id].append(score.score)
    means = {c.pk: Fraction(sum(by_criterion[c.pk]), len(by_criterion[c.pk])) for c in criteria if by_criterion[c.pk]}
    weights = sum(c.weight for c in criteria if c.pk in means)
    weighted = sum((c.weight * means[c.pk] for c in criteria if c.pk in means), Fraction(0))
    names = {c.pk: c.name for c in criteria}
    return PublishedEvaluation(
        case_id=publication.case_id, evaluators=len(kinds), peer=kinds.count("peer"),
        third_party=kinds.count("third_party"),
        criteria=tuple(PublishedCriterion(c.name, c.max_score, c.weight,
                                          rounded(means[c.pk]) if c.pk in means else None, len(by_criterion[c.pk]))
                       for c in criteria),
        weighted_mean=rounded(weighted / weights) if weights else None,
        comments=tuple(PublishedComment(names.get(s.criterion_id, ""), s.comment) for s in scores
                       if s.comment_published and s.comment.strip()),
        summary=publication.summary)


# -- staff: reading every evaluation of a case, deciding what is published -------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """One assignment of a case as staff read it: its scores in the criteria's order (None where not scored)
    and its weighted mean (exact, None before any score)."""

    assignment: Assignment
    scores: list[Score | None]
    weighted_mean: Fraction | None

    @property
    def weighted_mean_display(self) -> str:
        return str(rounded(self.weighted_mean)) if self.weighted_mean is not None else "—"


def sheets(case: GrantCase) -> tuple[list[Criterion], list[Sheet]]:
    """For staff (the case already visible to them): the criteria of the case's programme-year and one sheet per
    assignment of the case (every state), in the order of assignment."""
    criteria = list(Criterion.objects.filter(programme_year_id=case.programme_year_id).order_by("order", "pk"))
    assignments = list(Assignment.objects.filter(case=case).select_related("evaluator", "assigned_by").order_by("pk"))
    rows: dict[int, dict[int, Score]] = defaultdict(dict)
    for score in Score.objects.filter(assignment__case=case):
        rows[score.assignment_id][score.criterion_id] = score
    out = []
    for assignment in assignments:
        own = rows[assignment.pk]
        weights = sum(c.weight for c in criteria if c.pk in own)
        total = sum(c.weight * own[c.pk].score for c in criteria if c.pk in own)
        out.append(Sheet(assignment, [own.get(c.pk) for c in criteria],
                         Fraction(total, weights) if weights else None))
    return criteria, out


def decide_publication(*, case_id: int, actor: User, publish_scores: bool, summary: str,
                       published_comments: set[int]) -> Publication:
    """Record what staff ``actor`` publish of case ``case_id``'s evaluation: the scores or not, the public
    summary (at most 4,000 characters) and the comments to publish (``published_comments``: ids of scores of
    the case's submitted evaluations; every other comment of the case is not published). Deciding again replaces
    the decision. Raises ``EvaluationError`` (Japanese) for a non-staff actor, scores published without a
    submitted evaluation, a comment of another case or not submitted, or a long summary;
    ``GrantCase.DoesNotExist`` for a missing case."""
    if actor.role != Role.STAFF:
        raise EvaluationError("評価結果の公表は協働推進課の担当者が決めます。")
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise EvaluationError(f"公表用の講評: {SUMMARY_MAX:,}文字以内で入力してください。")
    with transaction.atomic():
        case = GrantCase.objects.select_for_update().get(pk=case_id)
        submitted = Score.objects.filter(assignment__case=case, assignment__status=AssignmentStatus.SUBMITTED)
        if publish_scores and not submitted.exists():
            raise EvaluationError("提出された評価がないため、評価点は公表できません。")
        chosen = set(published_comments)
        if chosen - set(submitted.values_list("pk", flat=True)):
            raise EvaluationError("公表する講評: この案件の提出された評価の講評から選んでください。")
        Score.objects.filter(assignment__case=case).exclude(pk__in=chosen).update(comment_published=False)
        Score.objects.filter(pk__in=chosen).update(comment_published=True)
        publication, _ = Publication.objects.update_or_create(
            case=case, defaults={"publish_scores": publish_scores, "summary": summary, "decided_by": actor,
                                 "decided_at": timezone.now()})
        record_event(actor=actor, subject=case, action="decide_evaluation_publication",
                     note=("評価点を公表する" if publish_scores else "評価点を公表しない")
                          + f"（公表する講評 {len(chosen)}件）")
    return publication


def publication_of(case: GrantCase) -> Publication | None:
    return Publication.objects.filter(case=case).first()
