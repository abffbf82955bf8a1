"""The city's page of a case's evaluation (評価の割当と結果, ``/cases/<pk>/evaluation/``): every assignment with its
evaluator, kind, declaration and scores; staff assign evaluators to a closed case, withdraw an assignment not yet
submitted (the rail's ``withdraw``, offered by ``workflow.offers``) and decide what is published (評価点, 公表用の
講評, which comments). Other city roles read it. Views write only through the services."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.core import workflow
from grants.evaluation import assignments, publication
from grants.evaluation.machines import ASSIGNMENT
from grants.evaluation.models import Assignment, AssignmentStatus, Score
from pages.cases.full import case_or_404
from pages.evaluation.forms import AssignForm, PublicationForm, WithdrawForm
from pages.http import AuthedRequest, city_user_required, post_form


def _staff_only(user: User) -> None:
    if user.role != Role.STAFF:
        raise PermissionDenied("評価委員の割当と公表は協働推進課の担当者が行います。")


def _submitted_comments(case: GrantCase) -> list[Score]:
    return list(Score.objects.filter(assignment__case=case, assignment__status=AssignmentStatus.SUBMITTED)
                .exclude(comment="").select_related("criterion").order_by("criterion__order", "assignment_id"))


def _context(user: User, case: GrantCase, assign_form: AssignForm | None = None,
             publication_form: PublicationForm | None = None) -> dict[str, Any]:
    criteria, sheets = publication.sheets(case)
    decided = publication.publication_of(case)
    comments = _submitted_comments(case)
    if publication_form is None:
        publication_form = PublicationForm(comments=comments, initial={
            "publish_scores": decided.publish_scores if decided else False,
            "summary": decided.summary if decided else "",
            "comments": [str(s.pk) for s in comments if s.comment_published]})
    is_staff = user.role == Role.STAFF
    return {
        "case": case, "criteria": criteria,
        "sheets": [(sheet, workflow.offers(ASSIGNMENT, sheet.assignment, user)) for sheet in sheets],
        "refusal": assignments.assignment_refusal(case),
        "assign_form": (assign_form or AssignForm()) if is_staff else None,
        "publication_form": publication_form if is_staff else None,
        "publication": decided, "withdraw_form": WithdrawForm(),
        "submitted": sum(1 for s in sheets if s.assignment.status == AssignmentStatus.SUBMITTED),
    }


@require_GET
@city_user_required
def case_evaluation(request: AuthedRequest, pk: int) -> HttpResponse:
    """評価の割当と結果 of case ``pk``: city users read; staff also assign, withdraw and decide the publication."""
    case = case_or_404(request, pk)
    return render(request, "evaluation/staff_case.html", _context(request.user, case))


@require_POST
@city_user_required
def case_evaluation_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Assign the evaluator chosen, with the kind chosen; a refusal comes back at the form."""
    user = request.user
    case = case_or_404(request, pk)
    _staff_only(user)
    form = AssignForm(request.POST)
    return post_form(
        request, form=form, back=redirect("case_evaluation", pk=pk),
        act=lambda d: assignments.assign(case_id=pk, evaluator_id=d["evaluator"].pk, kind=d["kind"], actor=user),
        done=lambda a: f"{a.evaluator}さんに{a.get_kind_display()}を依頼しました。",
        rerender=lambda f: render(request, "evaluation/staff_case.html", _context(user, case, assign_form=form),
                                  status=400),
        refused=lambda f, exc: f.add_error(None, str(exc)), not_found=GrantCase.DoesNotExist)


@require_POST
@city_user_required
def case_evaluation_withdraw(request: AuthedRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Withdraw an assignment of case ``pk`` not yet submitted (the rail refuses the rest)."""
    user = request.user
    case_or_404(request, pk)
    if not Assignment.objects.filter(pk=assignment_pk, case_id=pk).exists():
        raise Http404("評価の割当が見つかりません。")
    return post_form(
        request, form=WithdrawForm(request.POST), back=redirect("case_evaluation", pk=pk),
        act=lambda d: assignments.withdraw(assignment_id=assignment_pk, actor=user, note=d["note"]),
        done=lambda a: f"{a.evaluator}さんへの評価の割当を取り消しました。", not_found=Assignment.DoesNotExist)


@require_POST
@city_user_required
def case_evaluation_publication(request: AuthedRequest, pk: int) -> HttpResponse:
    """Decide what is published of the case's evaluation."""
    user = request.user
    case = case_or_404(request, pk)
    _staff_only(user)
    form = PublicationForm(request.POST, comments=_submitted_comments(case))
    return post_form(
        request, form=form, back=redirect("case_evaluation", pk=pk),
        act=lambda d: publication.decide_publication(case_id=pk, actor=user, publish_scores=d["publish_scores"],
                                                     summary=d["summary"], published_comments=form.chosen()),
        done="評価結果の公表を決めました。",
        rerender=lambda f: render(request, "evaluation/staff_case.html",
                                  _context(user, case, publication_form=form), status=400),
        refused=lambda f, exc: f.add_error(None, str(exc)), not_found=GrantCase.DoesNotExist)
