"""Pages of grant cases. Views read through querysets and write only through services; which acts a page offers
comes from the case's workflow (``grants.core.workflow.offers`` and ``may``), never from a status test here."""
from __future__ import annotations

import re
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import LazyPaginator, RequestConfig

from grants.accounts.models import Role
from grants.cases import checks, services
from grants.cases.annual_run import advance_annual_run, eligible_organizations, start_annual_run
from grants.cases.bulk import bulk_edges
from grants.cases.figures import figure_rows
from grants.cases.import_job import counts_source, queue_household_import
from grants.cases.imports import ImportRejected, check_household_file, parse_household_counts
from grants.cases.labels import action_label
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.permissions import may_correct_count
from grants.cases.querysets import CaseNumberOrder, status_counts, waiting_cases
from grants.cases.returns import pending_return, pending_returns
from grants.cases.rules import applied_version_label
from grants.cases.workflows import WORKFLOWS, workflow_of
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.core.wording import done_message
from grants.councils.worklist import other_work
from grants.insurance.worklist import insurance_box
from grants.jobs.services import JobError
from grants.ledger.models import BudgetAccount
from grants.organizations.models import Measure, Organization, OrganizationFigure, Representative
from grants.organizations.services import OrganizationError, change_head
from grants.programmes.models import ProgrammeYear
from pages.cases.filters import case_filter
from pages.cases.forms import (
    AnnualRunForm,
    ChangeHeadForm,
    CountCorrectionForm,
    FigureCorrectionForm,
    NoteForm,
    OverrideForm,
)
from pages.cases.full import case_or_404, full_context
from pages.cases.tables import BY_CASE_NUMBER, CaseNumberPages, GrantCaseTable
from pages.evaluation.case_section import evaluation_context
from pages.http import AuthedRequest, act_once, city_user_required, field_errors, post_form

PER_PAGE = 50


def _page_number(request: HttpRequest) -> int:
    """The requested page, from 1 to 100,000; anything else is page 1 (the query string is the user's)."""
    raw = request.GET.get("page", "1")
    return int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) and int(raw) >= 1 else 1


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    years = []
    if request.user.is_city_user:
        years = list(ProgrammeYear.objects.select_related("programme", "budget_account").order_by("-fiscal_year"))
    own: list[GrantCase] = []
    if not request.user.is_city_user:
        own = list(GrantCase.objects.visible_to(request.user)
                   .select_related("programme_year__programme", "organization")[:50])
    returned = pending_returns(own)  # one query for the list: the returns that stand, with their reasons
    for own_case in own:
        own_case.returned = returned.get(own_case.pk)  # type: ignore[attr-defined]
    context = {
        "years": years,
        "waiting": waiting_cases(request.user)[:20],
        "other_work": other_work(request.user) if request.user.is_city_user else [],
        "own_cases": own,
        "returned_cases": [c for c in own if c.pk in returned],
        "insurance": insurance_box(request.user),
        # The organisations the applicant acts for today, each with their role and its users' page (団体の利用者).
        "terms": (Representative.objects.current().filter(user=request.user).select_related("organization")
                  .order_by("organization__name") if request.user.role == Role.ASSOCIATION_HEAD else []),
    }
    return render(request, "cases/home.html", context)


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    filterset = case_filter(request.GET, request.user)
    bulk = bulk_edges(request.user)  # the acts the user's role may take on many cases at once (city staff)
    table = GrantCaseTable(filterset.qs, exclude=() if bulk else ("select",))
    RequestConfig(request, paginate=False).configure(table)  # ordering from the query string
    # By case number (the default, and the 案件番号 column), each programme-year's cases through their index:
    # ordering by the programme-year's 年度 across the join would sort every case for every page.
    by_number = BY_CASE_NUMBER.get(tuple(table.order_by or ()))
    paginator: Any = LazyPaginator
    if by_number is not None:
        years, numbers = by_number
        paginator = partial(CaseNumberPages, order=CaseNumberOrder(filterset.qs, years=years, numbers=numbers))
    try:
        table.paginate(paginator_class=paginator, per_page=PER_PAGE, page=_page_number(request))
    except EmptyPage:
        table.paginate(paginator_class=paginator, per_page=PER_PAGE, page=1)
    return render(request, "cases/case_list.html", {"filter": filterset, "table": table, "bulk_edges": bulk})


@login_required
def case_detail(request: AuthedRequest, pk: int, bound: dict[str, forms.BaseForm] | None = None) -> HttpResponse:
    """The case page; ``bound``: forms as typed, shown again with their errors (a POST view of the page's parts
    that reaches this view through the URL resolver, ``pages.cases.full.typed_again``)."""
    return _case_page(request, pk, bound=bound)


def _case_page(request: AuthedRequest, pk: int, typed: FigureCorrectionForm | None = None,
               bound: dict[str, forms.BaseForm] | None = None) -> HttpResponse:
    """The case page; ``typed``: a figure's correction form as typed, shown again with its errors; ``bound``: other
    forms of the page as typed, by their name in the context (``count_form`` …), shown again with their errors at
    their fields."""
    case = case_or_404(request, pk)
    user, flow = request.user, workflow_of(case)
    machine = flow.machine
    shows_checks = user.is_city_user or flow.checks_shown_to_applicant
    results = checks.run_checks(case) if shows_checks else None
    context: dict[str, Any] = {
        "case": case,
        "workflow": flow,
        "sections": [f"cases/sections/_{name}.html" for name in flow.sections],
        "sections_after": [f"cases/sections/_{name}.html" for name in flow.sections_after],
        "representative": case.organization.current_representative(),
        "bank_account": case.organization.current_bank_account(),
        "checks": results,
        "checks_all_passed": bool(results) and all(r.passed for r in results or []),
        "actions": workflow.offers(machine, case, user),
        "acts": workflow.open_edges(machine, case, user),
        "note_form": NoteForm(),
        "count_form": CountCorrectionForm(initial={"households": case.household_count}),
        "may_correct": (may_correct := may_correct_count(case, user)),
        # The figures the rule uses besides the households (人口, 面積 …), each with its correction form.
        "figures": (figures := figure_rows(case) if flow.takes_count else []),
        "figure_forms": [typed if typed is not None and typed.measure == row.measure
                         else FigureCorrectionForm(measure=row.measure, initial={"value": row.value})
                         for row in figures] if may_correct else [],
        "override_form": OverrideForm(choices=_override_choices(case, results)),
        "may_override": workflow.may(machine, case, user, "override"),
        "events": (events := _events(case)),
        # Cases of past years loaded from the city's records (過年度データの移行) carry only their amounts.
        "migrated": any(e.action == "migrate_case" for e in events),
        "refused": case.status in flow.refused,
        # 「第1版（令和8年4月1日）」 when the rule has been revised since: the version the decision used.
        "rule_version_label": applied_version_label(case),
        # 差戻し: the reason at the top of the page while the case waits to be sent again.
        "returned": pending_return(case),
    }
    if flow.budget_lines:
        context.update(full_context(case, user, results))
    context.update(evaluation_context(case, user))  # 評価: targets, results and 自己評価, the evaluators' scores
    # A form as typed replaces its blank one only where the page shows that form to this user now; a form the page
    # does not show (the case moved on since the user opened it) says its errors as messages, never nothing.
    for name, form in (bound or {}).items():
        block_name, _, key = name.partition(".")
        block = context.get(block_name)
        if key:
            # A form within a part of the page (a lines table's add form, "budget_block.form"), which brings its
            # errors' summary as messages itself; shown as typed where the page still shows that part's form.
            if isinstance(block, dict) and block.get(key) is not None:
                context[block_name] = {**block, key: form}
        elif _shows(name, form, context):
            context[name] = form
        else:
            field_errors(request, form)
    return render(request, "cases/case_detail.html", context)


# The context flag under which a section's template shows each form that is always in the context.
SHOWN_BY = {"application_form": "may_edit_application", "change_start_form": "may_start_change",
            "change_submit_form": "may_submit_change", "report_form": "may_write_report", "count_form": "may_correct"}


def _shows(name: str, form: forms.BaseForm, context: dict[str, Any]) -> bool:
    """Whether the case page's templates show the form ``name`` with this ``context`` (the conditions of
    _application, _change, _report, _count, _checks and _checks_full)."""
    if name == "override_form":
        sections = context["sections"]
        if "cases/sections/_checks_full.html" in sections:
            return bool(context.get("may_override_full") and getattr(form.fields["check_code"], "choices", None))
        return bool("cases/sections/_checks.html" in sections and context["may_override"]
                    and not context["checks_all_passed"])
    if name in SHOWN_BY:
        return bool(context.get(SHOWN_BY[name]))
    return context.get(name) is not None


def _events(case: GrantCase) -> list[AuditEvent]:
    """The case's audit trail, each event with ``label``: what was done, in words."""
    events = list(AuditEvent.objects.for_object(case).select_related("actor"))
    code = case.programme_year.programme.workflow
    for event in events:
        event.label = action_label(event.action, code)  # type: ignore[attr-defined]
    return events


def _override_choices(case: GrantCase, results: list[checks.CheckResult] | None) -> list[tuple[str, str]]:
    """The checks an override may name: where overrides need approval, the failed checks without an override
    yet (their codes name the line); else every check of the programme."""
    if not workflow_of(case).overrides_need_approval:
        return list(checks.check_labels(case).items())
    taken = set(case.overrides.values_list("check_code", flat=True))
    return [(r.code, r.label) for r in (results or checks.run_checks(case)) if not r.passed and r.code not in taken]


@require_POST
@login_required
def case_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Take the edge ``action`` of the case's workflow with a note. An edge a page offers through its own form
    is refused here for want of its input; an edge no page offers (a batch's payment) is not found."""
    case = case_or_404(request, pk)
    edge = next((e for e in workflow_of(case).machine.edges if e.name == action and e.page), None)
    if edge is None:
        raise Http404("操作が見つかりません。")

    def take(data: dict[str, Any]) -> GrantCase:
        return services.act(case_id=pk, edge=action, actor=request.user, note=data["note"])

    return post_form(request, form=NoteForm(request.POST), act=take, back=redirect("case_detail", pk=pk),
                     done=lambda taken: f"{done_message(edge.label)}現在の状態: {taken.status_label}",
                     invalid=lambda form: ("理由・備考: " + " ".join(str(e) for e in form.errors["note"])
                                           + " 操作は行っていません。"),
                     not_found=GrantCase.DoesNotExist)


@require_POST
@login_required
def correct_count(request: AuthedRequest, pk: int) -> HttpResponse:
    case_or_404(request, pk)
    return post_form(request, form=CountCorrectionForm(request.POST),
                     act=lambda d: services.correct_household_count(case_id=pk, actor=request.user, **d),
                     done="世帯数を訂正し、交付額を計算し直しました。", back=redirect("case_detail", pk=pk),
                     rerender=lambda typed: _case_page(request, pk, bound={"count_form": typed}))


@require_POST
@login_required
def correct_figure(request: AuthedRequest, pk: int, code: str) -> HttpResponse:
    """A figure the case's rule uses (人口, 面積 …), corrected before submission with a reason."""
    case_or_404(request, pk)
    measure = Measure.objects.filter(code=code).first()
    if measure is None:
        raise Http404("項目が見つかりません。")
    form = FigureCorrectionForm(request.POST, measure=measure)
    return post_form(request, form=form,
                     act=lambda d: services.correct_figure(case_id=pk, actor=request.user, measure_code=code,
                                                           value=d["value"], reason=d["reason"]),
                     done=f"{measure.name}を訂正し、交付額を計算し直しました。", back=redirect("case_detail", pk=pk),
                     rerender=lambda typed: _case_page(request, pk, form))


@require_POST
@login_required
def override_check(request: AuthedRequest, pk: int) -> HttpResponse:
    case = case_or_404(request, pk)
    form = OverrideForm(request.POST, choices=_override_choices(case, None))
    done = "特例判断を記録しました。"
    if workflow_of(case).overrides_need_approval:
        done += "別の担当者または決裁者が承認すると、要件を満たしたものとして扱います。"
    return post_form(request, form=form, act=lambda d: services.override_check(case_id=pk, actor=request.user, **d),
                     done=done, back=redirect("case_detail", pk=pk),
                     rerender=lambda typed: _case_page(request, pk, bound={"override_form": typed}))


@city_user_required
def programme_year_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    account = BudgetAccount.objects.filter(programme_year=year).first()
    context = {
        "year": year,
        "workflow": WORKFLOWS[year.programme.workflow],
        "account": account,
        "status_counts": status_counts(year),
        "components": year.components.select_related("measure").prefetch_related("bands"),
        "runs": year.annual_runs.select_related("started_by")[:5],
    }
    return render(request, "cases/programme_year.html", context)


@city_user_required
def annual_run_start(request: AuthedRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    form = AnnualRunForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        counts, figures, source = None, None, ""
        try:
            if form.cleaned_data["source"] == "import":
                upload = form.cleaned_data["file"]
                data = upload.read()
                if len(data) > settings.HOUSEHOLD_IMPORT_BACKGROUND_BYTES:
                    # A large file is read by the worker; what can be refused at once is refused here.
                    check_household_file(upload.name, data)
                    return act_once(request, done="", then=lambda job: redirect("job_detail", pk=job.pk),
                                    act=lambda: queue_household_import(programme_year=year, actor=request.user,
                                                                       name=upload.name, data=data))
                codes = set(eligible_organizations(year).values_list("code", flat=True))
                parsed = parse_household_counts(upload.name, data, codes, list(Measure.objects.all()))
                counts, figures = parsed.counts, parsed.figures
                source = counts_source(upload.name, len(counts))
            return act_once(request, done="", then=lambda run: redirect("annual_run", pk=run.pk),
                            act=lambda: start_annual_run(programme_year=year, actor=request.user, counts=counts,
                                                         source=source, figures=figures))
        except ImportRejected as exc:
            errors = exc.errors
        except (workflow.ActionRefused, JobError) as exc:
            errors = [str(exc)]
    return render(request, "cases/annual_run_start.html", {
        "year": year, "workflow": WORKFLOWS[year.programme.workflow], "form": form, "import_errors": errors,
        "measures": Measure.objects.all(),
    })


@city_user_required
def annual_run(request: AuthedRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AnnualRun.objects.select_related("programme_year__programme"), pk=pk)
    return render(request, "cases/annual_run.html", {"run": run, "done": run.finished_at is not None})


@require_POST
@city_user_required
def annual_run_step(request: AuthedRequest, pk: int) -> HttpResponse:
    get_object_or_404(AnnualRun, pk=pk)
    try:
        run = advance_annual_run(run_id=pk, actor=request.user)
    except workflow.ActionRefused as exc:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"error": str(exc)}, status=403)
        messages.error(request, str(exc))
        return redirect("annual_run", pk=pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({
            "status": run.status, "processed": run.processed, "total": run.total, "percent": run.percent,
            "created": run.created_count, "existing": run.existing_count, "missing": run.missing_count_count,
        })
    return redirect("annual_run", pk=pk)


@login_required
def organization_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An organisation's page: heads past and present and every case (its history survives a change of head).
    A head sees only the organisations they represent now; 404 otherwise."""
    qs = Organization.objects.select_related("area")
    if not request.user.is_city_user:
        qs = qs.filter(pk__in=Representative.objects.current().filter(user=request.user).values("organization"))
    org = get_object_or_404(qs, pk=pk)
    cases = GrantCase.objects.filter(organization=org).select_related("programme_year__programme")
    form = ChangeHeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:  # once per form: a double click records one change of head
            return act_once(request, act=lambda: change_head(
                organization_id=org.pk, actor=request.user, name=data["name"], title=data["title"],
                started_on=data["started_on"], user=data["username"]),
                done=f"代表者を{data['name']}さんに交代しました。これまでの申請はそのまま引き継がれます。",
                then=lambda _: redirect("organization_detail", pk=org.pk))
        except (OrganizationError, workflow.ActionRefused) as exc:
            messages.error(request, str(exc))
    return render(request, "cases/organization.html", {
        "org": org, "cases": cases, "representatives": org.representatives.heads().select_related("user"),
        "figures": OrganizationFigure.objects.filter(organization=org).select_related("measure", "recorded_by")[:50],
        "head_form": form, "may_change_head": request.user.role == Role.STAFF,
    })
