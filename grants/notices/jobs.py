"""The notices of a programme-year, for batch printing (通知書の一括印刷; the job that renders them is
``reports.jobs``)."""
from grants.programmes.models import ProgrammeYear

from .models import Notice, NoticeQuerySet


def notices_of_year(programme_year: ProgrammeYear, kind: str | None = None) -> NoticeQuerySet:
    """The notices of a programme-year (one kind, or all when ``kind`` is None), in number order."""
    qs = Notice.objects.filter(case__programme_year=programme_year).for_printing()
    return qs.filter(kind=kind) if kind else qs


def batch_filename(programme_year: ProgrammeYear, kind: str | None = None) -> str:
    """Download name, e.g. ``通知書_2026_jichi_shinko_decision.pdf`` (年度, 事業コード, kind when given)."""
    suffix = f"_{kind}" if kind else ""
    return f"通知書_{programme_year.fiscal_year}_{programme_year.programme.code}{suffix}.pdf"
