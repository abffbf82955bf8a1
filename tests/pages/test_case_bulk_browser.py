"""A bulk decision from the case list in a real browser: the 決裁者 filters the list to 審査済, ticks every case
shown (「表示中の案件をすべて選ぶ」, static/js/case_bulk.js under the CSP), confirms the count, and is told how many
were decided; the one case they verified themselves (before their role changed) is set aside with the reason,
linked to its page. The list, the confirmation and the result pass axe-core."""
import pytest

from grants.accounts.models import Role
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import SEPARATION
from tests import factories
from tests.cases.steps import association_case, to_verified
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_bulk_decision_sets_aside_the_case_the_decider_verified(live_server, page, check_a11y) -> None:  # type: ignore[no-untyped-def]
    year = factories.programme_year_with_budget(budget=5_000_000)
    proxy = factories.UserFactory(username="proxy", role=Role.STAFF)
    staff = factories.UserFactory(username="staff", role=Role.STAFF)
    decider = factories.UserFactory(username="decider", role=Role.STAFF)
    others = [to_verified(association_case(year), proxy, staff) for _ in range(2)]
    own = to_verified(association_case(year), proxy, decider)
    association_case(year)  # a draft, filtered out
    decider.role = Role.APPROVER
    decider.save()

    log_in(page, live_server.url, "decider")
    page.goto(f"{live_server.url}/cases/?status=verified")
    page.get_by_role("button", name="表示中の案件をすべて選ぶ").click()
    assert page.locator('input[name=case][form="case-bulk"]:checked').count() == 3
    page.get_by_label("行う手続").select_option(label="交付決定する")
    check_a11y(page, "case_bulk_list")
    page.get_by_role("button", name="確認へ進む").click()
    page.get_by_text("次の3件の案件について「交付決定する」を1件ずつ行います。", exact=False).wait_for()
    check_a11y(page, "case_bulk_confirm")

    page.get_by_role("button", name="交付決定する（3件）").click()
    done(page, "2件を交付決定しました。1件は対象外にしました。")
    row = page.locator("tr", has_text=SEPARATION["verified_by"])
    assert row.get_by_role("link").get_attribute("href") == f"/cases/{own.pk}/"
    check_a11y(page, "case_bulk_result")
    assert set(GrantCase.objects.filter(pk__in=[c.pk for c in others]).values_list("status", flat=True)) == {
        Status.DECIDED}
    own.refresh_from_db()
    assert own.status == Status.VERIFIED
