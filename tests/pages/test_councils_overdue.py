"""実績報告 deadlines: the computation at its boundaries (due today, due yesterday, the last day of the 14-day
window, a fixed date earlier than completion + N days), which completion date counts, which cases are in,
a fixed number of queries, and the city-only page."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.cases.models import GrantCase, Status
from grants.organizations.models import Organization, OrganizationKind
from tests import factories
from tests.councils import builders
from tests.factories import CURRENT_FY, PASSWORD

pytestmark = pytest.mark.django_db


DUE_DAYS = 30


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    return timezone.localdate()


@pytest.fixture
def year(today):  # type: ignore[no-untyped-def]
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


def test_page_for_city_users_lists_both_groups(client, year, today, auditor, staff):
    late = case(year, "A", completion_deadline=completed(today, 1))
    due_today = case(year, "B", completion_deadline=completed(today, 0))
    soon = case(year, "C", completion_deadline=completed(today, -5))
    for user in (auditor, staff):
        assert client.login(username=user.username, password=PASSWORD)
        page = client.get(reverse("overdue_reports")).content.decode()
        overdue_part, soon_part = page.split('id="soon"')
        assert late.reference in overdue_part and "1日超過" in overdue_part
        assert due_today.reference in soon_part and "本日が期限" in soon_part
        assert soon.reference in soon_part and "あと5日" in soon_part
        assert "A地域づくり協議会" in page and "地域づくり活動支援交付金" in page and "大歳" in page
        assert reverse("case_detail", args=[late.pk]) in page


def test_page_is_for_city_users_only(client, council):
    assert client.get(reverse("overdue_reports")).status_code == 302
    assert client.login(username=council[1].username, password=PASSWORD)
    assert client.get(reverse("overdue_reports")).status_code == 403
