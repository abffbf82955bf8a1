"""The open-data pages in a real browser, without logging in: axe-core finds no WCAG 2.1 A/AA violation on the page
(a year with its evaluations, one without) or the data dictionary, and a year's CSV downloads and parses."""
import csv
import io

import pytest

from tests.opendata import builders

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_open_data_pages_are_accessible_and_a_file_downloads(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    builders.evaluated(builders.city())
    page.goto(f"{live_server.url}/opendata/")
    page.get_by_role("heading", name="オープンデータ（補助金・交付金の交付決定）").wait_for()
    check_a11y(page, "opendata_index")
    with page.expect_download() as download:
        page.get_by_role("link", name="令和7年度の交付決定のCSV（UTF-8）").click()
    assert download.value.suggested_filename == "352039_subsidy_awards_2025.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 8 and rows[2]["交付先の名称"] == "大殿地域づくり協議会"
    page.get_by_role("link", name="項目定義書", exact=True).click()
    page.get_by_role("heading", name="オープンデータの項目定義書（補助金・交付金の交付決定）").wait_for()
    check_a11y(page, "opendata_dictionary")
