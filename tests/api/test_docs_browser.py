"""The API's documentation page (/api/v1/docs, ninja's bundled Swagger UI) in a real browser: its files come from
this server, it runs under the Content-Security-Policy with no refusal (the ``page`` fixture fails on one), and
axe-core finds no WCAG 2.1 AA violation, as it opens and with an operation and the token dialog open."""
import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_documentation_page_lists_every_endpoint_under_the_policy_and_is_accessible(
        live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/cases").first.wait_for(timeout=60_000)
    paths = [p.strip() for p in page.locator(".opblock-summary-path").all_inner_texts()]
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/decisions", "/api/v1/payments",
            "/api/v1/ledger"} <= set(paths)
    assert page.get_by_text("山口市 補助金・交付金事務システム API").first.is_visible()
    assert page.evaluate("document.documentElement.lang") == "ja"
    check_a11y(page, "api-docs")
    page.locator(".opblock-summary-control").first.click()
    page.locator(".opblock-body").first.wait_for()
    page.get_by_role("button", name="Authorize").click()
    page.locator(".modal-ux").wait_for()
    check_a11y(page, "api-docs-open")
    assert all(url.startswith(live_server.url) for url in requested), requested  # no CDN, nothing from outside
