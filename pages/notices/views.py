"""Notice pages: the PDF of one notice, and the request to print a programme-year's notices in bulk."""
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from grants.cases.models import GrantCase
from grants.cases.permissions import access_case
from grants.core.models import record_event
from grants.core.workflow import ActionRefused
from grants.jobs.services import JobError, request_job
from grants.notices.jobs import notices_of_year
from grants.notices.models import Notice, NoticeKind
from grants.programmes.models import ProgrammeYear
from pages.http import AuthedRequest, act_once
from reports.pdf import PDF_CONTENT_TYPE, render_notice_pdf


@require_GET
@login_required
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The PDF of one notice, for whoever may see its case (a head: only their own organisation's cases);
    404 otherwise. The access is recorded in the audit trail (the notice names a person)."""
    notice = get_object_or_404(Notice.objects.for_printing(), pk=pk)
    try:
        access_case(request.user, notice.case_id)
    except GrantCase.DoesNotExist as exc:
        raise Http404("通知書が見つかりません。") from exc
    pdf = render_notice_pdf(notice)
    record_event(actor=request.user, subject=notice, action="download_notice_pdf", note=notice.document_number)
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    filename = f"{notice.document_number}_{notice.get_kind_display()}.pdf"
    response["Content-Disposition"] = f"inline; filename=\"notice.pdf\"; filename*=UTF-8''{quote(filename)}"
    return response


@require_POST
@login_required
def print_year_notices(request: AuthedRequest, pk: int) -> HttpResponse:
    """Queue the batch PDF of a programme-year's notices (``notices_batch``) and go to the job's page."""
    if not request.user.is_city_user:
        raise PermissionDenied("市の職員のみが利用できる操作です。")
    year = get_object_or_404(ProgrammeYear.objects.select_related("programme"), pk=pk)
    kind = request.POST.get("kind", "")
    if kind and kind not in NoticeKind.values:
        messages.error(request, "通知書の種類が正しくありません。")
        return redirect("programme_year", pk=year.pk)
    if not notices_of_year(year, kind or None).exists():
        messages.error(request, "印刷する通知書がありません。")
        return redirect("programme_year", pk=year.pk)
    label = NoticeKind(kind).label if kind else "通知書"
    try:  # once per form: a double click queues one job
        return act_once(request, done="", then=lambda job: redirect("job_detail", pk=job.pk),
                        act=lambda: request_job(kind="notices_batch", actor=request.user,
                                                title=f"{year} {label}の一括印刷",
                                                params={"programme_year": year.pk, "kind": kind or None}))
    except (JobError, ActionRefused) as exc:
        messages.error(request, str(exc))
        return redirect("programme_year", pk=year.pk)
