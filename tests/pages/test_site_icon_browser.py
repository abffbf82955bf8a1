"""The site's icon (templates/base.html): every page names it, so the browser does not ask for /favicon.ico and
log a 404 on each page (issue 15), and the icon itself is served."""
import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_pages_name_their_icon_and_no_favicon_request_fails(live_server, page) -> None:  # type: ignore[no-untyped-def]
    failed: list[str] = []
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(f"{live_server.url}/login/")
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon and icon.endswith("favicon.svg")
    assert page.request.get(f"{live_server.url}{icon}").status == 200
    assert not failed, failed
