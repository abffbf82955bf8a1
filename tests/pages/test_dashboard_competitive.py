"""The budget dashboard page (pages/dashboard) with the competitive programme, 市民活動交流事業補助金: its
programme-year is a row of the 事業別 table, and its calls' budgets and decided 採択 are a table of their own, only
when the year has a call. In the Django client, and in a real browser with axe-core (screenshot in /tmp/shots).
The figures themselves: tests/reports/test_dashboard_competitive.py."""
from pathlib import Path

import pytest
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases import lifecycle
from tests import factories
from tests.competitive import builders, steps
from tests.pages.browser import log_in

SHOTS = Path("/tmp/shots")


def selected_and_decided(staff, staff2, approver):  # type: ignore[no-untyped-def]
    """A call of 1,000,000 (programme-year budget 3,000,000) whose one application is selected at 150,000 and
    decided at 120,000."""
    py = builders.programme_year()
    call = builders.call(py, staff)
    case = steps.screening(call, *builders.group(confirmed_by=staff), staff)
    steps.decide_selection(call, staff, approver, {case.pk: 150_000})
    lifecycle.verify(case_id=case.pk, actor=staff2, assessed_amount=120_000, completion_deadline=case.project_end,
                     note="会場使用料の一部を対象外としました")
    lifecycle.decide(case_id=case.pk, actor=approver)
    return py, call


@pytest.mark.django_db
def test_dashboard_lists_the_programme_year_and_its_calls(client, staff, staff2, approver) -> None:  # type: ignore[no-untyped-def]
    py, call = selected_and_decided(staff, staff2, approver)
    client.force_login(staff)

    html = client.get(reverse("dashboard")).content.decode()

    row = html[html.index('<tr data-programme="shimin_katsudo">'):]
    assert row.index(str(py)) < row.index('<td class="num" data-field="budget">3,000,000円</td>')
    assert '<td class="num" data-field="committed">120,000円</td>' in row[:row.index("</tr>")]
    assert '<td class="num" data-field="available">2,880,000円</td>' in row[:row.index("</tr>")]
    calls = html[html.index('<table class="data" id="call-totals">'):]
    calls = calls[:calls.index("</table>")]
    assert "募集別の予算額と採択額（円）</caption>" in calls
    assert f'<tr data-call="{call.pk}"><th scope="row">{call.title}（サンプル）</th>' in calls
    for field, shown in (("budget", "1,000,000円"), ("applications", "1件"), ("selected_count", "1件"),
                         ("selected_total", "150,000円"), ("remaining", "850,000円")):
        assert f'<td class="num" data-field="{field}">{shown}</td>' in calls
    assert "<script>" not in html


@pytest.mark.django_db
def test_a_year_without_calls_has_no_call_table(client, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)

    html = client.get(reverse("dashboard")).content.decode()

    assert '<tr data-programme="jichi_shinko">' in html
    assert 'id="call-totals"' not in html and "募集別の予算と採択額" not in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.browser
def test_dashboard_with_calls_is_accessible(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    staff = factories.UserFactory(username="tanto", role=Role.STAFF)
    staff2 = factories.UserFactory(username="tanto2", role=Role.STAFF)
    approver = factories.UserFactory(username="kessai", role=Role.APPROVER)
    selected_and_decided(staff, staff2, approver)
    log_in(page, live_server.url, "tanto")

    page.get_by_role("link", name="予算ダッシュボード").click()
    page.get_by_role("heading", name="募集別の予算と採択額").wait_for()
    table = page.get_by_role("table", name="募集別の予算額と採択額", exact=False)
    assert "150,000円" in table.inner_text() and "850,000円" in table.inner_text()
    page.wait_for_timeout(600)  # let the chart finish its entry animation before the screenshot
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard_competitive.png"), full_page=True)
    check_a11y(page, "dashboard_competitive")
