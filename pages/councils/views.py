"""Pages of the 地域づくり協議会: the 地域づくり計画 (versions, items, attachments, approval), the council's
事務局員 and, for city users, the 実績報告 deadlines. Views read through querysets and write only through the
services ``plans`` and ``staff``; a plan or council the user may not see answers 404."""
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants.accounts.models import Role, User
from grants.cases.models import GrantCase
from grants.cases.overdue import SOON_DAYS, report_deadlines
from grants.core import workflow
from grants.core.fiscal import fiscal_year_label, fiscal_year_of
from grants.core.models import AuditEvent
from grants.councils import plans, staff
from grants.organizations.models import CommunityPlan, Organization, PlanItem, PlanStatus, SecretariatStaff
from pages.councils.forms import (
    ApproveForm,
    AttachmentForm,
    PlanCreateForm,
    PlanFilterForm,
    PlanItemForm,
    ReturnForm,
    RevisionForm,
    StaffEndForm,
    StaffForm,
)
from pages.http import AuthedRequest, act_once, back_adding, city_user_required, post_form

PLAN_EVENT_LABELS = {
    "create_plan": "計画の作成",
    "add_plan_item": "項目の追加",
    "delete_plan_item": "項目の削除",
    "add_plan_attachment": "資料の追加",
    "submit_plan": "提出",
    "return_plan": "差戻し",
    "approve_plan": "承認",
    "supersede_plan": "改定版の承認により終了",
    "start_plan_revision": "改定版の作成",
}


# -- 地域づくり計画 -------------------------------------------------------------------------------------------

def _plan_or_404(user: User, pk: int) -> CommunityPlan:
    return get_object_or_404(
        plans.visible_plans(user).select_related("organization__area", "submitted_by", "approved_by", "revises"),
        pk=pk,
    )


def plan_actions(user: User, plan: CommunityPlan, open_version: bool) -> set[str]:
    """The acts ``user`` may take on ``plan`` (already visible to them), from the plan's machine, so the page
    shows only those. ``open_version``: the council has a draft or submitted version (no second revision)."""
    machine = plans.COMMUNITY_PLAN
    edges = workflow.open_edges(machine, plan, user)
    acts: set[str] = set()
    if workflow.may(machine, plan, user, "edit_plan"):
        acts |= {"add_item", "delete_item"}
    if workflow.may(machine, plan, user, "attach_to_plan"):
        acts.add("add_attachment")
    acts |= {short for name, short in (("submit_plan", "submit"), ("return_plan", "return")) if name in edges}
    if "approve_plan" in edges and edges["approve_plan"].enabled:
        acts.add("approve")
    if workflow.may(machine, plan, user, "revise_plan") and not open_version:
        acts.add("revise")
    return acts


def _creatable_councils(user: User) -> QuerySet[Organization]:
    if user.role == Role.STAFF:
        return staff.visible_councils(user).filter(is_active=True)
    if user.role == Role.ASSOCIATION_HEAD:
        return staff.visible_councils(user)
    return Organization.objects.none()


@login_required
def plan_list(request: AuthedRequest) -> HttpResponse:
    """Plans visible to the user: every council's for city users (filter by state and council), the
    versions of their own council for a secretary."""
    user = request.user
    qs = plans.visible_plans(user).select_related("organization__area").order_by(
        "organization__area__code", "organization__code", "-version")
    form = PlanFilterForm(request.GET or None, councils=staff.visible_councils(user).order_by("area__code", "code"))
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["organization"]:
            qs = qs.filter(organization=form.cleaned_data["organization"])
    return render(request, "councils/plans/plan_list.html", {
        # Only a council without a plan starts one here; the others revise from their approved version.
        # A council's first plan, or the plan of its next term (第N期): the service refuses overlapping terms.
        "plans": qs, "filter_form": form, "may_create": _creatable_councils(user).exists(),
    })


@login_required
def plan_create(request: AuthedRequest) -> HttpResponse:
    """A council's first plan or the plan of a new term (第N期): its secretary for their council, staff for any
    council (picked in the form). A term overlapping a live plan is refused (revisions go through 改定)."""
    councils = _creatable_councils(request.user).order_by("area__code", "code")
    if not councils.exists():
        raise PermissionDenied("地域づくり計画を作成する権限がありません。")
    initial = {}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = PlanCreateForm(request.POST or None, councils=councils, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:  # once per form: a double click makes one plan
            return act_once(request, act=lambda: plans.create_plan(actor=request.user, **form.cleaned_data),
                            done="地域づくり計画（作成中）を作成しました。分野・施策・取組を入力してください。",
                            then=lambda plan: redirect("plan_detail", pk=plan.pk))
        except workflow.ActionRefused as exc:  # PlanError, or a key that is not honoured
            messages.error(request, str(exc))
    return render(request, "councils/plans/plan_create.html", {"form": form})


def _item_tree(plan: CommunityPlan) -> list[tuple[PlanItem, list[tuple[PlanItem, list[PlanItem]]]]]:
    """[(分野, [(施策, [取組])])] from one query, in code order."""
    children: dict[int | None, list[PlanItem]] = defaultdict(list)
    for item in plan.items.order_by("code"):
        children[item.parent_id].append(item)
    return [(field, [(measure, children[measure.pk]) for measure in children[field.pk]])
            for field in children[None]]


def _plan_events(plan: CommunityPlan) -> list[dict[str, object]]:
    states = dict(PlanStatus.choices)
    return [{"event": e, "label": PLAN_EVENT_LABELS.get(e.action, e.action),
             "from_state": states.get(e.from_state, e.from_state), "to_state": states.get(e.to_state, e.to_state)}
            for e in AuditEvent.objects.for_object(plan).select_related("actor")]


@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    plan = _plan_or_404(user, pk)
    versions = list(
        plans.visible_plans(user).filter(organization=plan.organization).order_by("version").prefetch_related(
            Prefetch("cases", queryset=GrantCase.objects.select_related("programme_year__programme").order_by(
                "programme_year__fiscal_year", "pk")))
    )
    open_version = any(v.status in (PlanStatus.DRAFT, PlanStatus.SUBMITTED) for v in versions)
    acts = plan_actions(user, plan, open_version)
    # Why this staff member may not approve a submitted plan (they drafted, submitted or wrote it): another does.
    approve_refusal = (workflow.refusal(plans.COMMUNITY_PLAN, plans.COMMUNITY_PLAN.edge("approve_plan"), plan, user)
                       if plan.status == PlanStatus.SUBMITTED and user.role == Role.STAFF and "approve" not in acts
                       else None)
    return render(request, "councils/plans/plan_detail.html", {
        "plan": plan,
        "tree": _item_tree(plan),
        "attachments": plan.attachments.select_related("uploaded_by"),
        "events": _plan_events(plan),
        "versions": versions,
        "acts": acts,
        "approve_refusal": approve_refusal,
        "returned": plans.pending_return(plan),  # 差戻し: the reason at the top while it waits to be sent again
        "show_procedures": bool(acts & {"submit", "return", "approve", "revise"}) or bool(approve_refusal),
        # Both forms have a "title": distinct ids keep each label on its own input.
        "item_form": PlanItemForm(plan=plan, auto_id="item-%s"),
        "attachment_form": AttachmentForm(auto_id="attachment-%s"),
        "return_form": ReturnForm(),
        "approve_form": ApproveForm(),
        "revision_form": RevisionForm(),
    })


def _plan_post(request: AuthedRequest, pk: int, act: Callable[[dict[str, Any]], CommunityPlan | object], done: str,
               form: forms.Form | None = None, adding: str = "") -> HttpResponse:
    """Check the plan is visible (404), then ``pages.http.post_form``: go to the plan ``act`` returns (a new
    version), or back to this one (with the add form ``adding`` open again)."""
    _plan_or_404(request.user, pk)

    def then(result: object) -> HttpResponse:
        if isinstance(result, CommunityPlan):
            return redirect("plan_detail", pk=result.pk)
        return back_adding(reverse("plan_detail", args=[pk]), adding) if adding else redirect("plan_detail", pk=pk)

    return post_form(request, form=form, act=act, done=done, back=redirect("plan_detail", pk=pk),
                     not_found=CommunityPlan.DoesNotExist, then=then)


@require_POST
@login_required
def plan_add_item(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request.user, pk)
    return _plan_post(
        request, pk, lambda data: plans.add_item(actor=request.user, plan_id=pk, level=data["level"],
                                                 code=data["code"], title=data["title"],
                                                 description=data["description"], parent_id=data["parent"]),
        "項目を追加しました。", PlanItemForm(request.POST, plan=plan), adding="add-item",
    )


@require_POST
@login_required
def plan_delete_item(request: AuthedRequest, pk: int, item_pk: int) -> HttpResponse:
    return _plan_post(request, pk, lambda data: plans.delete_item(actor=request.user, plan_id=pk, item_id=item_pk),
                      "項目を削除しました（下位の項目も削除されます）。")


@require_POST
@login_required
def plan_add_attachment(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_post(
        request, pk, lambda data: plans.add_attachment(actor=request.user, plan_id=pk, title=data["title"],
                                                       upload=data["file"]),
        "資料を添付しました。", AttachmentForm(request.POST, request.FILES),
    )


@require_POST
@login_required
def plan_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk, lambda data: plans.submit_plan(actor=request.user, plan_id=pk),
                      "計画を提出しました。市の担当者が確認します。")


@require_POST
@login_required
def plan_return(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk, lambda data: plans.return_plan(actor=request.user, plan_id=pk, note=data["note"]),
                      "計画を差し戻しました。", ReturnForm(request.POST))


@require_POST
@login_required
def plan_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk,
                      lambda data: plans.approve_plan(actor=request.user, plan_id=pk, note=data["note"]),
                      "計画を承認しました。", ApproveForm(request.POST))


@require_POST
@login_required
def plan_revise(request: AuthedRequest, pk: int) -> HttpResponse:
    return _plan_post(request, pk,
                      lambda data: plans.start_revision(actor=request.user, plan_id=pk, reason=data["reason"]),
                      "改定版（作成中）を作成しました。項目を直して提出してください。", RevisionForm(request.POST))


@login_required
def plan_attachment(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download an attachment of a plan the user may see (files are never served from MEDIA directly)."""
    plan = _plan_or_404(request.user, pk)
    attachment = get_object_or_404(plan.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("ファイルが見つかりません。") from exc
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(attachment.file.name))


# -- 事務局員 ----------------------------------------------------------------------------------------------------

def _council_or_404(user: User, pk: int) -> Organization:
    return get_object_or_404(staff.visible_councils(user).select_related("area"), pk=pk)


@login_required
def council_staff(request: AuthedRequest, pk: int) -> HttpResponse:
    """A council's 事務局員 with the yearly cost for the current 年度 (monthly cost × months employed), and
    the form to record one (the council's secretary, or staff)."""
    user = request.user
    org = _council_or_404(user, pk)
    may_record = staff.may_record(user, org)
    form = StaffForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:  # once per form: a double click records one staff member
                return act_once(request, act=lambda: staff.add_staff(actor=user, organization_id=org.pk,
                                                                     **form.cleaned_data),
                                done="事務局員を登録しました。", then=lambda _: redirect("council_staff", pk=org.pk))
            except staff.StaffError as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        if field in form.fields:
                            form.add_error(field, error)
                        else:
                            messages.error(request, error)
            except workflow.ActionRefused as exc:  # a key that is not honoured
                messages.error(request, str(exc))
        if form.errors:
            messages.error(request, "入力内容を確認してください。事務局員の登録は行っていません。")
    fiscal_year = fiscal_year_of(timezone.localdate())
    records = [(s, s.months_in(fiscal_year), s.cost_in(fiscal_year))
               for s in SecretariatStaff.objects.filter(organization=org)]
    return render(request, "councils/staff/staff_list.html", {
        "org": org, "records": records, "total": sum(cost for _, _, cost in records),
        "fiscal_year": fiscal_year, "fiscal_year_label": fiscal_year_label(fiscal_year),
        "show_names": staff.may_see_names(user, org), "may_record": may_record, "form": form,
        "end_form": StaffEndForm(),
    })


@require_POST
@login_required
def council_staff_end(request: AuthedRequest, pk: int, staff_pk: int) -> HttpResponse:
    org = _council_or_404(request.user, pk)
    record = get_object_or_404(SecretariatStaff.objects.filter(organization=org), pk=staff_pk)
    return post_form(request, form=StaffEndForm(request.POST), back=redirect("council_staff", pk=org.pk),
                     act=lambda d: staff.end_staff(actor=request.user, staff_id=record.pk,
                                                   employed_until=d["employed_until"]),
                     done=f"{record.role}の雇用終了日を登録しました。")


# -- 実績報告の期限 ------------------------------------------------------------------------------------------

@city_user_required
def overdue_reports(request: AuthedRequest) -> HttpResponse:
    """City users: 実績報告 past their due date, and those due within ``SOON_DAYS`` days."""
    today = timezone.localdate()
    rows = report_deadlines(today=today)
    return render(request, "councils/reports/overdue.html", {
        "overdue": [r for r in rows if r.overdue], "soon": [r for r in rows if not r.overdue],
        "today": today, "soon_days": SOON_DAYS,
    })
