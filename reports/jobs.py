"""Export job kinds run in the background worker (grants.jobs, django-tasks with its database backend).

Each kind's function takes the ``Job`` (its ``params`` are JSON), a progress callback and the binary file
to write; it returns (download filename, content type). City staff only may request them:

- ``programme_year_workbook``: the auditor's workbook of one programme-year; params {"programme_year": pk}.
- ``fiscal_year_workbook``: the same for every programme of a 年度; params {"fiscal_year": 2026}.
- ``ledger_csv``: the ledger (「台帳」) of one programme-year as CSV for Excel; params {"programme_year": pk}.
- ``notices_batch`` (通知書の一括印刷): every notice of a programme-year (of one kind, when given) in document-number
  order in one PDF, laid out in chunks in bounded memory (``reports.pdf.write_notices_pdf``); params
  {"programme_year": pk, "kind": NoticeKind value or absent}; progress per notice.

Progress is counted in rows: ``(0, total)`` from COUNT queries first, then rows written.
"""
from typing import IO

from grants.jobs.models import Job
from grants.jobs.registry import JobKind, Progress, city_users_only, register
from grants.notices.jobs import batch_filename, notices_of_year
from grants.notices.models import NoticeKind
from grants.programmes.models import ProgrammeYear

from .csv_export import CSV_CONTENT_TYPE, write_csv
from .excel import XLSX_CONTENT_TYPE
from .exporters import (
    LedgerReport,
    Scope,
    fiscal_year_filename,
    fiscal_year_workbook,
    programme_year_filename,
    programme_year_workbook,
)
from .pdf import PDF_CONTENT_TYPE, write_notices_pdf


def _programme_year(job: Job) -> ProgrammeYear:
    return ProgrammeYear.objects.select_related("programme").get(pk=job.params["programme_year"])


def _programme_year_workbook(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    programme_year = _programme_year(job)
    programme_year_workbook(programme_year, out, progress)
    return programme_year_filename(programme_year), XLSX_CONTENT_TYPE


def _fiscal_year_workbook(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    fiscal_year = int(job.params["fiscal_year"])
    fiscal_year_workbook(fiscal_year, out, progress)
    return fiscal_year_filename(fiscal_year), XLSX_CONTENT_TYPE


def _ledger_csv(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    programme_year = _programme_year(job)
    write_csv(LedgerReport(Scope.of_programme_year(programme_year)), out, progress)
    return programme_year_filename(programme_year, "csv"), CSV_CONTENT_TYPE


PROGRAMME_YEAR_WORKBOOK = register(
    JobKind("programme_year_workbook", "事業・年度の台帳（Excel）", _programme_year_workbook, city_users_only)
)
FISCAL_YEAR_WORKBOOK = register(
    JobKind("fiscal_year_workbook", "年度の全事業の台帳（Excel）", _fiscal_year_workbook, city_users_only)
)
LEDGER_CSV = register(JobKind("ledger_csv", "事業・年度の台帳（CSV）", _ledger_csv, city_users_only))


def _notices_batch(job: Job, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    programme_year = _programme_year(job)
    kind = job.params.get("kind") or None
    if kind is not None and kind not in NoticeKind.values:
        raise ValueError("通知書の種類が正しくありません。")
    write_notices_pdf(notices_of_year(programme_year, kind), out, progress=progress)
    return batch_filename(programme_year, kind), PDF_CONTENT_TYPE


NOTICES_BATCH = register(JobKind("notices_batch", "通知書の一括印刷（PDF）", _notices_batch, city_users_only))
