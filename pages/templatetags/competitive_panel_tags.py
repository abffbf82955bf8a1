"""The 審査 section of a competitive case page (``templates/cases/sections/_screening.html``): for city users the
application's scores summary and rank; for everyone who may see the case, the 採択 (amount) or 不採択 (reason)
once the selection is decided. A member's comments never appear here (they are the city's, on the ranking)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django import template

from grants.accounts.models import User
from grants.cases.models import GrantCase
from grants.competitive import panel
from grants.competitive.models import Criterion, ProjectPlan, Score, SelectionLine

register = template.Library()


@dataclass(frozen=True)
class CriterionMean:
    """A criterion and the members' mean score on it (two decimals), out of its 満点."""

    criterion: Criterion
    mean: str


@dataclass(frozen=True)
class Screening:
    """What the section shows: ``ranked`` and ``means`` for city users only (None / [] for a group), ``count``
    the applications ranked, ``outcome`` the decided selection line (None before the decision)."""

    plan: ProjectPlan
    ranked: panel.Ranked | None
    count: int
    means: list[CriterionMean]
    outcome: SelectionLine | None


@register.simple_tag
def screening_of(case: GrantCase, user: User) -> Screening | None:
    """The screening of ``case`` as ``user`` (who may already see the case) may see it; None for a case that is
    not an application to a call."""
    plan = ProjectPlan.objects.filter(case=case).select_related("call").first()
    if plan is None:
        return None
    line = (SelectionLine.objects.filter(case=case, selection__decided_by__isnull=False)
            .select_related("selection").first())
    if not user.is_city_user:
        return Screening(plan, None, 0, [], line)
    ranking = panel.ranking(plan.call)
    mine = next((r for r in ranking if r.plan.case_id == case.pk), None)
    return Screening(plan, mine, len(ranking), _means(plan, case), line)


def _means(plan: ProjectPlan, case: GrantCase) -> list[CriterionMean]:
    scores: dict[int, list[int]] = {}
    for criterion_id, score in Score.objects.filter(case=case).values_list("criterion_id", "score"):
        scores.setdefault(criterion_id, []).append(score)
    return [CriterionMean(c, f"{float(Fraction(sum(scores[c.pk]), len(scores[c.pk]))):.2f}"
                          if scores.get(c.pk) else "—")
            for c in Criterion.objects.filter(call=plan.call)]
