"""The pages the adversarial review changed, in a real browser with axe-core: a 審査委員's application page offers
the 規約 and no 構成員名簿, and a late application's case page tells staff why it cannot be put to the panel once
the selection is decided (the button disabled with the reason)."""
from pathlib import Path

import pytest

from grants.competitive import panel
from tests.competitive import steps
from tests.pages.browser import log_in, open_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_member_sees_no_member_list_and_staff_see_why_a_late_application_waits(
        live_server, page, check_a11y, open_call, npo, npo_b, staff, approver, judge) -> None:  # type: ignore[no-untyped-def]
    screened = steps.screening(open_call, *npo, staff)
    panel.declare(case_id=screened.pk, actor=judge, conflicted=False)
    log_in(page, live_server.url, judge.username)
    page.goto(f"{live_server.url}/panel/applications/{screened.pk}/")
    page.get_by_role("link", name="規約（会則）をダウンロードする").wait_for()
    assert page.get_by_text("構成員名簿").count() == 0
    check_a11y(page, "attacks-panel-application")
    shot(page, "competitive_attacks_panel_application")

    late = steps.submitted(open_call, *npo_b, title="まちなかコンサート")  # not yet put to the panel
    steps.decide_selection(open_call, staff, approver, {screened.pk: 150_000})
    log_in(page, live_server.url, staff.username)
    open_case(page, live_server.url, late.pk)
    page.get_by_text("この募集の採択はすでに決定しているため、審査会に付すことはできません。").first.wait_for()
    assert page.get_by_role("button", name="受け付ける（審査会に付す）").is_disabled()
    check_a11y(page, "attacks-late-application")
    shot(page, "competitive_attacks_late_application")
