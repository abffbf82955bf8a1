"""The 評価委員's pages: the list of their assignments (評価), and each assigned case — first the declaration of a
conflict of interest or none (利益相反の申告), then the case as the evaluator reads it and the score form (下書き,
提出). An assignment that is not theirs, declined or withdrawn is "not found" (404) on every URL here; the case
page (``/cases/<pk>/``) is not theirs.

The evaluator reads the case's summary (事業・年度, 団体, 事業名, 期間, amounts), the group's targets against its
results (目標と指標, 達成率) and its 自己評価: no person's name, no address, no bank account, no file, and no other
evaluator's scores. Views write only through the services (``grants.evaluation.assignments``, ``scoring``).
"""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.evaluation import assignments, scoring
from grants.evaluation.machines import ASSIGNMENT
from grants.evaluation.models import Assignment, SelfAssessment
from grants.evaluation.summary import IndicatorRow, achieved, achievement
from pages.evaluation.forms import DeclarationForm, ScoreForm
from pages.http import AuthedRequest, post_form


def _evaluator_only(request: AuthedRequest) -> User:
    if request.user.role != Role.EVALUATOR:
        raise PermissionDenied("評価委員のみが利用できる画面です。")
    return request.user


def _open_or_404(user: User, pk: int) -> Assignment:
    try:
        return assignments.open_assignment(user, pk)
    except Assignment.DoesNotExist as exc:
        raise Http404("評価の割当が見つかりません。") from exc


@login_required
def evaluation_home(request: AuthedRequest) -> HttpResponse:
    """The evaluator's assignments, newest first: the case, the kind, whether declared, the state."""
    user = _evaluator_only(request)
    return render(request, "evaluation/home.html", {"assignments": list(assignments.my_assignments(user))})


def _case_context(assignment: Assignment, form: ScoreForm | None = None) -> dict[str, Any]:
    case = assignment.case
    criteria = scoring.criteria_of(assignment)
    saved = scoring.scores_of(assignment)
    editable = workflow.leaves(ASSIGNMENT, assignment, "submit")
    if form is None and editable:
        initial: dict[str, Any] = {}
        for c in criteria:
            if c.pk in saved:
                initial[f"score_{c.pk}"] = saved[c.pk].score
                initial[f"comment_{c.pk}"] = saved[c.pk].comment
        form = ScoreForm(initial=initial, criteria=criteria)
    own = {s.criterion_id: s for s in SelfAssessment.objects.filter(case=case)}
    return {
        "assignment": assignment, "case": case,
        "indicators": [IndicatorRow(i, achievement(i), achieved(i)) for i in case.indicators.order_by("order")],
        "self_rows": [(c, own.get(c.pk)) for c in criteria],
        "form": form if editable else None,
        "submitted_rows": [(c, saved.get(c.pk)) for c in criteria] if not editable else [],
    }


@login_required
def evaluation_assignment(request: AuthedRequest, pk: int) -> HttpResponse:
    """The assigned case: the declaration while none was made; after "no conflict", the case as the evaluator
    reads it and the score form (or, once submitted, the scores as sent)."""
    user = _evaluator_only(request)
    assignment = _open_or_404(user, pk)
    if assignment.conflict_declared is None:
        return render(request, "evaluation/declare.html", {"assignment": assignment, "form": DeclarationForm()})
    return render(request, "evaluation/case.html", _case_context(assignment))


@require_POST
@login_required
def evaluation_declare(request: AuthedRequest, pk: int) -> HttpResponse:
    """POST the declaration: none → the case and its score form; a conflict → the assignment is declined."""
    user = _evaluator_only(request)
    assignment = _open_or_404(user, pk)
    form = DeclarationForm(request.POST)

    def then(done: Assignment) -> HttpResponse:
        return redirect("evaluation_home") if done.conflict_declared else redirect("evaluation_assignment", pk=pk)

    return post_form(
        request, form=form, back=redirect("evaluation_assignment", pk=pk), then=then,
        act=lambda d: assignments.declare(assignment_id=pk, actor=user, conflicted=d["conflicted"],
                                          reason=d["reason"]),
        done=lambda a: ("利益相反があると申し出ました。この案件の評価は辞退となりました。" if a.conflict_declared
                        else "利益相反がないことを申告しました。案件の内容を確認し、評価してください。"),
        rerender=lambda f: render(request, "evaluation/declare.html", {"assignment": assignment, "form": f},
                                  status=400),
        refused=lambda f, exc: f.add_error(None, str(exc)), not_found=Assignment.DoesNotExist)


@login_required
def evaluation_scores(request: AuthedRequest, pk: int) -> HttpResponse:
    """POST: save the scores as a draft, or save and submit them (``intent``); the form comes back as typed with
    the error at its field. GET: the case page."""
    user = _evaluator_only(request)
    assignment = _open_or_404(user, pk)
    if request.method != "POST":
        return redirect("evaluation_assignment", pk=pk)
    if assignment.conflict_declared is None:
        messages.error(request, "評価の前に、利益相反の有無を申告してください。")
        return redirect("evaluation_assignment", pk=pk)
    form = ScoreForm(request.POST, criteria=scoring.criteria_of(assignment))

    def act(data: dict[str, Any]) -> bool:
        scores, comments = form.scores()
        if form.submitting():
            scoring.submit(assignment_id=pk, actor=user, scores=scores, comments=comments)
            return True
        scoring.save_draft(assignment_id=pk, actor=user, scores=scores, comments=comments)
        return False

    return post_form(
        request, form=form, act=act, back=redirect("evaluation_assignment", pk=pk),
        done=lambda sent: "評価を提出しました。ありがとうございました。" if sent else "下書きを保存しました。",
        rerender=lambda f: render(request, "evaluation/case.html", _case_context(assignment, form), status=400),
        refused=lambda f, exc: f.add_error(None, str(exc)), not_found=Assignment.DoesNotExist)
