"""The full-lifecycle parts of the case page ``/cases/<pk>/`` (GRANTS.md §3): 申請の概要, 収支予算書, 審査, 要件の確認,
交付決定, 概算払・精算払, 変更承認申請, 実績報告 with receipts, 額の確定・返還, 取消.

``full_context`` gives ``cases.views.case_detail`` what the includes under ``templates/councils/case/`` show;
the other views take one POSTed form each and call one service. Every view answers 404 for a case the user may
not see (before it reads the form), and shows a service's refusal as a message on the case page.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from grants.accounts.models import User
from grants.cases import budget, checks, lifecycle, orders, receipts, refunds, services
from grants.cases.budget import LineError
from grants.cases.checks import CheckResult
from grants.cases.machines import CHANGE_REQUEST
from grants.cases.models import (
    ChangeStatus,
    GrantCase,
    LineFields,
    LineKind,
    PerformanceReport,
    Receipt,
    RefundOrder,
    RefundReason,
    RefundStatus,
    report_due_date,
)
from grants.cases.permissions import access_case
from grants.cases.rules import rule_for_case, rule_terms
from grants.cases.settlement import settled
from grants.cases.workflows import workflow_of
from grants.core import workflow
from grants.councils.checks import judged_plan, pays_staff_costs, plan_in_force
from grants.councils.staff import staff_lines
from grants.ledger.models import PaymentOrder
from grants.organizations.models import CommunityPlan
from grants.programmes.engine import Computation
from grants.programmes.models import ExpenseCategory
from pages.cases.full_forms import (
    ApplicationForm,
    CancelForm,
    ChangeCheckForm,
    ChangeStartForm,
    LineForm,
    NoteForm,
    ReceiptForm,
    RefundReceiptForm,
    ReportForm,
    RequiredNoteForm,
    VerifyForm,
    conditional_rules,
)
from pages.http import AuthedRequest, back_adding, field_errors, post_form, recorded_download

WHERE = ("budget", "change", "report")


# -- reading ---------------------------------------------------------------------------------------------------

def totals(lines: Sequence[LineFields]) -> dict[str, int]:
    """Income, expense and their difference (収入 − 支出), whole yen."""
    income = sum(line.amount for line in lines if line.kind == LineKind.INCOME)
    expense = sum(line.amount for line in lines if line.kind == LineKind.EXPENSE)
    return {"income": income, "expense": expense, "balance": income - expense}


def _computation(case: GrantCase, lines: Sequence[LineFields]) -> tuple[Computation | None, str]:
    try:
        return budget.compute_amount(case, lines), ""
    except ValueError as exc:  # the engine's MissingInputError is a ValueError too
        return None, str(exc)


def _report_due(case: GrantCase, report: PerformanceReport | None) -> dict[str, object]:
    """The 実績報告's due date (from the report's completion date, else the completion deadline, else the planned
    end), the rule that set it as the 要綱 words it (「事業が完了した日の翌日から起算して30日以内」, or 固定の期限) and
    whether it has passed without a submitted report. A decided case's deadline is its version's."""
    rule = rule_terms(case)
    completed = report.completed_on if report else (case.completion_deadline or case.project_end)
    due = report_due_date(rule, completed)
    wording = ""
    if due is not None:
        wording = "固定の期限" if due == rule.report_due_fixed else rule.report_due_wording
    submitted = report is not None and report.submitted_at is not None
    today = timezone.localdate()
    waiting = case.status in workflow_of(case).awaiting_report
    overdue = due is not None and not submitted and due < today and waiting
    return {"due": due, "wording": wording, "overdue": overdue,
            "days_overdue": (today - due).days if overdue and due is not None else 0}


def _override_rows(
    case: GrantCase, results: Sequence[CheckResult]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pending and approved overrides, each with the label of the check it passes (the line's description
    included when the check is still shown; else the check's general label)."""
    rows: list[dict[str, Any]] = [
        {"override": o, "label": checks.override_label(case, o.check_code, results)}
        for o in case.overrides.select_related("actor", "approved_by").order_by("at", "pk")]
    return ([r for r in rows if r["override"].approved_by_id is None],
            [r for r in rows if r["override"].approved_by_id is not None])


def _line_rows(lines: Sequence[LineFields], conditions: dict[int, str]) -> list[dict[str, object]]:
    return [{"line": line, "condition": conditions.get(line.category_id) if line.category_id else None}
            for line in lines]


def _lines_block(case: GrantCase, lines: Sequence[LineFields], conditions: dict[int, str], *, where: str,
                 editable: bool, plan: CommunityPlan | None) -> dict[str, object]:
    """What ``_lines.html`` shows: the rows, the totals, and the add form when the lines may be edited."""
    return {
        "where": where, "rows": _line_rows(lines, conditions), "totals": totals(lines), "editable": editable,
        "columns": 9 + (where == "report") + editable,
        "form": LineForm(case=case, plan=plan, where=where) if editable else None,
    }


def full_context(case: GrantCase, user: User, results: list[CheckResult] | None) -> dict[str, object]:
    """Context of the sections of a case page whose workflow has budget lines, for ``user`` (who already may see
    ``case``). What the user may do comes from the workflow: its edges open now, and its activities."""
    machine = workflow_of(case).machine
    conditions = conditional_rules(case)
    acts = workflow.open_edges(machine, case, user)
    return {
        "conditions": [(c.name, conditions[c.pk]) for c in ExpenseCategory.objects.filter(pk__in=conditions)],
        "plan_in_force": plan_in_force(case),
        **_application_context(case, user, conditions, acts),
        **_checks_context(case, user, results or []),
        "orders": [{"order": order, "acts": workflow.open_edges(orders.PAYMENT_ORDER, order, user)}
                   for order in case.payment_orders.select_related("prepared_by", "approved_by").order_by("number")],
        **_change_context(case, user, conditions, acts),
        **_report_context(case, user, conditions),
        **_refund_context(case, user, acts),
    }


def _application_context(case: GrantCase, user: User, conditions: dict[int, str],
                         acts: dict[str, workflow.Offer]) -> dict[str, object]:
    """申請の概要, 収支予算書 (current lines, 人件費 suggestions, computed amount) and the 審査 form."""
    editing = workflow.may(workflow_of(case).machine, case, user, "edit_application")
    current = budget.current_lines(case)
    # The amount from the eligible lines: a line judged 対象外 is left out of the 補助対象経費, its reasons shown.
    stage = checks.Stage("application", case, current, "b")
    left_out = checks.excluded_lines(case, stage)
    computed, computed_error = _computation(case, [line for line in current if line.pk not in left_out])
    staff_programme = pays_staff_costs(case.programme_year)  # 運営支援: 人件費 lines from the records
    return {
        "may_edit_application": editing,
        "application_form": ApplicationForm(initial={
            "project_title": case.project_title, "project_start": case.project_start,
            "project_end": case.project_end}, auto_id="application-%s"),
        "budget_block": _lines_block(case, current, conditions, where="budget", editable=editing,
                                     plan=plan_in_force(case)),
        "budget_is_changed": budget.current_change(case) is not None,
        "excluded_lines": [{"line": line, "reasons": left_out[line.pk]} for line in current if line.pk in left_out],
        "computed": computed, "computed_error": computed_error,
        "staff_programme": staff_programme,
        "staff_suggestions": staff_lines(case) if staff_programme and editing else [],
        **_review(case, computed, acts),
    }


def _review(case: GrantCase, computed: Computation | None, acts: dict[str, workflow.Offer]) -> dict[str, object]:
    """The 審査 form for staff, with the amount the eligible lines justify (the ceiling of 査定額 with the
    applied amount)."""
    if "verify" not in acts:
        return {"verify_form": None, "eligible_computed": None}
    eligible, _ = _computation(case, checks.eligible_lines(case, checks.stage_of(case, "application")))
    return {"verify_form": _verify_form(case, eligible or computed), "eligible_computed": eligible}


def _checks_context(case: GrantCase, user: User, results: list[CheckResult]) -> dict[str, object]:
    """要件の確認: each check with whether an override of it waits for approval; pending and approved overrides."""
    pending, approved = _override_rows(case, results)
    pending_codes = {row["override"].check_code for row in pending}
    machine = workflow_of(case).machine
    # A line that fails is left out of the eligible cost and the review goes on, unless the programme says otherwise.
    leaves_out = not checks.lines_stop_review(case)
    return {
        "check_rows": [{"check": r, "pending": r.code in pending_codes,
                        "left_out": leaves_out and checks.is_line_check(r) and not r.ok} for r in results],
        "pending_overrides": pending, "approved_overrides": approved,
        "may_approve_override": workflow.may(machine, case, user, "approve_override"),
        "may_override_full": workflow.may(machine, case, user, "override"),
    }


def _enabled(machine: workflow.Machine[Any], obj: Any, user: User, edge: str) -> bool:
    offer = workflow.open_edges(machine, obj, user).get(edge)
    return offer is not None and offer.enabled


def _change_context(case: GrantCase, user: User, conditions: dict[int, str],
                    acts: dict[str, workflow.Offer]) -> dict[str, object]:
    """変更承認申請: the open one (draft or pending) with its lines and forms, and the history."""
    changes = list(case.change_requests.select_related("requested_by", "decided_by").order_by("pk"))
    open_change = next((c for c in changes if c.status in (ChangeStatus.DRAFT, ChangeStatus.PENDING)), None)
    may_start = workflow.may(workflow_of(case).machine, case, user, "start_change")
    drafting = bool(open_change and open_change.status == ChangeStatus.DRAFT and may_start)
    block = None
    if open_change:
        lines = list(open_change.lines.select_related("category", "plan_item", "purpose", "staff")
                     .order_by("kind", "order", "pk"))
        block = _lines_block(case, lines, conditions, where="change", editable=drafting, plan=plan_in_force(case))
    checking = "check_change" in acts and open_change is not None
    return {
        "changes": changes, "open_change": open_change, "change_block": block,
        "may_start_change": may_start and open_change is None,
        "change_start_form": ChangeStartForm(initial={"requested_amount": case.decided_amount}, auto_id="change-%s"),
        "may_submit_change": drafting and "request_change" in acts,
        "may_withdraw_change": bool(open_change and _enabled(CHANGE_REQUEST, open_change, user, "withdraw_change")),
        "change_submit_form": NoteForm(auto_id="change-submit-%s"),
        "change_check_form": ChangeCheckForm(initial={"assessed_amount": open_change.requested_amount},
                                             auto_id="change-check-%s") if checking and open_change else None,
        "change_decided_below": "approve_change" in acts or "reject_change" in acts,
    }


def _report_context(case: GrantCase, user: User, conditions: dict[int, str]) -> dict[str, object]:
    """実績報告: due date, the report and its lines, receipts, and the amount the eligible actual costs justify."""
    report = PerformanceReport.objects.filter(case=case).first()
    writing = workflow.may(workflow_of(case).machine, case, user, "write_report")
    # The money (収支決算 lines, receipts) is the head's and the 会計's; a 担当者 writes the narrative only.
    entering = workflow.may(workflow_of(case).machine, case, user, "enter_receipts")
    waiting = case.status in workflow_of(case).awaiting_report
    block = None
    if report or writing or (waiting and case.decided_on):
        lines = list(report.lines.select_related("category", "plan_item", "purpose", "staff")) if report else []
        block = _lines_block(case, lines, conditions, where="report", editable=bool(report) and entering,
                             plan=judged_plan(case))
    return {
        "report": report,
        "report_due": _report_due(case, report),
        "may_write_report": writing,
        "report_form": ReportForm(initial={"narrative": report.narrative if report else "",
                                           "completed_on": report.completed_on if report else None},
                                  auto_id="report-%s"),
        "report_block": block,
        "receipts": list(report.receipts.select_related("line", "uploaded_by")) if report else [],
        "receipt_form": ReceiptForm(report=report, auto_id="receipt-%s") if report and entering else None,
        "justified_lines": (case.justification_computation or {}).get("lines", []),
    }


def _refund_due_wording(case: GrantCase, order: RefundOrder) -> str:
    """The 納期限's rule as the 要綱 words it (「返還命令の日の翌日から起算して20日以内」), read from the case's rule
    (``rule_for_case``); "" when that rule no longer gives the stored due date (its days or counting changed since the
    order), so the page never quotes a rule the date was not computed by."""
    rule = rule_for_case(case)
    try:
        same = rule.refund_due_on(order.ordered_on) == order.due_on
    except ValueError:  # no days left on the rule
        return ""
    return rule.refund_due_wording if same else ""


def _refund_context(case: GrantCase, user: User, acts: dict[str, workflow.Offer]) -> dict[str, object]:
    """額の確定・返還: the 返還命令 with what is owed today, its receipts, the finance form; 取消; closing."""
    # The order waiting for payment first (a 消費税仕入控除税額 refund after the 額の確定's), else the latest.
    order = RefundOrder.objects.filter(case=case).order_by("status", "-pk").first()
    machine = workflow_of(case).machine
    context: dict[str, object] = {
        "refund_order": order,
        "cancel_form": CancelForm(auto_id="cancel-%s") if "cancel" in acts else None,
        # The amount kept after a 取消 is not a 確定額: the state reached by the cancellation says which it is.
        "cancelled": case.status == machine.edge("cancel").target
        or (order is not None and order.reason == RefundReason.CANCELLATION),
        "settled_reason": settled(case) if workflow.leaves(machine, case, "close") else None,
    }
    if order is not None:
        due = refunds.outstanding(order, timezone.localdate())
        context.update({
            "refund_due": due, "refund_due_total": sum(due.values()),
            "refund_rates": {"late": _percent(order.late_rate), "surcharge": _percent(order.surcharge_rate)},
            "refund_due_wording": _refund_due_wording(case, order),
            "refund_receipts": list(order.receipts.select_related("recorded_by")),
            "refund_form": RefundReceiptForm(auto_id="refund-%s")
            if order.status != RefundStatus.SETTLED and workflow.may(workflow_of(case).machine, case, user,
                                                                     "record_refund") else None,
        })
    return context


def _percent(rate: Decimal) -> str:
    """A yearly rate as written in the rules: Decimal("10.950") → "10.95"."""
    return f"{rate.normalize():f}"


def _verify_form(case: GrantCase, computed: Computation | None) -> VerifyForm:
    """The 審査 form, proposing the lower of the applied amount and what the lines compute, and the planned end
    as the completion deadline."""
    proposal = case.applied_amount
    if computed is not None and proposal is not None:
        proposal = min(proposal, computed.amount)
    return VerifyForm(initial={"assessed_amount": proposal, "conditions": case.decision_conditions,
                               "completion_deadline": case.completion_deadline or case.project_end},
                      auto_id="verify-%s")


# -- writing ---------------------------------------------------------------------------------------------------

def case_or_404(request: AuthedRequest, pk: int) -> GrantCase:
    """Case ``pk`` if the request's user may see it; else 404 (a missing case and another's answer alike)."""
    try:
        return access_case(request.user, pk)
    except GrantCase.DoesNotExist as exc:
        raise Http404("案件が見つかりません。") from exc


def back_to_case(pk: int, anchor: str) -> HttpResponse:
    """A redirect to the case page's section ``anchor``."""
    return redirect(f"{reverse('case_detail', args=[pk])}#{anchor}")


def typed_again(request: AuthedRequest, pk: int, name: str) -> Callable[[forms.BaseForm], HttpResponse]:
    """The case page again with a form as typed in place of its blank one (``name``: its name in the page's
    context), its errors at its fields — reached through the URL resolver, since the page's view uses this module."""

    def again(form: forms.BaseForm) -> HttpResponse:
        page: Callable[..., HttpResponse] = resolve(reverse("case_detail", args=[pk])).func
        return page(request, pk, bound={name: form})

    return again


def _run(request: AuthedRequest, pk: int, form: forms.Form, call: Callable[[dict[str, Any]], object], done: str,
         anchor: str, shown_as: str = "") -> HttpResponse:
    """Validate ``form`` (the case already checked visible), then ``call(cleaned_data)``; report the outcome on
    the case page at ``anchor``. With ``shown_as`` (the form's name in the page's context) a form with an error,
    or refused, comes back as typed with the error at its field; else the errors are messages."""
    return post_form(request, form=form, act=call, done=done, back=back_to_case(pk, anchor),
                     not_found=GrantCase.DoesNotExist,
                     rerender=typed_again(request, pk, shown_as) if shown_as else None)


def _form_act(form_class: type[forms.Form], service: Callable[..., object], done: str, anchor: str,
              shown_as: tuple[str, str] | None = None) -> Callable[[AuthedRequest, int], HttpResponse]:
    """A POST view for one act of the case: the case must be visible (404 otherwise), the form's cleaned data
    are the service's keyword arguments, and the outcome is reported on the case page at ``anchor``.
    ``shown_as``: the form's name in the page's context and its ``auto_id``, to show it again as typed."""
    name, auto_id = shown_as or ("", "id_%s")

    @require_POST
    @login_required
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        case_or_404(request, pk)
        return _run(request, pk, form_class(request.POST, auto_id=auto_id),
                    lambda d: service(case_id=pk, actor=request.user, **d), done, anchor, name)

    return view


save_application = _form_act(ApplicationForm, lifecycle.save_application, "申請の概要を保存しました。", "application",
                             ("application_form", "application-%s"))
verify = _form_act(VerifyForm, lifecycle.verify, "審査済にしました。決裁者が交付決定します。", "review",
                   ("verify_form", "verify-%s"))
start_change = _form_act(ChangeStartForm, lifecycle.start_change,
                         "変更承認申請を作成しました。変更後の収支予算を直してから提出してください。", "change",
                         ("change_start_form", "change-%s"))
submit_change = _form_act(NoteForm, lifecycle.request_change, "変更承認申請を提出しました。", "change",
                          ("change_submit_form", "change-submit-%s"))
withdraw_change = _form_act(NoteForm, lifecycle.withdraw_change, "作成中の変更承認申請を取り下げました。", "change")
check_change = _form_act(ChangeCheckForm, lifecycle.check_change,
                         "変更承認申請を審査済にしました。決裁者が決裁します。", "change",
                         ("change_check_form", "change-check-%s"))
save_report = _form_act(ReportForm, lifecycle.save_report, "実績報告の概要を保存しました。", "report",
                        ("report_form", "report-%s"))
record_refund = _form_act(RefundReceiptForm, refunds.record_refund_receipt, "返還金の納付を記録しました。", "refund")
cancel = _form_act(CancelForm, lifecycle.cancel, "交付決定を取り消しました。", "confirmation")


def _where_or_404(where: str) -> str:
    if where not in WHERE:
        raise Http404("明細の種類が見つかりません。")
    return where


def _line_plan(case: GrantCase, where: str) -> CommunityPlan | None:
    return judged_plan(case) if where == "report" else plan_in_force(case)


def _line_again(request: AuthedRequest, pk: int, where: str) -> Callable[[forms.BaseForm], HttpResponse]:
    """A line that could not be added: the case page with the add form as typed, open, each error at its field,
    and the errors also listed at the top (the lines table is far down a long page)."""
    again = typed_again(request, pk, f"{where}_block.form")

    def show(form: forms.BaseForm) -> HttpResponse:
        field_errors(request, form)
        return again(form)

    return show


@require_POST
@login_required
def add_line(request: AuthedRequest, pk: int, where: str) -> HttpResponse:
    case = case_or_404(request, pk)
    _where_or_404(where)
    form = LineForm(request.POST, case=case, plan=_line_plan(case, where), where=where)
    return post_form(request, form=form, act=lambda d: budget.add_line(case_id=pk, actor=request.user, where=where,
                                                                       data=d),
                     done="明細を追加しました。", not_found=GrantCase.DoesNotExist, back=back_to_case(pk, where),
                     rerender=_line_again(request, pk, where),
                     then=lambda _: back_adding(reverse("case_detail", args=[pk]), f"{where}-add", where))


@require_POST
@login_required
def delete_line(request: AuthedRequest, pk: int, where: str, line_pk: int) -> HttpResponse:
    case_or_404(request, pk)
    _where_or_404(where)
    return _run(request, pk, forms.Form(request.POST),
                lambda d: budget.delete_line(case_id=pk, actor=request.user, where=where, line_id=line_pk),
                "明細を削除しました。", where)


@require_POST
@login_required
def add_staff_lines(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add the suggested 人件費 lines (one per secretariat staff member) to the draft budget, all or none. A staff
    member who already has a line in it is skipped (a second click adds nothing twice)."""
    case = case_or_404(request, pk)

    def add(_: dict[str, Any]) -> None:
        suggestions = staff_lines(case)
        if not suggestions:
            raise LineError("事務局員: 今年度に雇用している事務局員が登録されていません。")
        start = case.project_start or case.programme_year.base_date
        with transaction.atomic():
            budget.lock_for_lines(request.user, pk)  # who may write lines; one click at a time
            budgeted = set(case.budget_lines.filter(change_request=None, staff__isnull=False)
                           .values_list("staff_id", flat=True))
            suggestions = [s for s in suggestions if s["staff"].pk not in budgeted]
            if not suggestions:
                raise LineError("事務局員: 登録されている事務局員の人件費の明細は、すでに収支予算書にあります。")
            for suggestion in suggestions:
                budget.add_line(case_id=pk, actor=request.user, where="budget",
                                data={"kind": LineKind.EXPENSE, "spent_on": start, **suggestion})

    return _run(request, pk, forms.Form(request.POST), add, "事務局員の人件費の明細を追加しました。", "budget")


@require_POST
@login_required
def approve_override(request: AuthedRequest, pk: int, override_pk: int) -> HttpResponse:
    case_or_404(request, pk)
    return _run(request, pk, forms.Form(request.POST),
                lambda d: services.approve_override(case_id=pk, override_id=override_pk, actor=request.user),
                "特例判断を承認しました。", "checks")


@require_POST
@login_required
def reject_override(request: AuthedRequest, pk: int, override_pk: int) -> HttpResponse:
    case_or_404(request, pk)
    return _run(request, pk, RequiredNoteForm(request.POST),
                lambda d: services.reject_override(case_id=pk, override_id=override_pk, actor=request.user,
                                                   note=d["note"]),
                "特例判断を却下しました。", "checks")


ORDER_ACTS: dict[str, tuple[Callable[..., PaymentOrder], type[forms.Form], str]] = {
    "prepare": (orders.prepare_order, NoteForm, "支出命令を起票しました。"),
    "approve": (orders.approve_order, NoteForm, "支出を承認しました。振込の画面から振込バッチに入れてください。"),
    "reject": (orders.reject_order, RequiredNoteForm, "支出命令を差し戻しました。"),
}


@require_POST
@login_required
def order_action(request: AuthedRequest, pk: int, order_pk: int, act: str) -> HttpResponse:
    """起票 / 承認 / 差戻し of one of the case's payment orders (概算払・精算払)."""
    case_or_404(request, pk)
    if act not in ORDER_ACTS:
        raise Http404("操作が見つかりません。")
    get_object_or_404(PaymentOrder, pk=order_pk, case_id=pk)
    service, form_class, done = ORDER_ACTS[act]
    return post_form(request, form=form_class(request.POST), done=done, back=back_to_case(pk, "orders"),
                     act=lambda d: service(order_id=order_pk, actor=request.user, note=d["note"]),
                     not_found=(GrantCase.DoesNotExist, PaymentOrder.DoesNotExist))


@require_POST
@login_required
def add_receipt(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    report = PerformanceReport.objects.filter(case=case).first()
    form = ReceiptForm(request.POST, request.FILES, report=report)

    def call(d: dict[str, Any]) -> None:
        line = d["line"]
        receipts.add_receipt(case_id=pk, actor=request.user, title=d["title"], upload=d["file"],
                             line_id=line.pk if line else None)

    return _run(request, pk, form, call, "領収書の写しを登録しました。", "receipts")


@require_GET
@login_required
def receipt_download(request: AuthedRequest, pk: int, receipt_pk: int) -> FileResponse:
    """A receipt's file, for whoever may see the case (404 otherwise). The access is recorded: receipts name
    people and amounts."""
    case = case_or_404(request, pk)
    receipt = get_object_or_404(Receipt, pk=receipt_pk, report__case=case)
    ext = os.path.splitext(receipt.file.name or "")[1].lower()
    return recorded_download(request, receipt.file, subject=case, action="download_receipt", note=receipt.title,
                             filename=f"領収書_{receipt.pk}{ext}")
