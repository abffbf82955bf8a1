"""Pages of the panel (審査会) and the selection (採択) of the 市民活動交流事業補助金.

A 審査委員 sees the calls they sit on and, per call, the applications in screening they may open
(``grants.competitive.panel.panel_applications``); they declare a conflict of interest or none before the plan
and the 収支予算書 are shown, then score each criterion with comments. An application the member may not open
(not assigned, tied to the group, conflicted) is "not found" (404) on every URL here: the application, its
declaration, its scores and the group's files. The case page (``/cases/<pk>/``) is not theirs.

City users see the ranking of a call with each member's scores and comments; staff prepare the selection within
the call's budget and send it to an approver, who decides it or returns it (the edges of
``grants.competitive.selection.SELECTION``, offered by ``workflow.offers``). Views write only through the services.
"""
from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from grants.accounts.models import Role, User
from grants.cases.models import BudgetLine, GrantCase, LineKind
from grants.competitive import applications, calls, panel, selection
from grants.competitive.models import (
    Call,
    ConflictDeclaration,
    Criterion,
    PanelMember,
    ProjectPlan,
    Selection,
    SelectionLine,
)
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.evaluation.summary import earlier_evaluations
from grants.notices.models import Notice
from pages.http import AuthedRequest, city_user_required, post_form

# The group's files a member may read: the 規約 only. The 構成員名簿 is personal data (the members' names and
# addresses) that scoring does not need; staff check it at 受付 (group_member_list).
FILE_KINDS = {"bylaws": "規約（会則）"}


# -- forms --------------------------------------------------------------------------------------------------------

class DeclarationForm(forms.Form):
    """利害関係の申告: a conflict (with what it is) or none."""

    conflicted = forms.TypedChoiceField(
        label="この申請の団体との利害関係", widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("no", "利害関係はありません"), ("yes", "利害関係があります（この申請の審査には加わりません）")],
        help_text="団体の役員・構成員である、親族が関わっている、業務上の取引があるなどの場合は「あります」を選んでください。",
        error_messages={"required": "どちらかを選んでください。"},
    )
    reason = forms.CharField(label="利害関係の内容", required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="「あります」を選んだときは、その内容を入力してください（300文字以内）。")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("conflicted") and not (data.get("reason") or "").strip():
            self.add_error("reason", "利害関係があるときは、その内容を入力してください。")
        return data


class ScoreForm(forms.Form):
    """One score (0 … 満点) and one comment (講評) per criterion of the call."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name}の点数", min_value=0, max_value=c.max_score,
                help_text=f"0〜{c.max_score}点（重み {c.weight}）。着眼点：{c.description or '—'}",
                error_messages={"required": "点数を入力してください。",
                                "invalid": f"0〜{c.max_score}の整数で入力してください。",
                                "min_value": f"0〜{c.max_score}の整数で入力してください。",
                                "max_value": f"0〜{c.max_score}の整数で入力してください。"})
            self.fields[f"comment_{c.pk}"] = forms.CharField(
                label=f"{c.name}の講評", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def pairs(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> tuple[dict[int, int], dict[int, str]]:
        data = self.cleaned_data
        return ({c.pk: data[f"score_{c.pk}"] for c in self.criteria},
                {c.pk: data.get(f"comment_{c.pk}") or "" for c in self.criteria})


class SelectionForm(forms.Form):
    """The 採択案: per application in screening, 採択 or not, the amount (whole yen) and the reason of a 不採択."""

    def __init__(self, *args: Any, ranked: list[panel.Ranked], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ranked = ranked
        for r in ranked:
            title = r.plan.case.project_title
            self.fields[f"selected_{r.plan.case_id}"] = forms.BooleanField(label=f"「{title}」を採択する",
                                                                           required=False)
            self.fields[f"amount_{r.plan.case_id}"] = forms.IntegerField(
                label=f"「{title}」の採択額（円）", min_value=0, required=False,
                help_text=f"申請額 {r.plan.case.applied_amount or 0:,}円 以下",
                error_messages={"invalid": "整数（円）で入力してください。",
                                "min_value": "0以上の整数（円）で入力してください。"})
            self.fields[f"reason_{r.plan.case_id}"] = forms.CharField(
                label=f"「{title}」の不採択の理由", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}))

    def rows(self) -> list[tuple[panel.Ranked, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(r, self[f"selected_{r.plan.case_id}"], self[f"amount_{r.plan.case_id}"],
                 self[f"reason_{r.plan.case_id}"]) for r in self.ranked]

    def lines(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [{"case_id": r.plan.case_id, "selected": data.get(f"selected_{r.plan.case_id}"),
                 "amount": data.get(f"amount_{r.plan.case_id}") or 0,
                 "reason": data.get(f"reason_{r.plan.case_id}") or ""} for r in self.ranked]


class NoteForm(forms.Form):
    note = forms.CharField(label="理由・備考", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


# -- the 審査委員's pages ------------------------------------------------------------------------------------------

def _member_only(request: AuthedRequest) -> User:
    if request.user.role != Role.PANEL:
        raise PermissionDenied("審査委員のみが利用できる画面です。")
    return request.user


def _open_or_404(user: User, case_id: int) -> tuple[PanelMember, ProjectPlan]:
    try:
        return panel.open_application(user, case_id)
    except GrantCase.DoesNotExist as exc:
        raise Http404("申請が見つかりません。") from exc


@login_required
def panel_home(request: AuthedRequest) -> HttpResponse:
    """The calls the member sits on (with the 公開プレゼン date and place) and, per call, the applications in
    screening they may open, with whether they declared and scored each."""
    user = _member_only(request)
    seats = {m.call_id: m for m in PanelMember.objects.filter(user=user)}
    rows = []
    for call in panel.assigned_calls(user):
        member = seats[call.pk]
        declared = set(ConflictDeclaration.objects.filter(member=member).values_list("case_id", flat=True))
        scored = set(member.scores.values_list("case_id", flat=True))
        rows.append({"call": call, "applications": [
            {"plan": p, "declared": p.case_id in declared, "scored": p.case_id in scored}
            for p in panel.panel_applications(user, call).order_by("case_id")]})
    return render(request, "competitive/panel/home.html", {"rows": rows})


def _application_context(member: PanelMember, plan: ProjectPlan, form: ScoreForm | None = None) -> dict[str, Any]:
    case = plan.case
    lines = list(BudgetLine.objects.filter(case=case, change_request=None).select_related("category")
                 .order_by("kind", "order", "pk"))
    income = sum(line.amount for line in lines if line.kind == LineKind.INCOME)
    expense = sum(line.amount for line in lines if line.kind == LineKind.EXPENSE)
    criteria = list(Criterion.objects.filter(call=plan.call))
    if form is None:
        saved = panel.member_scores(member, case.pk)
        initial: dict[str, Any] = {}
        for c in criteria:
            if c.pk in saved:
                initial[f"score_{c.pk}"] = saved[c.pk].score
                initial[f"comment_{c.pk}"] = saved[c.pk].comment
        form = ScoreForm(initial=initial, criteria=criteria)
    registration = getattr(plan.organization, "group_registration", None)
    files = [(kind, label) for kind, label in FILE_KINDS.items() if registration and getattr(registration, kind)]
    return {"plan": plan, "case": case, "call": plan.call, "member": member, "lines": lines,
            "income": income, "expense": expense, "form": form, "files": files,
            "attachments": list(applications.attachments_of(case)),
            "scored": bool(panel.member_scores(member, case.pk)),
            # 評価: this application's targets, and the evaluations of earlier 年度 of the same group or project.
            "current_indicators": list(case.indicators.order_by("order")),
            "earlier_evaluations": earlier_evaluations(case)}


@login_required
def panel_application(request: AuthedRequest, case_id: int) -> HttpResponse:
    """The application as the member reads it: first the declaration; after "no conflict", the 事業計画書, the
    収支予算書 (read-only), the application's 添付書類, the group's files and the score form."""
    user = _member_only(request)
    member, plan = _open_or_404(user, case_id)
    if panel.declaration_of(member, case_id) is None:
        return render(request, "competitive/panel/declare.html", {"plan": plan, "form": DeclarationForm()})
    return render(request, "competitive/panel/application.html", _application_context(member, plan))


@require_POST
@login_required
def panel_declare(request: AuthedRequest, case_id: int) -> HttpResponse:
    user = _member_only(request)
    _, plan = _open_or_404(user, case_id)
    form = DeclarationForm(request.POST)

    def act(data: dict[str, Any]) -> ConflictDeclaration:
        return panel.declare(case_id=case_id, actor=user, conflicted=data["conflicted"], reason=data["reason"])

    def then(declaration: ConflictDeclaration) -> HttpResponse:
        return redirect("panel_home") if declaration.conflicted else redirect("panel_application", case_id=case_id)

    return post_form(request, form=form, act=act, back=redirect("panel_application", case_id=case_id),
                     done=lambda d: ("利害関係があると申告しました。この申請の審査には加わりません。" if d.conflicted
                                     else "利害関係がないことを申告しました。申請の内容を確認し、採点してください。"),
                     rerender=lambda f: render(request, "competitive/panel/declare.html", {"plan": plan, "form": f},
                                               status=400),
                     refused=lambda f, exc: f.add_error(None, str(exc)), not_found=GrantCase.DoesNotExist, then=then)


@login_required
def panel_scores(request: AuthedRequest, case_id: int) -> HttpResponse:
    """POST: save the member's scores of the application (all criteria at once); the form is shown again as typed
    when a score is out of range. GET: the application page (its score form)."""
    user = _member_only(request)
    member, plan = _open_or_404(user, case_id)
    if request.method != "POST":
        return redirect("panel_application", case_id=case_id)
    if panel.declaration_of(member, case_id) is None:
        messages.error(request, "採点の前に、この申請との利害関係の有無を申告してください。")
        return redirect("panel_application", case_id=case_id)
    form = ScoreForm(request.POST, criteria=list(Criterion.objects.filter(call=plan.call)))

    def act(data: dict[str, Any]) -> object:
        scores, comments = form.scores()
        return panel.save_scores(case_id=case_id, actor=user, scores=scores, comments=comments)

    return post_form(request, form=form, act=act, done="採点を保存しました。",
                     back=redirect("panel_application", case_id=case_id),
                     rerender=lambda f: render(request, "competitive/panel/application.html",
                                               _application_context(member, plan, form), status=400),
                     refused=lambda f, exc: f.add_error(None, str(exc)), not_found=GrantCase.DoesNotExist)


@login_required
def panel_file(request: AuthedRequest, case_id: int, kind: str) -> FileResponse:
    """The group's 規約 or 構成員名簿, for a member who declared no conflict on this application."""
    user = _member_only(request)
    member, plan = _open_or_404(user, case_id)
    registration = getattr(plan.organization, "group_registration", None)
    if kind not in FILE_KINDS or panel.declaration_of(member, case_id) is None or registration is None:
        raise Http404("ファイルが見つかりません。")
    stored = getattr(registration, kind)
    if not stored:
        raise Http404("ファイルが見つかりません。")
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    return FileResponse(handle, as_attachment=True, filename=f"{FILE_KINDS[kind]}{os.path.splitext(stored.name)[1]}")


# -- the city's pages: ranking and selection ----------------------------------------------------------------------

def _call_or_404(user: User, call_id: int) -> Call:
    return get_object_or_404(calls.visible_calls(user).select_related("programme_year__programme"), pk=call_id)


@city_user_required
def panel_calls(request: AuthedRequest) -> HttpResponse:
    """City users: the calls, each with its panel, its ranking and its selection."""
    rows = [(call, selection.selection_of(call)) for call in
            calls.visible_calls(request.user).select_related("programme_year__programme")]
    return render(request, "competitive/panel/calls.html", {"rows": rows})


@city_user_required
def panel_ranking(request: AuthedRequest, call_id: int) -> HttpResponse:
    """The ranking of a call (weighted scores, scorers, ties as 「同点」), each member's scores and comments,
    the declarations, and the panel (staff assign members on the call's page, ``call_panel``)."""
    call = _call_or_404(request.user, call_id)
    return render(request, "competitive/panel/ranking.html", _ranking_context(request.user, call))


def _ranking_context(user: User, call: Call) -> dict[str, Any]:
    may_assign = user.role == Role.STAFF and workflow.may(calls.CALL, call, user, "assign_panel")
    sheets = panel.score_sheets(call)
    return {"call": call, "ranking": [(r, sheets.get(r.plan.case_id, [])) for r in panel.ranking(call)],
            "criteria": list(Criterion.objects.filter(call=call)), "max_score": panel.max_weighted_score(call),
            "declarations": panel.declarations(call),
            "members": PanelMember.objects.filter(call=call).select_related("user"),
            "may_assign": may_assign}


def _screened(ranked: list[panel.Ranked]) -> list[panel.Ranked]:
    return [r for r in ranked if workflow.leaves(COMPETITIVE.machine, r.plan.case, "select")]


def _selection_context(user: User, call: Call, form: SelectionForm | None = None) -> dict[str, Any]:
    sel = selection.selection_of(call)
    editable = user.role == Role.STAFF and (sel is None or workflow.may(selection.SELECTION, sel, user,
                                                                       "edit_selection"))
    ranked = panel.ranking(call)
    lines = list(sel.lines.select_related("case__organization")) if sel is not None else []
    if editable and form is None:
        saved = {line.case_id: line for line in lines}
        initial: dict[str, Any] = {}
        for r in _screened(ranked):
            line = saved.get(r.plan.case_id)
            initial[f"selected_{r.plan.case_id}"] = line.selected if line else False
            initial[f"amount_{r.plan.case_id}"] = (line.amount if line and line.selected
                                                   else r.plan.case.applied_amount or 0)
            initial[f"reason_{r.plan.case_id}"] = line.reason if line else ""
        form = SelectionForm(initial=initial, ranked=_screened(ranked))
    chosen = sum(line.amount for line in lines if line.selected)
    return {"call": call, "selection": sel, "lines": lines, "form": form if editable else None,
            "chosen_total": chosen, "remaining": call.budget - chosen,
            "offers": workflow.offers(selection.SELECTION, sel, user) if sel is not None and lines else [],
            "return_note": selection.last_return_note(sel) if sel is not None else "",
            "note_form": NoteForm(), "line_rows": _with_notices(lines)}


def _with_notices(lines: list[SelectionLine]) -> list[tuple[SelectionLine, Notice | None]]:
    """Each line with its 採択通知書 / 不採択通知書 once the selection is decided."""
    notices = {n.case_id: n for n in Notice.objects.filter(case__in=[line.case_id for line in lines],
                                                            kind__in=("selection", "non_selection"))}
    return [(line, notices.get(line.case_id)) for line in lines]


@city_user_required
def panel_selection(request: AuthedRequest, call_id: int) -> HttpResponse:
    """The selection of a call: staff write the 採択案 (the remaining budget shown as they type) and send it to an
    approver; the approver decides it or returns it with a note; after the decision, each application's notice."""
    user = request.user
    call = _call_or_404(user, call_id)
    if request.method != "POST":
        return render(request, "competitive/panel/selection.html", _selection_context(user, call))
    if user.role != Role.STAFF:
        raise PermissionDenied("採択案の作成は担当職員のみが行えます。")
    form = SelectionForm(request.POST, ranked=_screened(panel.ranking(call)))
    return post_form(request, form=form, back=redirect("panel_selection", call_id=call.pk),
                     act=lambda d: selection.prepare(call_id=call.pk, actor=user, lines=form.lines()),
                     done="採択案を保存しました。内容を確認して、決裁に回してください。",
                     rerender=lambda f: render(request, "competitive/panel/selection.html",
                                               _selection_context(user, call, form), status=400),
                     refused=lambda f, exc: f.add_error(None, str(exc)))


DONE = {"propose_selection": "採択案を決裁に回しました。",
        "decide_selection": "採択を決定しました。通知書を発行しました。",
        "return_selection": "採択案を差し戻しました。"}


@require_POST
@city_user_required
def panel_selection_act(request: AuthedRequest, call_id: int, edge: str) -> HttpResponse:
    """Take an edge of the selection's machine (決裁に回す, 決定する, 差し戻す) as offered to the user."""
    call = _call_or_404(request.user, call_id)
    sel = selection.selection_of(call)
    if sel is None or edge not in DONE:
        raise Http404("採択案が見つかりません。")
    return post_form(request, form=NoteForm(request.POST), back=redirect("panel_selection", call_id=call.pk),
                     act=lambda d: workflow.perform(selection.SELECTION, sel.pk, edge, actor=request.user,
                                                    note=d["note"]),
                     done=DONE[edge], not_found=Selection.DoesNotExist)


