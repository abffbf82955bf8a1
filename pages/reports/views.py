"""Requesting the auditor's exports: each POST queues a background job (grants.jobs) and shows its page,
where progress is visible and the file is kept for download. City staff only (403 otherwise)."""
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from grants.core.workflow import ActionRefused
from grants.jobs.services import JobError, request_job
from grants.programmes.models import ProgrammeYear
from pages.http import AuthedRequest, act_once, city_user_required

# format field → (job kind, what the job's title says it makes)
PROGRAMME_YEAR_EXPORTS: dict[str, tuple[str, str]] = {
    "xlsx": ("programme_year_workbook", "台帳・案件一覧など（Excel）"),
    "csv": ("ledger_csv", "台帳（CSV）"),
}


def _queue(request: AuthedRequest, *, kind: str, title: str, params: dict[str, object]) -> HttpResponse:
    """Queue the job and open its page; the same form sent twice (a double click) queues one job."""
    try:
        return act_once(request, act=lambda: request_job(kind=kind, actor=request.user, title=title, params=params),
                        done="", then=lambda job: redirect("job_detail", pk=job.pk))
    except (JobError, ActionRefused) as exc:
        raise PermissionDenied(str(exc)) from exc


@city_user_required
@require_POST
def request_programme_year_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue the workbook (``format=xlsx``) or the ledger CSV (``format=csv``) of programme-year ``pk``; 404
    for an unknown programme-year, 400 for another format."""
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    export = PROGRAMME_YEAR_EXPORTS.get(request.POST.get("format", ""))
    if export is None:
        return HttpResponseBadRequest("出力形式（xlsx または csv）を指定してください。")
    kind, what = export
    return _queue(request, kind=kind, title=f"{year} {what}", params={"programme_year": year.pk})


@city_user_required
@require_POST
def request_fiscal_year_export(request: AuthedRequest, fiscal_year: int) -> HttpResponse:
    """Queue the workbook of every programme of ``fiscal_year`` (年度); 404 when the year has no programme."""
    years = ProgrammeYear.objects.filter(fiscal_year=fiscal_year).select_related("programme").order_by("pk")
    first = years.first()
    if first is None:
        raise Http404("この年度の事業はありません。")
    title = f"{first.fiscal_year_label} 全事業の台帳・案件一覧など（Excel）"
    return _queue(request, kind="fiscal_year_workbook", title=title, params={"fiscal_year": fiscal_year})
