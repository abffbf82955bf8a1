"""Pages of the calls (募集) of the 市民活動交流事業補助金.

For staff (role 担当): the list of calls, a call drafted and edited with its screening criteria, published or
unpublished through the call's machine (``grants.competitive.calls.CALL``), the year's rule and 費目, and the
panel (審査委員). For everyone, without login: the published calls (``/koubo/``) and one call's page with its
window in 和暦, the rule in plain Japanese, the 費目, what a group must be, the documents, the criteria and how
to apply. The public pages write nothing to the session and may be cached.

Views read through querysets and write only through the services; a call the user may not see answers 404.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from grants.accounts.models import Role, User
from grants.cases.labels import action_label
from grants.competitive import calls, panel
from grants.competitive.calls import CALL, CallError
from grants.competitive.models import Call, PanelMember
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.core.wording import done_message
from grants.programmes.describe import describe_rule
from grants.programmes.engine import load_rule
from grants.programmes.models import Treatment
from pages.competitive import calls_forms as f
from pages.http import AuthedRequest, post_form

View = Callable[..., HttpResponse]
PUBLIC_MAX_AGE = 300  # seconds a public call page may be kept by a browser or a shared cache

EVENT_LABELS = {"create_call": "募集の作成", "update_call": "募集の変更", "publish_call": "公開",
                "unpublish_call": "非公開に戻す", "assign_panel_member": "審査委員の委嘱"}


def staff_required(view: View) -> View:
    """Pages for 協働推進課 担当 only: the other roles get 403."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.STAFF:
            raise PermissionDenied("協働推進課の担当職員のみが利用できる画面です。")
        return view(request, *args, **kwargs)

    return wrapped


def _call_or_404(user: User, pk: int) -> Call:
    return get_object_or_404(calls.visible_calls(user).select_related("programme_year__programme"), pk=pk)


def _refused_at(form: Any, exc: Exception) -> None:
    """Show a service's refusal at the field it names (its message without the field's own label)."""
    name = getattr(exc, "field", "")
    if name in form.fields:
        text = str(exc)
        label = f"{form.fields[name].label}: "
        form.add_error(name, text[len(label):] if text.startswith(label) else text)


def _row_error(exc: Exception, where: str) -> str:
    return str(exc) if getattr(exc, "field", "") == where else ""


# -- staff: the calls ---------------------------------------------------------------------------------------------

@staff_required
def call_list(request: AuthedRequest) -> HttpResponse:
    rows = calls.visible_calls(request.user).select_related("programme_year__programme").order_by("-opens_on", "pk")
    return render(request, "competitive/calls/staff_list.html", {
        "calls": rows, "may_create": calls.competitive_years().exists()})


def _call_form_page(request: AuthedRequest, form: forms.BaseForm, criteria: f.RowFormSet, call: Call | None,
                    criteria_error: str = "") -> HttpResponse:
    return render(request, "competitive/calls/call_form.html", {
        "form": form, "criteria": criteria, "call": call, "criteria_error": criteria_error,
        "row_token": f.ROW}, status=400 if request.method == "POST" else 200)


def _save_call(request: AuthedRequest, form: f.CallForm, criteria: f.RowFormSet, call: Call | None,
               act: Callable[[dict[str, Any]], Call], done: str) -> HttpResponse:
    """Validate the call and its criteria together; act once; on any error show both again as typed."""
    if not criteria.is_valid():
        form.is_valid()
        messages.error(request, "審査項目の入力内容を確認してください。募集は保存していません。")
        return _call_form_page(request, form, criteria, call)
    holder: dict[str, str] = {}

    def refused(bad: Any, exc: Exception) -> None:
        _refused_at(bad, exc)
        holder["criteria"] = _row_error(exc, "criteria")

    return post_form(
        request, form=form, act=act, done=done, back=redirect("call_list"),
        rerender=lambda bad: _call_form_page(request, bad, criteria, call, holder.get("criteria", "")),
        refused=refused, not_found=Call.DoesNotExist,
        then=lambda saved: redirect("call_detail", pk=saved.pk),
    )


@staff_required
def call_create(request: AuthedRequest) -> HttpResponse:
    """A new call (準備中) of a competitive programme-year, with its criteria."""
    years = calls.competitive_years()
    if request.method != "POST":
        return _call_form_page(request, f.CallForm(years=years), f.criteria_formset(), None)
    form, criteria = f.CallForm(request.POST, years=years), f.criteria_formset(request.POST)
    return _save_call(
        request, form, criteria, None,
        lambda data: calls.create_call(actor=request.user, programme_year_id=data["programme_year"].pk,
                                       values=form.values(), criteria=f.criteria_of(criteria)),
        "募集を作成しました（準備中・非公開）。内容を確認して公開してください。")


@staff_required
def call_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a call while it is 準備中 (activity ``edit_call``); a published call says how to change it."""
    call = _call_or_404(request.user, pk)
    if request.method != "POST":
        if not workflow.may(CALL, call, request.user, "edit_call"):
            messages.error(request, CALL.activity("edit_call").refusal)
            return redirect("call_detail", pk=call.pk)
        return _call_form_page(request, f.CallForm(initial=f.initial_of(call)), f.criteria_formset(call=call), call)
    form, criteria = f.CallForm(request.POST), f.criteria_formset(request.POST)
    return _save_call(
        request, form, criteria, call,
        lambda data: calls.update_call(actor=request.user, call_id=call.pk, values=form.values(),
                                       criteria=f.criteria_of(criteria)),
        "募集を保存しました。")


@staff_required
def call_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A call as staff see it: its content, the acts open now (from the machine) and its history."""
    call = _call_or_404(request.user, pk)
    events = [{"event": e, "label": EVENT_LABELS.get(e.action) or action_label(e.action),
               "to_state": CALL.state_label(e.to_state) if e.to_state else ""}
              for e in AuditEvent.objects.for_object(call).select_related("actor")]
    return render(request, "competitive/calls/call_detail.html", {
        "call": call, "criteria": call.criteria.all(), "offers": workflow.offers(CALL, call, request.user),
        "may_edit": workflow.may(CALL, call, request.user, "edit_call"),
        "rule_locked": calls.rule_locked_reason(call.programme_year), "events": events,
        "panel_count": call.panel.count(), "is_public": calls.published_calls().filter(pk=call.pk).exists(),
    })


@require_POST
@staff_required
def call_act(request: AuthedRequest, pk: int, edge: str) -> HttpResponse:
    """Take an edge of the call's machine (公開する, 非公開に戻す) offered on the call's page."""
    call = _call_or_404(request.user, pk)
    offered = {offer.name: offer for offer in workflow.offers(CALL, call, request.user)}
    if edge not in offered:
        raise Http404("この操作は見つかりません。")
    done = {"publish_call": "募集を公開しました。", "unpublish_call": "募集を非公開に戻しました。"}.get(
        edge, done_message(offered[edge].label))
    return post_form(request, form=f.NoteForm(request.POST), back=redirect("call_detail", pk=call.pk),
                     act=lambda d: workflow.perform(CALL, call.pk, edge, actor=request.user, note=d["note"]),
                     done=done, not_found=Call.DoesNotExist)


# -- staff: the year's rule and 費目 -------------------------------------------------------------------------------

def _rule_page(request: AuthedRequest, call: Call, *, rule: forms.BaseForm | None = None,
               steps: f.RowFormSet | None = None, expenses: Any = None, steps_error: str = "",
               expenses_error: str = "") -> HttpResponse:
    year = call.programme_year
    expense_forms, categories = expenses if expenses is not None else f.expense_formset(year)
    return render(request, "competitive/calls/rule.html", {
        "call": call, "year": year, "locked": calls.rule_locked_reason(year),
        "rule_form": rule or f.RuleForm(initial=f.rule_initial(year)),
        "steps": steps or f.steps_formset(year=year), "steps_error": steps_error,
        "expenses": list(zip(expense_forms.forms, categories, strict=False)), "expense_management": expense_forms,
        "expenses_error": expenses_error, "sentences": describe_rule(load_rule(year.pk)), "row_token": f.ROW,
    }, status=400 if request.method == "POST" else 200)


@staff_required
def call_rule(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year's rule of the call (補助率, 上限額, 年目ごとの段階, 上限年数, 事業収入, 端数処理) and its 費目, with the
    rule read aloud as the public page shows it. Saving the rule and its steps is one act."""
    call = _call_or_404(request.user, pk)
    if request.method != "POST":
        return _rule_page(request, call)
    rule, steps = f.RuleForm(request.POST), f.steps_formset(request.POST)
    if not steps.is_valid():
        rule.is_valid()
        messages.error(request, "年目ごとの補助率・上限額の入力内容を確認してください。交付基準は保存していません。")
        return _rule_page(request, call, rule=rule, steps=steps)
    holder: dict[str, str] = {}

    def refused(bad: Any, exc: Exception) -> None:
        _refused_at(bad, exc)
        holder["steps"] = _row_error(exc, "steps")

    return post_form(
        request, form=rule, back=redirect("call_rule", pk=call.pk), not_found=Call.DoesNotExist, refused=refused,
        act=lambda d: calls.update_year_rule(actor=request.user, call_id=call.pk, values=d, steps=f.steps_of(steps)),
        rerender=lambda bad: _rule_page(request, call, rule=bad, steps=steps, steps_error=holder.get("steps", "")),
        done="交付基準（補助率・上限額）を保存しました。")


@require_POST
@staff_required
def call_expenses(request: AuthedRequest, pk: int) -> HttpResponse:
    """Save the year's treatment of every 費目 at once."""
    call = _call_or_404(request.user, pk)
    expenses = f.expense_formset(call.programme_year, request.POST)
    formset = expenses[0]
    if not formset.is_valid():
        messages.error(request, "費目の取扱いの入力内容を確認してください。費目の取扱いは保存していません。")
        return _rule_page(request, call, expenses=expenses)
    try:
        calls.update_expense_rules(actor=request.user, call_id=call.pk, rules=f.expenses_of(formset))
    except Call.DoesNotExist as exc:
        raise Http404("見つかりません。") from exc
    except CallError as exc:
        messages.error(request, str(exc))
        return _rule_page(request, call, expenses=expenses, expenses_error=str(exc))
    messages.success(request, "費目の取扱いを保存しました。")
    return redirect("call_rule", pk=call.pk)


# -- staff: the panel ---------------------------------------------------------------------------------------------

@staff_required
def call_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The 審査委員 assigned to the call, and the form to assign one more (users of role 審査委員)."""
    call = _call_or_404(request.user, pk)
    seats = PanelMember.objects.filter(call=call).select_related("user", "assigned_by").order_by("assigned_at", "pk")
    free = User.objects.filter(role=Role.PANEL, is_active=True).exclude(
        pk__in=seats.values("user_id")).order_by("username")
    form = f.PanelAssignForm(request.POST or None, members=free)
    if request.method == "POST":
        return post_form(
            request, form=form, back=redirect("call_panel", pk=call.pk), not_found=Call.DoesNotExist,
            act=lambda d: panel.assign(call_id=call.pk, member_id=d["member"].pk, actor=request.user),
            done=lambda seat: f"{seat.user}を審査委員に委嘱しました。",
            rerender=lambda bad: render(request, "competitive/calls/panel.html", {
                "call": call, "seats": seats, "form": bad,
                "may_assign": workflow.may(CALL, call, request.user, "assign_panel")}, status=400),
            refused=_refused_at)
    return render(request, "competitive/calls/panel.html", {
        "call": call, "seats": seats, "form": form,
        "may_assign": workflow.may(CALL, call, request.user, "assign_panel")})


# -- public: the calls without login ------------------------------------------------------------------------------

def phase(call: Call, today: dt.date) -> tuple[str, str]:
    """(code, words) of where today is in the call's window: upcoming 受付前, open 受付中, closed 受付終了."""
    if today < call.opens_on:
        return "upcoming", "受付前"
    if today > call.closes_on:
        return "closed", "受付終了"
    return "open", "受付中"


def eligibility_sentences(call: Call) -> list[str]:
    """What a group must be to apply to ``call``, in words (the same data ``grants.competitive.checks`` judges)."""
    sentences = [f"構成員が{call.min_members}人以上の市民活動団体であること"]
    if call.require_based_in_city:
        sentences.append("市内に活動拠点があること")
    if call.require_bylaws:
        sentences.append("規約（会則）があること")
    if call.require_member_list:
        sentences.append("構成員名簿があること")
    sentences.append("政治活動（政党や候補者の支持など）、宗教活動、営利を目的としない団体であること")
    return sentences


def _public(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A page the same for every visitor may be kept by any cache; a logged-in visitor's has their name in it."""
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def public_call_list(request: HttpRequest) -> HttpResponse:
    """The published calls, newest first, with their window, where today is in it and the budget."""
    today = timezone.localdate()
    rows = [(call, *phase(call, today)) for call in calls.published_calls().order_by("-opens_on", "pk")]
    return _public(request, render(request, "competitive/calls/public_list.html", {"rows": rows}))


def public_call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One published call for anyone (a draft one is 404): nothing personal is on it."""
    call = get_object_or_404(calls.published_calls(), pk=pk)
    year = load_rule(call.programme_year_id)
    rules = list(year.expense_rules.select_related("category").order_by("category__order", "category__code"))
    return _public(request, render(request, "competitive/calls/public_detail.html", {
        "call": call, "phase": phase(call, timezone.localdate()), "sentences": describe_rule(year),
        "allowed": [r for r in rules if r.treatment == Treatment.ALLOWED],
        "conditional": [r for r in rules if r.treatment == Treatment.CONDITIONAL],
        "excluded": [r for r in rules if r.treatment == Treatment.EXCLUDED],
        "eligibility": eligibility_sentences(call), "criteria": call.criteria.all(),
        "max_total": sum(c.weight * c.max_score for c in call.criteria.all()),
    }))
