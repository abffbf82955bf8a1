"""axe-core (WCAG 2.1 A/AA) on every page each main role reaches (issue 15): the city's 担当, 決裁者, 会計課, 監査 and
保険担当, a 自治会長, a 協議会's 事務局長 and a 市民活動団体's 代表, each logged in once in one browser, on every GET page of
the permission matrix's world (tests/pages/permission_world.py) that answers them with a page — the menus' pages
and the pages of each object (cases of each programme, plans, payments, insurance reports, calls …), their
<details> opened so that the forms inside are checked too. Every violation is listed, not only the first page's.
The admin's pages: tests/core/test_admin_a11y_browser.py."""
from __future__ import annotations

import logging

import pytest
from django.test import Client

from grants.accounts.models import User
from tests.conftest import WCAG_TAGS
from tests.pages import permission_world as world
from tests.pages.browser import log_in
from tests.pages.test_permission_matrix import PAGES, URL_ARGS, url_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

ROLES = ("w-staff", "w-approver", "w-finance", "w-auditor", "w-hoken", "w-head", "secretary", "npo-head")
#: Pages a GET would change or leave: logging out.
SKIPPED = {"logout"}


def _pages_of(cast: world.Cast, user: User) -> list[tuple[str, str]]:
    """(view's name, url) of every page of the world that answers ``user``'s GET with a page (200, HTML)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    out = []
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        for view in PAGES:
            if view.key in SKIPPED or set(view.params) - set(URL_ARGS.get(view.key, {})):
                continue
            url = url_of(view, cast)
            response = client.get(url)
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html") \
                    and not getattr(response, "streaming", False):
                out.append((view.key, url))
    finally:
        quiet.level = level
    return out


def test_every_page_of_every_role_passes_axe(live_server, page) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    cast = world.build()
    axe = Axe()
    found: list[str] = []
    checked = 0
    for username in ROLES:
        user = User.objects.get(username=username)
        log_in(page, live_server.url, username)
        for key, url in _pages_of(cast, user):
            page.goto(live_server.url + url)
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                             "resultTypes": ["violations"]})
            checked += 1
            for violation in results.response["violations"]:
                targets = " ".join(str(node["target"]) for node in violation["nodes"][:3])
                found.append(f"{key} as {username}: {violation['id']} {targets}")
    assert checked > 100, checked  # the sweep reached the pages
    assert found == [], f"{len(found)} violations on {checked} pages:\n" + "\n".join(found)
