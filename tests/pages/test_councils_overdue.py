"""The 実績報告 deadlines page (pages/councils): the overdue cases and those due soon, shown to city users only.
The computation itself: tests/cases/test_overdue.py."""
import pytest
from django.urls import reverse

from tests.cases.deadlines import case, completed

pytestmark = pytest.mark.django_db


def test_page_for_city_users_lists_both_groups(client, year, today, auditor, staff):
    late = case(year, "A", completion_deadline=completed(today, 1))
    due_today = case(year, "B", completion_deadline=completed(today, 0))
    soon = case(year, "C", completion_deadline=completed(today, -5))
    for user in (auditor, staff):
        client.force_login(user)
        page = client.get(reverse("overdue_reports")).content.decode()
        overdue_part, soon_part = page.split('id="soon"')
        assert late.reference in overdue_part and "1日超過" in overdue_part
        assert due_today.reference in soon_part and "本日が期限" in soon_part
        assert soon.reference in soon_part and "あと5日" in soon_part
        assert "A地域づくり協議会" in page and "地域づくり活動支援交付金" in page and "大歳" in page
        assert reverse("case_detail", args=[late.pk]) in page


def test_page_is_for_city_users_only(client, council):
    assert client.get(reverse("overdue_reports")).status_code == 302
    client.force_login(council[1])
    assert client.get(reverse("overdue_reports")).status_code == 403
