"""The yen filter never breaks a page (regression: a programme-year without a budget account crashed 「ホーム」)."""
import pytest

from grants.core.templatetags.grants_tags import yen
from tests import factories


def test_yen_shows_a_dash_for_what_is_not_an_amount():
    assert yen(1234567) == "1,234,567円"
    assert yen(0) == "0円"
    assert yen(None) == "—"
    assert yen("") == "—"
    assert yen(True) == "—"


@pytest.mark.django_db
def test_regression_home_page_with_a_programme_year_without_budget(client, staff):
    factories.rule()  # no BudgetAccount
    client.force_login(staff)
    response = client.get("/")
    assert response.status_code == 200
    assert "—" in response.content.decode()
