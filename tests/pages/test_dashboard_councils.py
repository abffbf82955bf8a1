"""The 管理費割合 section of the dashboard and a council's history page (pages/dashboard): what they show, who may
see them, names that look like HTML, the export's access, and queries that do not grow with councils or years.

Past-year figures come from tests/councils/builders.py as data, not a process; the current year's case goes
through the real services."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.accounts.models import Role
from grants.cases.models import Status
from grants.councils.stats import KATSUDO_SHIEN, UNEI_SHIEN
from tests import factories
from tests.councils import builders
from tests.councils.builders import area, closed, council_of, councils_with_history, grant, yuda
from tests.councils.steps import decided, draft, login
from tests.pages.browser import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_councils():  # type: ignore[no-untyped-def]
    """湯田 with the published FY2023 pair and a 2021 year; 大殿 with nothing decided in FY2023."""
    council = council_of(yuda())
    closed(council, UNEI_SHIEN, 2023, 4_802_000)
    closed(council, KATSUDO_SHIEN, 2023, 5_459_000)
    closed(council, UNEI_SHIEN, 2021, 1_000_000)
    quiet = council_of(area("01", "大殿"), name="大殿地域づくり協議会 <b>")
    grant(quiet, KATSUDO_SHIEN, 2023, Status.SUBMITTED)
    return council, quiet


def test_dashboard_shows_the_shares_of_the_selected_year(client, staff, two_councils) -> None:  # type: ignore[no-untyped-def]
    council, quiet = two_councils
    client.force_login(staff)

    response = client.get(reverse("dashboard"), {"fiscal_year": 2023})

    html = response.content.decode()
    assert response.status_code == 200
    assert [r.organization_id for r in response.context["councils"]] == [council.pk, quiet.pk]
    assert '<h2 id="councils-heading">地域づくり協議会の管理費割合</h2>' in html
    assert "<caption>令和5年度 地域づくり協議会の管理費割合（金額は円、割合の高い順）</caption>" in html
    for label in ("運営支援", "活動支援", "合計", "管理費割合"):
        assert f'<th scope="col" class="num">{label}</th>' in html
    assert '<th scope="col">地域</th><th scope="col">協議会</th>' in html
    history = reverse("dashboard_council_history", args=[council.pk])
    assert (f'<tr data-council="K-03"><td>湯田</td><th scope="row"><a href="{history}">湯田地域づくり協議会</a></th>'
            in html)
    assert ('<td class="num" data-field="unei">4,802,000円</td><td class="num" data-field="katsudo">5,459,000円</td>'
            '<td class="num" data-field="total">10,261,000円</td><td class="num" data-field="share">46.8%</td>'
            in html)
    # the council without a total: dashes, and its name escaped
    assert "大殿地域づくり協議会 &lt;b&gt;</a>" in html
    assert ('<td class="num" data-field="total">—</td><td class="num" data-field="share">—</td>' in html)
    assert html.index("湯田地域づくり協議会") < html.index("大殿地域づくり協議会")


def test_dashboard_queries_do_not_grow_with_councils(client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    councils_with_history(1, 2)
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("dashboard"), {"fiscal_year": 2023}).status_code == 200
    councils_with_history(3, 10)
    with CaptureQueriesContext(connection) as twelve:
        response = client.get(reverse("dashboard"), {"fiscal_year": 2023})
    assert len(response.context["councils"]) == 12
    assert len(twelve) == len(two)


def test_history_page_lists_each_year(client, auditor, two_councils) -> None:  # type: ignore[no-untyped-def]
    council, _ = two_councils
    client.force_login(auditor)

    response = client.get(reverse("dashboard_council_history", args=[council.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert [r.fiscal_year for r in response.context["rows"]] == [2021, 2023]
    assert "<h1>湯田地域づくり協議会 交付の推移</h1>" in html
    assert "<caption>湯田地域づくり協議会 年度別の運営支援・活動支援と管理費割合（金額は円、古い年度から）</caption>" in html
    assert '<th scope="col">年度</th><th scope="col" class="num">運営支援</th>' in html
    assert ('<tr data-fiscal-year="2023"><th scope="row">令和5年度（2023年度）</th>\n'
            '      <td class="num" data-field="unei">4,802,000円</td><td class="num" data-field="katsudo">5,459,000円</td>'
            '<td class="num" data-field="total">10,261,000円</td><td class="num" data-field="share">46.8%</td>') in html
    assert ('<tr data-fiscal-year="2021"><th scope="row">令和3年度（2021年度）</th>\n'
            '      <td class="num" data-field="unei">1,000,000円</td><td class="num" data-field="katsudo">—</td>') in html
    assert f'<a href="{reverse("dashboard")}">予算ダッシュボードへ戻る</a>' in html


def test_history_page_of_a_council_without_cases(client, staff) -> None:  # type: ignore[no-untyped-def]
    council = council_of(yuda())
    client.force_login(staff)
    response = client.get(reverse("dashboard_council_history", args=[council.pk]))
    assert response.status_code == 200
    assert "この協議会には、運営支援・活動支援の案件がまだありません。" in response.content.decode()


def test_history_page_queries_do_not_grow_with_years(client, staff) -> None:  # type: ignore[no-untyped-def]
    council = council_of(yuda())
    closed(council, UNEI_SHIEN, 2021, 1_000)
    client.force_login(staff)
    url = reverse("dashboard_council_history", args=[council.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for year in (2018, 2019, 2020, 2022, 2023):
        closed(council, KATSUDO_SHIEN, year, 2_000)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert len(response.context["rows"]) == 6
    assert len(six) == len(one)


def test_history_page_is_for_city_users_and_councils_only(client, association_head, two_councils) -> None:  # type: ignore[no-untyped-def]
    council, _ = two_councils
    url = reverse("dashboard_council_history", args=[council.pk])
    # anonymous: to the login page
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # an association head, and a council's own secretary: refused
    client.force_login(association_head)
    assert client.get(url).status_code == 403
    _, secretary = builders.council(name="大歳地域づくり協議会", username="secretary")
    client.force_login(secretary)
    assert client.get(url).status_code == 403
    # a city user: a missing organisation and an organisation that is not a council are not found
    client.force_login(factories.UserFactory(username="u-approver", role=Role.APPROVER))
    assert client.get(url).status_code == 200
    assert client.get(reverse("dashboard_council_history", args=[999_999])).status_code == 404
    association = factories.AssociationFactory()
    assert client.get(reverse("dashboard_council_history", args=[association.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_council_tables_are_accessible(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    council = council_of(yuda())
    closed(council, UNEI_SHIEN, 2023, 4_802_000)
    closed(council, KATSUDO_SHIEN, 2023, 5_459_000)
    council_of(area("01", "大殿"))
    factories.UserFactory(username="tanto", role=Role.STAFF)
    log_in(page, live_server.url, "tanto")

    page.goto(f"{live_server.url}{reverse('dashboard')}?fiscal_year=2023")
    table = page.get_by_role("table", name="地域づくり協議会の管理費割合", exact=False)
    assert "46.8%" in table.get_by_role("row", name="湯田地域づくり協議会").inner_text()
    page.wait_for_timeout(600)  # the chart's entry animation
    check_a11y(page, "dashboard-council-shares")

    table.get_by_role("link", name="湯田地域づくり協議会").click()
    page.get_by_role("heading", name="湯田地域づくり協議会 交付の推移").wait_for()
    history = page.get_by_role("table", name="年度別の運営支援・活動支援と管理費割合", exact=False)
    assert "10,261,000円" in history.get_by_role("row", name="令和5年度").inner_text()
    check_a11y(page, "council-history")


# The dashboard's 管理費割合 and the auditor's council sheets under attack: the amount counted in each state of a
# case, council names and texts that look like HTML or formulas, and dates at the calendar's edges in the lines a
# workbook lists.


def test_dashboard_and_history_escape_a_council_name_that_looks_like_html(client, katsudo, council, staff,
                                                                          approver) -> None:  # type: ignore[no-untyped-def]
    org = council[0]
    org.name = "<script>alert(1)</script>=1+1協議会"
    org.save()
    decided(katsudo, council, staff, approver)
    login(client, staff)
    for url in (reverse("dashboard"), reverse("dashboard_council_history", args=[org.pk]),
                reverse("overdue_reports"), reverse("plan_list")):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url


def test_export_is_for_city_users_only(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    draft(katsudo, council, staff)
    login(client, council[1])
    assert client.post(reverse("request_programme_year_export", args=[katsudo.pk])).status_code == 403
    assert client.post(reverse("request_fiscal_year_export", args=[katsudo.fiscal_year])).status_code == 403
