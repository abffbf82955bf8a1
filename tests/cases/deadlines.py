"""Cases awaiting their 実績報告 at a chosen distance from the due date (no tests here), shared by the deadline
computation's tests (tests/cases/test_overdue.py) and its page's (tests/pages/test_councils_overdue.py). Their
programme-year and day are the fixtures ``year`` and ``today`` of tests/conftest.py."""
import datetime as dt

from grants.cases.models import GrantCase, Status
from grants.organizations.models import Organization, OrganizationKind
from grants.programmes.models import ProgrammeYear
from tests import factories
from tests.councils import builders
from tests.factories import CURRENT_FY

DUE_DAYS = 30


def report_due_year(today: dt.date) -> ProgrammeYear:
    """活動支援 with completion + 30 days and a fixed date far enough away never to be the earlier one."""
    return builders.katsudo_year(report_due_days=DUE_DAYS, report_due_fixed=today + dt.timedelta(days=365))


def council(code: str) -> Organization:
    return Organization.objects.create(kind=OrganizationKind.KYOGIKAI, code=f"K-{code}", name=f"{code}地域づくり協議会",
                                       area=factories.AreaFactory())


def case(py, code, status=Status.DECIDED, **fields):  # type: ignore[no-untyped-def]
    """A case in ``status`` (set directly: the lifecycle itself is tested elsewhere)."""
    values = {"project_title": "地域づくり活動", "project_end": dt.date(CURRENT_FY + 1, 3, 31), **fields}
    made = GrantCase.objects.create(programme_year=py, organization=council(code), **values)
    GrantCase.objects.filter(pk=made.pk).update(status=status)
    return made


def completed(today, days_ago):  # type: ignore[no-untyped-def]
    """A completion date whose due date (completion + 30) is ``days_ago`` days before today."""
    return today - dt.timedelta(days=DUE_DAYS + days_ago)
