"""Two-factor login in a real browser: password, the enrolment page with its QR code (inline SVG, within the
Content-Security-Policy), the app's code, then the home page."""
import pytest

from tests.accounts.two_factor import code_now
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_city_user_enrols_the_app_and_reaches_the_home_page(live_server, page, staff, settings, check_a11y) -> None:  # type: ignore[no-untyped-def]
    settings.REQUIRE_TWO_FACTOR = True
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(staff.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.get_by_role("heading", name="確認コードの入力").wait_for()
    assert page.locator("figure.qr-code svg").is_visible()
    check_a11y(page, "two-factor-enrol")
    page.get_by_label("確認コード（6桁の数字）").fill(code_now(staff))
    page.get_by_role("button", name="登録してログイン").click()
    page.get_by_role("heading", name="ホーム").wait_for()
