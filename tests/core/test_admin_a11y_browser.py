"""The admin's pages pass axe's WCAG 2.1 A/AA rules like the rest of the site (issue 15): links in its text and its
breadcrumbs are underlined (link-in-text-block; static/css/admin.css through templates/admin/base_site.html), each
input of a split date-and-time field has its own name (grants.core.admin_inputs), and the users' and groups' pages
list groups and permissions without Django's two-box filter (its search icons broke aria-prohibited-attr, its
inline styles the Content-Security-Policy). Checked on the index, a list, change forms with date-and-time fields
and a history page, logged in as a superuser."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.organizations.invitations import token_hash
from grants.organizations.models import Invitation, MemberRole
from tests import factories
from tests.pages.browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def admin_page(browser):  # type: ignore[no-untyped-def]
    """A page like conftest's ``page``, whose Content-Security-Policy refusals are read by the test itself: axe's
    own checks on Django's admin styles make the browser report inline styles that the page never applies."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.refused = []
    page.on("console", lambda message: page.refused.append(f"{page.url}: {message.text[:80]}")
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()


def test_the_admins_pages_pass_axe(live_server, admin_page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    page = admin_page
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    organisation = factories.AssociationFactory()
    invitation = Invitation.objects.create(
        organization=organisation, role=MemberRole.CLERK, name="招待 太郎", email="shotai@example.jp",
        token_hash=token_hash("admin-a11y"), expires_at=timezone.now() + dt.timedelta(days=7), invited_by=root)
    log_in(page, live_server.url, "root")
    for name, url in (
            ("admin-index", reverse("admin:index")),
            ("admin-organizations", reverse("admin:organizations_organization_changelist")),
            ("admin-user", reverse("admin:accounts_user_change", args=[root.pk])),
            ("admin-group-add", reverse("admin:auth_group_add")),
            ("admin-invitation", reverse("admin:organizations_invitation_change", args=[invitation.pk])),
            ("admin-organization-history", reverse("admin:organizations_organization_history",
                                                   args=[organisation.pk]))):
        page.goto(live_server.url + url)
        page.locator("#content").wait_for()
        page.wait_for_load_state("networkidle")
        assert page.refused == [], page.refused  # the page itself keeps to the policy, before axe looks at it
        check_a11y(page, name)
        page.refused.clear()
    # the user's page: 最終ログイン and 登録日時 are split fields, each input named after its field
    page.goto(live_server.url + reverse("admin:accounts_user_change", args=[root.pk]))
    named = page.locator("input[aria-label$='（日付）'], input[aria-label$='（時刻）']")
    assert named.count() == 4, named.count()
    assert page.get_by_role("listbox", name="グループ").count() == 1  # a plain labelled list
