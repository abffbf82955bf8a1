"""Pages of the case lifecycle. Views read through querysets and write only through services."""
import re
from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_tables2 import LazyPaginator, RequestConfig

from grants.accounts.models import Role, User
from grants.cases import services
from grants.cases.annual_run import advance_annual_run, eligible_organizations, start_annual_run
from grants.cases.eligibility import run_checks
from grants.cases.flow import FLOW, Edge, sources_of
from grants.cases.imports import ImportRejected, parse_household_counts
from grants.cases.labels import action_label
from grants.cases.models import AnnualRun, GrantCase
from grants.cases.permissions import access_case, may_correct_count, refusal
from grants.cases.querysets import status_counts, waiting_cases
from grants.core.models import AuditEvent
from grants.councils import lifecycle as council_lifecycle
from grants.ledger.models import BudgetAccount
from grants.organizations.models import Organization, Representative
from grants.organizations.services import OrganizationError, change_head
from grants.programmes.models import ProgrammeYear
from pages.cases.filters import GrantCaseFilter
from pages.cases.forms import AnnualRunForm, ChangeHeadForm, CountCorrectionForm, NoteForm, OverrideForm
from pages.cases.tables import GrantCaseTable

ACTIONS: dict[str, Callable[..., GrantCase]] = {
    # submit, verify and decide dispatch to grants.councils.lifecycle for full-lifecycle cases.
    "submit": services.submit_application,
    "return_to_applicant": services.return_application,
    "verify": services.verify_application,
    "decide": services.decide_grant,
    "refuse": services.refuse_grant,
    "prepare_payment": services.prepare_payment,
    "approve_payment": services.approve_payment,
    "reject_payment": services.reject_payment,
    # Full lifecycle: the edges that need only a note (the others have their own forms, grants.councils.views_cases).
    "approve_change": council_lifecycle.approve_change,
    "reject_change": council_lifecycle.reject_change,
    "submit_report": council_lifecycle.submit_report,
    "return_report": council_lifecycle.return_report,
    "verify_report": council_lifecycle.verify_report,
    "confirm": council_lifecycle.confirm,
    "close": council_lifecycle.close,
}
# Edges of the full lifecycle taken from a section's own form, not from the generic buttons.
FULL_FORM_ACTIONS = frozenset({"verify"})
# The history's words for the acts of the full lifecycle that are not edges of the flow.


def city_user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages for city staff only (協働推進課, 決裁者, 会計課, 監査委員事務局)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_city_user:
            raise PermissionDenied("市の職員のみが利用できる画面です。")
        return view(request, *args, **kwargs)

    return wrapped


PER_PAGE = 50


def _page_number(request: HttpRequest) -> int:
    """The requested page, from 1 to 100,000; anything else is page 1 (the query string is the user's)."""
    raw = request.GET.get("page", "1")
    return int(raw) if re.fullmatch(r"[0-9]{1,6}", raw) and int(raw) >= 1 else 1


def _case_or_404(request: HttpRequest, pk: int) -> GrantCase:
    try:
        return access_case(request.user, pk)
    except GrantCase.DoesNotExist as exc:
        raise Http404("案件が見つかりません。") from exc


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from grants.councils.worklist import other_work
    from grants.insurance.worklist import insurance_box

    years = []
    if request.user.is_city_user:
        years = list(ProgrammeYear.objects.select_related("programme", "budget_account").order_by("-fiscal_year"))
    own = GrantCase.objects.visible_to(request.user).select_related("programme_year__programme", "organization")
    context = {
        "years": years,
        "waiting": waiting_cases(request.user)[:20],
        "other_work": other_work(request.user) if request.user.is_city_user else [],
        "own_cases": own[:50] if not request.user.is_city_user else [],
        "insurance": insurance_box(request.user),
    }
    return render(request, "cases/home.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    qs = GrantCase.objects.visible_to(request.user).select_related(
        "organization__area", "programme_year__programme"
    )
    filterset = GrantCaseFilter(request.GET, queryset=qs)
    table = GrantCaseTable(filterset.qs)
    RequestConfig(request, paginate=False).configure(table)  # ordering from the query string
    try:
        table.paginate(paginator_class=LazyPaginator, per_page=PER_PAGE, page=_page_number(request))
    except EmptyPage:
        table.paginate(paginator_class=LazyPaginator, per_page=PER_PAGE, page=1)
    return render(request, "cases/case_list.html", {"filter": filterset, "table": table})


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    user = request.user
    full = case.programme_year.programme.lifecycle == "full"
    # A council sees its own checks: each line's reason tells the secretary what to correct.
    checks = run_checks(case) if user.is_city_user or full else None
    lifecycle = case.programme_year.programme.lifecycle
    actions = [
        (edge.for_lifecycle(lifecycle), _why_not(edge, case, user, full))
        for edge in FLOW.values()
        if not edge.via_batch and not edge.via_form and case.status in sources_of(edge.action)
        and user.role in edge.roles and case.programme_year.programme.lifecycle in edge.lifecycles
        and not (full and edge.action in FULL_FORM_ACTIONS)
    ]
    context = {
        "case": case,
        "representative": case.organization.current_representative(),
        "bank_account": case.organization.current_bank_account(),
        "checks": checks,
        "checks_all_passed": bool(checks) and all(r.passed for r in checks),
        "actions": actions,
        "note_form": NoteForm(),
        "count_form": CountCorrectionForm(initial={"households": case.household_count}),
        "may_correct": may_correct_count(case, user),
        "override_form": OverrideForm(choices=_override_choices(case, checks)),
        "may_override": user.role == "staff" and case.status == "submitted",
        "events": (events := _events(case)),
        # Cases of past years loaded from the city's records (過年度データの移行) carry only their amounts.
        "migrated": any(e.action == "migrate_case" for e in events),
        "full": full,
    }
    if full:
        from pages.cases.full import full_context

        context.update(full_context(case, user, checks))
    return render(request, "cases/case_detail.html", context)


def _events(case: GrantCase) -> list[AuditEvent]:
    """The case's audit trail, each event with ``label``: what was done, in words."""
    events = list(AuditEvent.objects.for_object(case).select_related("actor"))
    lifecycle = case.programme_year.programme.lifecycle
    for event in events:
        event.label = action_label(event.action, lifecycle)  # type: ignore[attr-defined]
    return events


def _why_not(edge: Edge, case: GrantCase, user: User, full: bool) -> str | None:
    """Why the generic button of ``edge`` is disabled: the flow's refusal, and for closing a full-lifecycle case
    what is not settled yet."""
    why = refusal(edge, case, user)
    if why is None and full and edge.action == "close":
        unsettled = council_lifecycle.settled(case)
        why = f"まだ完了にできません：{unsettled}" if unsettled else None
    return why


def _override_choices(case: GrantCase, checks: list | None) -> list[tuple[str, str]] | None:
    """The checks an override may name: for a full-lifecycle case, its failed checks without an override yet."""
    if case.programme_year.programme.lifecycle != "full":
        return None
    taken = set(case.overrides.values_list("check_code", flat=True))
    return [(r.code, r.label) for r in (checks or run_checks(case)) if not r.passed and r.code not in taken]


@require_POST
@login_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("操作が見つかりません。")
    form = NoteForm(request.POST)
    if not form.is_valid():
        _case_or_404(request, pk)
        messages.error(request, f"理由・備考: {' '.join(form.errors['note'])} 操作は行っていません。")
        return redirect("case_detail", pk=pk)
    try:
        case = ACTIONS[action](case_id=pk, actor=request.user, note=form.cleaned_data["note"])
    except GrantCase.DoesNotExist as exc:
        raise Http404("案件が見つかりません。") from exc
    except services.CaseActionError as exc:
        messages.error(request, str(exc))
    else:
        label = FLOW[action].for_lifecycle(case.programme_year.programme.lifecycle).label
        messages.success(request, f"「{label}」を行いました。現在の状態: {case.get_status_display()}")
    return redirect("case_detail", pk=pk)


def _post_form(
    request: HttpRequest, pk: int, form: forms.Form, service: Callable[..., object], done: str
) -> HttpResponse:
    """Validate ``form``, call ``service(case_id=pk, actor=user, **cleaned_data)`` and report the outcome."""
    _case_or_404(request, pk)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
        return redirect("case_detail", pk=pk)
    try:
        service(case_id=pk, actor=request.user, **form.cleaned_data)
    except services.CaseActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("case_detail", pk=pk)


@require_POST
@login_required
def correct_count(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_form(request, pk, CountCorrectionForm(request.POST), services.correct_household_count,
                      "世帯数を訂正し、交付額を計算し直しました。")


@require_POST
@login_required
def override_check(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    form = OverrideForm(request.POST, choices=_override_choices(case, None))
    done = "特例判断を記録しました。"
    if case.programme_year.programme.lifecycle == "full":
        done += "別の担当者または決裁者が承認すると、要件を満たしたものとして扱います。"
    return _post_form(request, pk, form, services.override_check, done)


@city_user_required
def programme_year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    account = BudgetAccount.objects.filter(programme_year=year).first()
    context = {
        "year": year,
        "account": account,
        "status_counts": status_counts(year),
        "components": year.components.prefetch_related("bands"),
        "runs": year.annual_runs.select_related("started_by")[:5],
    }
    return render(request, "cases/programme_year.html", context)


@city_user_required
def annual_run_start(request: HttpRequest, pk: int) -> HttpResponse:
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    form = AnnualRunForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        counts, source = None, ""
        try:
            if form.cleaned_data["source"] == "import":
                upload = form.cleaned_data["file"]
                codes = set(eligible_organizations(year).values_list("code", flat=True))
                counts = parse_household_counts(upload.name, upload.read(), codes).counts
                name = upload.name if len(upload.name) <= 120 else upload.name[:117] + "…"
                source = f"取込み: {name}（{len(counts)}件）"
            run = start_annual_run(programme_year=year, actor=request.user, counts=counts, source=source)
        except ImportRejected as exc:
            errors = exc.errors
        except services.CaseActionError as exc:
            errors = [str(exc)]
        else:
            return redirect("annual_run", pk=run.pk)
    return render(request, "cases/annual_run_start.html", {"year": year, "form": form, "import_errors": errors})


@city_user_required
def annual_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AnnualRun.objects.select_related("programme_year__programme"), pk=pk)
    return render(request, "cases/annual_run.html", {"run": run})


@require_POST
@city_user_required
def annual_run_step(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AnnualRun, pk=pk)
    try:
        run = advance_annual_run(run_id=pk, actor=request.user)
    except services.CaseActionError as exc:
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
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
        try:
            change_head(organization_id=org.pk, actor=request.user, name=data["name"], title=data["title"],
                        started_on=data["started_on"], user=data["username"])
        except OrganizationError as exc:
            messages.error(request, str(exc))
        else:
            done = f"代表者を{data['name']}さんに交代しました。これまでの申請はそのまま引き継がれます。"
            messages.success(request, done)
            return redirect("organization_detail", pk=org.pk)
    return render(request, "cases/organization.html", {
        "org": org, "cases": cases, "representatives": org.representatives.select_related("user"),
        "head_form": form, "may_change_head": request.user.role == Role.STAFF,
    })
