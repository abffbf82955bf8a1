"""The 台帳 page in a real browser: the 監査委員事務局 opens it from the menu, filters by kind and an organisation,
meets a backwards date range's error at its field, pages to older entries and back; the page with its filters, its
errors and its pages passes axe-core. The payment queue's summary and pages pass axe-core too."""
import pytest

from grants.accounts.models import Role
from tests import factories
from tests.ledger.entries import years
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_auditor_filters_and_pages_the_ledger(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    made = years(2, cases=15, entries_per_case=4)  # 2 × (1 + 60) entries: three pages of 50
    factories.UserFactory(username="kansa", role=Role.AUDITOR)
    log_in(page, live_server.url, "kansa")
    page.get_by_role("link", name="台帳", exact=True).click()
    page.get_by_role("heading", name="台帳").wait_for()
    check_a11y(page, "ledger_list")

    page.get_by_role("link", name="古い仕訳（次のページ）").click()
    page.get_by_role("link", name="新しい仕訳（前のページ）").wait_for()
    check_a11y(page, "ledger_list_older")

    page.get_by_label("計上日　始まり").fill("2025-05-10")
    page.get_by_label("計上日　終わり").fill("2025-05-01")
    page.get_by_role("button", name="絞り込む").click()
    assert "計上日の終わりは" in page.locator("#id_date_to_error").inner_text()
    check_a11y(page, "ledger_list_error")

    organization = made[1].cases[2].organization
    page.get_by_label("計上日　始まり").fill("")
    page.get_by_label("計上日　終わり").fill("")
    page.get_by_label("区分").select_option(label="支出")
    page.get_by_label("団体（団体コードまたは団体名）").fill(organization.name)
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("#ledger-entries tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2  # the organisation's two 支出
    assert all(organization.name in text and "支出" in text for text in rows.all_inner_texts())
