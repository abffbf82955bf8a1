"""Where the keyboard's focus is and whether it can be seen (issue 15): the focus indicator has 3:1 against the
white page and against the blue header (WCAG 2.1 1.4.11; the amber outline #f0a500 had 2.1:1 on white), computed
in the browser from the styles the pages get (static/css/a11y.css); and after an act the focus is on the page's
message (static/js/message_focus.js), not left on <body>."""
import pytest
from django.urls import reverse

from grants.accounts.models import Role
from tests import factories
from tests.pages.browser import done, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# The focused element's outline colour and the background behind it (the first ancestor that paints one), as the
# browser computes them: "rgb(r, g, b)" each.
COLOURS = """element => {
    let behind = element.parentElement, background = "rgba(0, 0, 0, 0)";
    while (behind && (background === "rgba(0, 0, 0, 0)" || background === "transparent")) {
        background = getComputedStyle(behind).backgroundColor; behind = behind.parentElement;
    }
    if (background === "rgba(0, 0, 0, 0)") background = "rgb(255, 255, 255)";
    const style = getComputedStyle(element);
    return {outline: style.outlineColor, style: style.outlineStyle, width: style.outlineWidth, background};
}"""


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("rgb(240, 165, 0)", "rgb(255, 255, 255)"), 1) == 2.1  # the old outline, on white
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)")) == 21


def _focused_colours(page, locator):  # type: ignore[no-untyped-def]
    locator.focus()
    assert locator.evaluate("element => element === document.activeElement")
    return locator.evaluate(COLOURS)


def test_the_focus_can_be_seen_on_the_page_and_in_the_header(live_server, page) -> None:  # type: ignore[no-untyped-def]
    factories.UserFactory(username="f-staff", role=Role.STAFF)
    page.goto(f"{live_server.url}/login/")
    for name, locator in (("ユーザー名", page.get_by_label("ユーザー名")),
                          ("ログイン", page.get_by_role("button", name="ログイン"))):
        seen = _focused_colours(page, locator)
        assert seen["style"] == "solid" and float(seen["width"].rstrip("px")) >= 2, (name, seen)
        assert contrast(seen["outline"], seen["background"]) >= 3, (name, seen)
    log_in(page, live_server.url, "f-staff")
    for name, locator in (("ホーム", page.get_by_role("navigation", name="主なメニュー").get_by_role("link", name="ホーム")),
                          ("ログアウト", page.get_by_role("button", name="ログアウト")),
                          ("案件一覧", page.get_by_role("main").get_by_role("link").first)):
        seen = _focused_colours(page, locator)
        assert seen["style"] == "solid", (name, seen)
        assert contrast(seen["outline"], seen["background"]) >= 3, (name, seen)


def test_after_an_act_the_focus_is_on_its_message(live_server, page) -> None:  # type: ignore[no-untyped-def]
    factories.UserFactory(username="f-head", role=Role.ASSOCIATION_HEAD, email="f-head@example.jp")
    log_in(page, live_server.url, "f-head")
    page.goto(live_server.url + reverse("mail_settings"))
    assert page.evaluate("document.activeElement === document.body")  # no message: the page as usual
    page.get_by_role("button", name="保存する").click()
    done(page, "メールの受け取りの設定を保存しました。")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('message')")
    assert page.evaluate("document.activeElement.textContent") == "メールの受け取りの設定を保存しました。"
    assert page.evaluate("document.activeElement.closest('[role=status]') !== null")
    seen = page.evaluate(f"({COLOURS})(document.activeElement)")
    assert contrast(seen["outline"], seen["background"]) >= 3, seen
