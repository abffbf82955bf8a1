"""The Content-Security-Policy in a real browser: an inline script is refused, and the admin's pages (Django's own
templates) keep to the policy as the project's pages do (every browser test fails on a refusal: conftest ``page``)."""
import pytest
from django.urls import reverse

from grants.programmes.models import FormulaComponent
from tests import factories
from tests.factories import PASSWORD
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_inline_script_is_refused_by_the_browser(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto(f"{live_server.url}/login/")
    ran = page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.injected = true'; document.body.appendChild(s); return window.injected === true; }""")
    context.close()
    assert ran is False
    assert any("Content Security Policy" in text for text in seen)


def test_the_admins_rule_pages_keep_to_the_policy(live_server, page) -> None:  # type: ignore[no-untyped-def]
    factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    py = factories.rule()
    component = FormulaComponent.objects.filter(programme_year=py).first()
    log_in(page, live_server.url, "root", PASSWORD)
    for url in (reverse("admin:index"), reverse("admin:programmes_programmeyear_change", args=[py.pk]),
                reverse("admin:programmes_formulacomponent_change", args=[component.pk])):
        page.goto(live_server.url + url)
        page.get_by_role("button", name="保存", exact=True).or_(page.locator("#site-name")).first.wait_for()
