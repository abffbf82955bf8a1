"""Reading a case's evaluation: its targets against the results (達成率), its 自己評価, and the evaluators' scores;
the earlier evaluations of the same group or the same project (for next year's screening panel); nothing here
writes.

Rules (the same as ``grants.evaluation.publication``'s published figures):

- 達成率 of an indicator, in percent: 実績値 ÷ 目標値 × 100; for a reduction target (現状値 given and 目標値 below
  it) (現状値 − 実績値) ÷ (現状値 − 目標値) × 100. Achieved (達成) when the rate is 100 or more. None while there is no
  result, or when the target leaves nothing to divide by (目標値 0, or equal to 現状値): then achieved means the
  result is at least the target (at most, for a reduction).
- Means are rounded half up to one decimal place (小数第2位を四捨五入). The evaluators' mean of a criterion counts
  the submitted evaluations (評価提出済) only; the weighted mean of a case is Σ weight × mean / Σ weight over the
  criteria scored, from the exact means. The 自己評価's weighted mean is the same over the criteria answered.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Q

from grants.cases.models import GrantCase
from grants.competitive.models import ProjectPlan

from .models import AssignmentStatus, Criterion, Indicator, Publication, Score, SelfAssessment

ONE_PLACE = Decimal("0.1")


def rounded(value: Fraction) -> Decimal:
    """``value`` rounded half up to one decimal place."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def achievement(indicator: Indicator) -> Decimal | None:
    """The 達成率 of ``indicator`` in percent, one decimal place (see the module's rules), or None."""
    if indicator.result is None:
        return None
    reduction = indicator.baseline is not None and indicator.target < indicator.baseline
    if reduction:
        assert indicator.baseline is not None
        span, done = indicator.baseline - indicator.target, indicator.baseline - indicator.result
    else:
        span, done = indicator.target, indicator.result
    if span == 0:
        return None
    return rounded(Fraction(done) / Fraction(span) * 100)


def achieved(indicator: Indicator) -> bool | None:
    """Whether the target was reached (None while there is no result)."""
    if indicator.result is None:
        return None
    rate = achievement(indicator)
    if rate is not None:
        return rate >= 100
    if indicator.baseline is not None and indicator.target < indicator.baseline:
        return indicator.result <= indicator.target
    return indicator.result >= indicator.target


def weighted_exact(means: Mapping[int, Fraction], criteria: Iterable[Criterion]) -> Fraction | None:
    """Σ weight × mean / Σ weight over the ``criteria`` that have a mean (by criterion id), exactly, or None."""
    weighted = [(c.weight, means[c.pk]) for c in criteria if c.pk in means]
    total = sum(w for w, _ in weighted)
    if not total:
        return None
    return sum((w * m for w, m in weighted), Fraction(0)) / total


def weighted_mean(means: Mapping[int, Fraction], criteria: Iterable[Criterion]) -> Decimal | None:
    """``weighted_exact`` rounded half up to one decimal place, or None."""
    exact = weighted_exact(means, criteria)
    return None if exact is None else rounded(exact)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    rate: Decimal | None
    achieved: bool | None


@dataclass(frozen=True)
class CriterionRow:
    """One criterion with the group's own score and comment, and the evaluators' mean (one decimal place) with
    how many scored it and the comments shown to this reader."""

    criterion: Criterion
    self_score: int | None
    self_comment: str
    mean: Decimal | None
    scorers: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class CaseEvaluation:
    """What a reader may see of one case's evaluation. ``evaluators``: submitted evaluations; ``scores_shown``:
    whether the evaluators' figures are shown to this reader (always to staff and the panel; to the group once
    staff published them); ``summary``: the published 講評 ("" until then)."""

    case: GrantCase
    indicators: tuple[IndicatorRow, ...]
    criteria: tuple[CriterionRow, ...]
    self_mean: Decimal | None
    evaluator_mean: Decimal | None
    evaluators: int
    scores_shown: bool
    summary: str

    @property
    def achieved_count(self) -> int:
        return sum(1 for row in self.indicators if row.achieved)

    @property
    def reported_count(self) -> int:
        return sum(1 for row in self.indicators if row.achieved is not None)

    @property
    def has_self(self) -> bool:
        return any(row.self_score is not None for row in self.criteria)

    @property
    def comments(self) -> list[tuple[str, str]]:
        """(criterion name, comment) of the comments shown to this reader, in the criteria's order."""
        return [(row.criterion.name, text) for row in self.criteria for text in row.comments]

    @property
    def is_empty(self) -> bool:
        return not self.indicators and not self.has_self and not self.evaluators


def case_evaluation(case: GrantCase, *, internal: bool) -> CaseEvaluation:
    """The evaluation of ``case`` for a reader who may see the case: ``internal`` (staff, the panel) sees every
    evaluator comment and the scores; the group sees the evaluators' scores once staff published them
    (``Publication.publish_scores``) and, once staff decided the publication (``Publication``), only the comments
    chosen for it (``Score.comment_published``).
    No evaluator is named. Five queries."""
    criteria = list(Criterion.objects.filter(programme_year_id=case.programme_year_id).order_by("order", "pk"))
    indicators = list(Indicator.objects.filter(case=case).order_by("order"))
    own = {s.criterion_id: s for s in SelfAssessment.objects.filter(case=case)}
    publication = Publication.objects.filter(case=case).first()
    scores_shown = internal or bool(publication and publication.publish_scores)
    decided = publication is not None  # staff decided what is published (a comment chosen before waits for it)
    per: dict[int, list[Score]] = defaultdict(list)
    evaluators: set[int] = set()
    for score in Score.objects.filter(assignment__case=case, assignment__status=AssignmentStatus.SUBMITTED):
        per[score.criterion_id].append(score)
        evaluators.add(score.assignment_id)
    means = {pk: Fraction(sum(s.score for s in scores), len(scores)) for pk, scores in per.items()}
    rows = tuple(
        CriterionRow(
            criterion=c,
            self_score=own[c.pk].score if c.pk in own else None,
            self_comment=own[c.pk].comment if c.pk in own else "",
            mean=rounded(means[c.pk]) if scores_shown and c.pk in means else None,
            scorers=len(per[c.pk]) if scores_shown else 0,
            comments=tuple(s.comment for s in per[c.pk] if s.comment and (internal or decided and s.comment_published)),
        ) for c in criteria)
    return CaseEvaluation(
        case=case,
        indicators=tuple(IndicatorRow(i, achievement(i), achieved(i)) for i in indicators),
        criteria=rows,
        self_mean=weighted_mean({pk: Fraction(s.score) for pk, s in own.items()}, criteria),
        evaluator_mean=weighted_mean(means, criteria) if scores_shown else None,
        evaluators=len(evaluators) if scores_shown else 0,
        scores_shown=scores_shown,
        summary=publication.summary if publication and publication.publish_scores else "",
    )


def earlier_cases(case: GrantCase) -> list[GrantCase]:
    """The cases of earlier 年度 of the same group (organisation) or of the same project (``Project``, for the
    competitive programme's applications) that have anything of an evaluation (targets, a 自己評価 or a submitted
    evaluation), newest first. The case itself and later years are never among them."""
    projects = ProjectPlan.objects.filter(case=case).values("project_id")
    same = Q(organization_id=case.organization_id) | Q(project_plan__project_id__in=projects)
    evaluated = (Q(indicators__isnull=False) | Q(self_assessments__isnull=False)
                 | Q(evaluation_assignments__status=AssignmentStatus.SUBMITTED))
    pks = (GrantCase.objects.filter(same, evaluated, programme_year__fiscal_year__lt=case.programme_year.fiscal_year)
           .exclude(pk=case.pk).values("pk").distinct())
    return list(GrantCase.objects.filter(pk__in=pks).select_related("programme_year__programme", "organization")
                .order_by("-programme_year__fiscal_year", "-pk"))


def earlier_evaluations(case: GrantCase) -> list[CaseEvaluation]:
    """The evaluations of ``earlier_cases(case)`` as staff and the panel read them (every comment, the scores)."""
    return [case_evaluation(earlier, internal=True) for earlier in earlier_cases(case)]
