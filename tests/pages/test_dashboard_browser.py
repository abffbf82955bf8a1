"""The budget dashboard in a real browser: Chart.js draws the chart, and axe finds no WCAG 2.1 A/AA violation."""
import pytest

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from grants.ledger.models import EntryKind
from grants.ledger.services import post_entry
from tests import factories
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def figures(programme_year):  # type: ignore[no-untyped-def]
    """Two 地域 with money: 大歳 committed 70,000 / paid 70,000; 湯田 committed 30,000 / paid 0."""
    finance = factories.UserFactory(username="finance", role=Role.FINANCE)
    yuda = factories.AreaFactory(code="03", name="湯田", kana="ゆだ", centre_name="湯田地域交流センター")
    for area, committed, paid in ((factories.AreaFactory(), 70_000, 70_000), (yuda, 30_000, 0)):
        case = GrantCase.objects.create(programme_year=programme_year,
                                        organization=factories.AssociationFactory(area=area))
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=committed, actor=finance,
                   case=case)
        if paid:
            post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=paid, actor=finance, case=case)


def test_dashboard_draws_the_chart_and_is_accessible(figures, live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    factories.UserFactory(username="tanto", role=Role.STAFF)
    log_in(page, live_server.url, "tanto")

    page.get_by_role("link", name="予算ダッシュボード").click()
    page.get_by_role("heading", name="予算ダッシュボード", exact=False).wait_for()
    page.wait_for_function("() => window.Chart !== undefined && window.areaChart !== undefined")
    drawn = page.evaluate(
        """() => {
          const canvas = document.getElementById("area-chart");
          const chart = window.Chart.getChart(canvas);
          return {width: canvas.width, height: canvas.height, labels: chart.data.labels,
                  data: chart.data.datasets.map((d) => [d.label, d.data])};
        }"""
    )
    assert drawn["width"] > 0 and drawn["height"] > 0
    assert drawn["labels"] == ["湯田", "大歳"]
    assert drawn["data"] == [["交付決定額", [30_000, 70_000]], ["振込済額", [0, 70_000]], ["振込予定額", [0, 0]]]
    area_table = page.get_by_role("table", name="地域別の交付決定額・振込済額・振込予定額・返還額", exact=False)
    assert "70,000円" in area_table.get_by_role("row", name="大歳").inner_text()
    assert page.get_by_role("img", name="地域別の交付決定額・振込済額・振込予定額の棒グラフ", exact=False).is_visible()
    page.wait_for_timeout(600)  # let the bars finish their entry animation before the screenshot
    check_a11y(page, "dashboard")
