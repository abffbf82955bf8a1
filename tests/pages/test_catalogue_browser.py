"""The public catalogue in a real browser: a visitor with no account searches by 団体の種類 and 活動の分野, opens
a city programme and an other funder's programme; axe-core finds no WCAG 2.1 A/AA violation on the list and both
details, and the browser refuses nothing under the Content-Security-Policy (conftest ``page``). Screenshots:
test-artifacts/catalogue-*.png."""
import datetime as dt

import pytest
from django.utils import timezone

from grants.demo.catalogue import setup_catalogue_demo
from grants.publication.models import ProgrammeGuide
from tests import factories
from tests.competitive import builders as competitive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_visitor_searches_and_reads_a_programme(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    factories.rule(cap=300_000)
    py = competitive.programme_year()
    competitive.call(py, factories.UserFactory(username="staff-b", role="staff"),
                     closes_on=timezone.localdate() + dt.timedelta(days=20))
    setup_catalogue_demo(today=timezone.localdate())

    page.goto(f"{live_server.url}/programmes/")
    assert page.get_by_role("link", name="ログイン").is_visible()
    check_a11y(page, "catalogue-list")

    page.get_by_label("団体の種類").select_option(label="市民活動団体")
    page.get_by_label("活動の分野").select_option(label="子育て")
    page.get_by_role("button", name="さがす").click()
    page.wait_for_url("**/programmes/?*")
    results = page.locator(".catalogue-card h3").all_inner_texts()
    assert "市民活動交流事業補助金" in results and "子どもの居場所づくり助成（架空）" in results
    assert "自治会等自治振興交付金" not in results
    assert page.get_by_label("団体の種類").input_value() == "shimin_dantai"  # the search keeps what was chosen
    check_a11y(page, "catalogue-search")

    page.get_by_role("link", name="市民活動交流事業補助金").click()
    assert page.locator("#amount").inner_text() == "対象経費の3分の2以内（上限 1年目15万円、2〜3年目10万円）"
    assert page.locator("#calls").get_by_text("受付中").is_visible()
    check_a11y(page, "catalogue-city")

    page.go_back()
    page.get_by_role("link", name="子どもの居場所づくり助成（架空）").click()
    external = page.get_by_role("link", name="やまぐち未来まちづくり財団（架空）の案内ページ（外部サイト・新しいウィンドウで開きます）")
    assert external.get_attribute("rel") == "noopener noreferrer external"
    check_a11y(page, "catalogue-other")
    assert ProgrammeGuide.objects.filter(is_published=True).count() == 2
