"""Batch printing of notices (通知書の一括印刷) as a background job (grants.jobs).

Job kind ``notices_batch``: params ``{"programme_year": <ProgrammeYear pk>, "kind": <NoticeKind value,
optional>}``. Renders every notice of the programme-year (of that kind, when given) in document-number
order into one PDF, reporting progress per notice (``progress(done, total)``). City users may request it.
"""
from typing import IO

from grants.jobs.registry import JobKind, Progress, city_users_only, register
from grants.programmes.models import ProgrammeYear

from .models import Notice, NoticeKind, NoticeQuerySet


def notices_of_year(programme_year: ProgrammeYear, kind: str | None = None) -> NoticeQuerySet:
    """The notices of a programme-year (one kind, or all when ``kind`` is None), in number order."""
    qs = Notice.objects.filter(case__programme_year=programme_year).for_printing()
    return qs.filter(kind=kind) if kind else qs


def batch_filename(programme_year: ProgrammeYear, kind: str | None = None) -> str:
    """Download name, e.g. ``通知書_2026_jichi_shinko_decision.pdf`` (年度, 事業コード, kind when given)."""
    suffix = f"_{kind}" if kind else ""
    return f"通知書_{programme_year.fiscal_year}_{programme_year.programme.code}{suffix}.pdf"


def _notices_batch(job: object, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    from reports.pdf import PDF_CONTENT_TYPE, render_notices_pdf  # WeasyPrint loads in ~0.5 s: only when used

    params = job.params  # type: ignore[attr-defined]
    programme_year = ProgrammeYear.objects.select_related("programme").get(pk=params["programme_year"])
    kind = params.get("kind") or None
    if kind is not None and kind not in NoticeKind.values:
        raise ValueError("通知書の種類が正しくありません。")
    out.write(render_notices_pdf(notices_of_year(programme_year, kind), progress=progress))
    return batch_filename(programme_year, kind), PDF_CONTENT_TYPE


NOTICES_BATCH = register(JobKind("notices_batch", "通知書の一括印刷（PDF）", _notices_batch, city_users_only))
