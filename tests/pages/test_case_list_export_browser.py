"""The case list's filters and exports in a real browser: an amount typed wrong is shown back with its error at the
field; the corrected filter lists the cases it says, and 「Excelで出力」 downloads exactly those rows. The list with
its errors passes axe-core."""
import io

import pytest
from openpyxl import load_workbook

from grants.accounts.models import Role
from grants.cases.models import GrantCase
from tests import factories
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_filter_by_amount_then_export_the_rows_shown(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    year = factories.programme_year_with_budget(budget=5_000_000)
    factories.UserFactory(username="kansa", role=Role.AUDITOR)
    for name, amount in (("大きい自治会", 150_000), ("小さい自治会", 40_000), ("中くらいの自治会", 90_000)):
        GrantCase.objects.create(programme_year=year, organization=factories.AssociationFactory(name=name),
                                 computed_amount=amount)

    log_in(page, live_server.url, "kansa")
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("算定額（円）　下限").fill("８万円")
    page.get_by_role("button", name="絞り込む").click()
    error = page.locator("#id_computed_min_error")
    assert "金額は円単位の数字で入力してください" in error.inner_text()
    assert page.get_by_label("算定額（円）　下限").input_value() == "８万円"
    check_a11y(page, "case_list_filter_error")

    page.get_by_label("算定額（円）　下限").fill("８００００")
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_role("cell", name="大きい自治会").wait_for()
    assert page.get_by_role("cell", name="小さい自治会").count() == 0
    with page.expect_download() as info:
        page.get_by_role("link", name="Excelで出力").click()
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))["案件一覧"]  # noqa: SIM115
    assert sorted(row[4] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["中くらいの自治会", "大きい自治会"]
