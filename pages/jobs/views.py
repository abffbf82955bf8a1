from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from grants.jobs.models import JobStatus
from grants.jobs.registry import KINDS
from grants.jobs.services import visible_jobs
from pages.http import AuthedRequest


@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    jobs = visible_jobs(request.user).select_related("requested_by")[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"status": job.status, "label": job.get_status_display(), "done": job.done,
                             "total": job.total, "percent": job.percent, "message": job.message,
                             "filename": job.filename})
    kind = KINDS.get(job.kind)
    result = kind.result(job) if kind and kind.result and job.status == JobStatus.DONE else None
    return render(request, "jobs/job_detail.html", {"job": job, "result": result})


@login_required
def job_download(request: AuthedRequest, pk: int) -> FileResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("ファイルはまだできていません。")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=job.content_type or "application/octet-stream")
