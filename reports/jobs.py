"""Export job kinds run in the background (grants.jobs)."""
from typing import IO

from grants.accounts.models import User
from grants.jobs.registry import JobKind, Progress, register
from grants.programmes.models import ProgrammeYear

from .excel import XLSX_CONTENT_TYPE
from .exporters import programme_year_filename, programme_year_workbook


def _city_user(user: User) -> bool:
    return user.is_authenticated and user.is_city_user


def _programme_year_workbook(job: object, progress: Progress, out: IO[bytes]) -> tuple[str, str]:
    programme_year = ProgrammeYear.objects.select_related("programme").get(pk=job.params["programme_year"])
    progress(0, 1)
    programme_year_workbook(programme_year, out)
    progress(1, 1)
    return programme_year_filename(programme_year), XLSX_CONTENT_TYPE


PROGRAMME_YEAR_WORKBOOK = register(
    JobKind("programme_year_workbook", "事業・年度の台帳（Excel）", _programme_year_workbook, _city_user)
)
