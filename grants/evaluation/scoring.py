"""An evaluator's scores (評価): whole points 1 … the criterion's 満点, with a comment (講評), on every 評価項目 of the
case's programme-year; saved as a draft as often as needed, then submitted once on the rail (``submit``: every
criterion scored, no conflict declared). After the submission nothing changes: the draft is refused.

Errors: ``EvaluationError`` (Japanese, names the criterion); ``Assignment.DoesNotExist`` for an assignment that is
not the actor's.
"""
from __future__ import annotations

from django.db import transaction

from grants.accounts.models import User
from grants.core import workflow
from grants.core.models import record_event

from .assignments import locked_own_assignment
from .machines import ASSIGNMENT, TIED, EvaluationError, is_tied
from .models import Assignment, Criterion, Score

#: The longest comment, in characters.
COMMENT_MAX = 2000


def criteria_of(assignment: Assignment) -> list[Criterion]:
    """The 評価項目 of the assignment's case (its programme-year's), in their order."""
    return list(Criterion.objects.filter(programme_year_id=assignment.case.programme_year_id).order_by("order", "pk"))


def scores_of(assignment: Assignment) -> dict[int, Score]:
    """The assignment's scores by criterion id (empty before the first draft)."""
    return {s.criterion_id: s for s in assignment.scores.all()}


def save_draft(*, assignment_id: int, actor: User, scores: dict[int, int | None],
               comments: dict[int, str]) -> list[Score]:
    """Save 評価委員 ``actor``'s scores as typed (a draft): ``scores`` maps criterion id → points (None: not yet
    scored, which removes an earlier draft score of it), ``comments`` criterion id → 講評. Only while the
    assignment is 評価待ち and after a declaration of no conflict. Raises ``EvaluationError`` naming the
    criterion for a score outside 1 … 満点, a comment without a score or a comment too long (nothing is
    written). Returns the scores saved, in the criteria's order."""
    with transaction.atomic():
        assignment = locked_own_assignment(actor, assignment_id)
        _may_score(assignment)
        checked = [(c, *_checked(c, scores.get(c.pk), comments.get(c.pk) or "")) for c in criteria_of(assignment)]
        saved = []
        for criterion, value, comment in checked:
            if value is None:
                Score.objects.filter(assignment=assignment, criterion=criterion).delete()
                continue
            saved.append(Score.objects.update_or_create(assignment=assignment, criterion=criterion,
                                                        defaults={"score": value, "comment": comment})[0])
        record_event(actor=actor, subject=assignment, action="save_evaluation_draft",
                     note=f"{assignment.case.reference}：評価の下書き（"
                          + "、".join(f"{c.name} {v}点" for c, v, _ in checked if v is not None) + "）")
    return saved


def submit(*, assignment_id: int, actor: User, scores: dict[int, int | None],
           comments: dict[int, str]) -> Assignment:
    """Save the scores as typed and submit the evaluation (the rail's ``submit``) in one transaction: refused
    (``EvaluationError``, nothing written) when a criterion is not scored; once submitted, a second submission is
    refused by the state."""
    with transaction.atomic():
        save_draft(assignment_id=assignment_id, actor=actor, scores=scores, comments=comments)
        return workflow.perform(ASSIGNMENT, assignment_id, "submit", actor=actor)


def _may_score(assignment: Assignment) -> None:
    if not workflow.leaves(ASSIGNMENT, assignment, "submit"):
        raise EvaluationError(f"この評価は「{assignment.get_status_display()}」のため、変更できません。")
    if assignment.conflict_declared is None:
        raise EvaluationError("評価の前に、利益相反の有無を申告してください。")
    if assignment.conflict_declared:
        raise EvaluationError("利益相反を申し出た案件は評価できません。")
    if is_tied(assignment.evaluator, assignment.case):
        raise EvaluationError(TIED)


def _checked(criterion: Criterion, value: object, comment: str) -> tuple[int | None, str]:
    """The score and comment typed for ``criterion``, or ``EvaluationError`` naming it."""
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise EvaluationError(f"{criterion.name}の講評: {COMMENT_MAX:,}文字以内で入力してください。")
    if value is None:
        if comment:
            raise EvaluationError(f"{criterion.name}: 講評を保存するには点数も入力してください。")
        return None, ""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= criterion.max_score:
        raise EvaluationError(f"{criterion.name}: 1〜{criterion.max_score}点の整数で入力してください。")
    return value, comment
