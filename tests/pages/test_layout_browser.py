"""The page layout at an office screen's widths (1280 and 1024 px) in a real browser: the budget-line table keeps
every cell wide enough to read (no column squeezed to one character a line; the table scrolls sideways in its own
box instead), and the staff menu wraps between its items, never inside a word."""
import pytest

from tests import factories
from tests.councils import builders
from tests.councils.helpers import line
from tests.pages.browser import log_in, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]

SHOTS = "test-artifacts"


def _case_with_long_lines():  # type: ignore[no-untyped-def]
    org, secretary = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    katsudo = builders.katsudo_year()
    plan = builders.approved_plan(org, staff)
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    line(case, secretary, kind="income", description="地域の夏祭りの協賛金（商店会・事業所から）", amount=250_000)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         description="水路補修の原材料（セメント・砂利・土のう袋、地区内三か所の水路の補修に用いるもの）", amount=1_600_000)
    line(case, secretary, category=cats["shokuryohi"], plan_item=builders.item(plan, "1-1-1"),
         description="防災訓練の参加者の飲み物", amount=8_000)
    return case, secretary, staff


LINES = """(el) => {
    // How many lines the element's text takes: the distinct tops of the line boxes of its text nodes.
    const tops = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    return tops.size;
}"""


def _squeezed_cells(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The budget table's cells squeezed: a short value (a word of up to six characters, 「支出」「原材料費」
    「削除」, a date, an amount) broken over lines, or a cell narrower than four characters of its font (or than its
    text, when shorter)."""
    return page.evaluate(f"""() => {{
        const lines = {LINES};
        return [...document.querySelectorAll('#budget-lines th, #budget-lines td')].filter(c => {{
            const text = c.innerText.trim();
            const style = getComputedStyle(c);
            const inner = c.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const short = text.length <= 6 || /^令和|円$/.test(text);
            const room = Math.min(text.length, 4) * parseFloat(style.fontSize);
            return (short && lines(c) > 1) || inner < room - 1;
        }}).map(c => c.innerText.trim());
    }}""")


def _items_broken_inside(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The menu's items whose text is broken over two lines or more."""
    return page.evaluate(f"""() => {{
        const lines = {LINES};
        return [...document.querySelectorAll('.site-header nav li a, .site-name a')]
            .filter(a => lines(a) > 1).map(a => a.innerText.trim());
    }}""")


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_budget_table_keeps_its_columns_readable(live_server, page, width: int) -> None:  # type: ignore[no-untyped-def]
    case, secretary, _ = _case_with_long_lines()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, secretary.username)
    open_case(page, live_server.url, case.pk)
    page.locator("#budget-lines").screenshot(path=f"{SHOTS}/layout_budget_{width}.png")
    assert _squeezed_cells(page) == []
    # What does not fit scrolls inside the table's own box (named by its caption), not the whole page.
    box = page.locator(".table-scroll:has(#budget-lines)")
    assert box.get_attribute("aria-labelledby") == "budget-lines-caption"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_staff_menu_wraps_between_items_never_inside_one(live_server, page, width: int) -> None:  # type: ignore[no-untyped-def]
    factories.UserFactory(username="tanto", role="staff", display_name="協働推進課 担当（デモ）")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "tanto")
    page.locator(".site-header").screenshot(path=f"{SHOTS}/layout_menu_{width}.png")
    items = page.locator(".site-header nav li")
    assert items.count() >= 12  # the staff's many items, メール送信記録 among them
    assert page.get_by_role("link", name="メール送信記録").is_visible()
    assert _items_broken_inside(page) == []


NARROW_TABLE = """() => {
    // A data table squeezed into 12em, as a long 団体名 squeezes the 金額 and 状態 of a batch or the mail log.
    const box = document.createElement('div');
    box.style.width = '12em';
    const table = document.createElement('table');
    table.className = 'data';
    table.innerHTML = '<thead><tr><th scope="col">団体名</th><th scope="col" class="num">試行回数</th>'
        + '<th scope="col">状態</th></tr></thead><tbody><tr><td id="name">' + '長い団体名'.repeat(8)
        + '</td><td class="num" id="amount">132,000円</td><td><span class="status" id="state">送信済</span></td></tr></tbody>';
    box.appendChild(table);
    document.querySelector('main').appendChild(box);
}"""


def test_an_amount_a_state_and_a_heading_are_never_broken_inside(live_server, page) -> None:  # type: ignore[no-untyped-def]
    """「132,000円」 left 円 on a line of its own on the batch page, and the mail log broke 「試行回数」 and
    「送信済」: amounts, states and column headings keep to one line however narrow their table."""
    factories.UserFactory(username="tanto", role="staff")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "tanto")
    page.evaluate(NARROW_TABLE)
    lines = lambda selector: page.eval_on_selector(selector, LINES)  # noqa: E731
    assert [lines(s) for s in ("#amount", "#state", "table.data thead th.num")] == [1, 1, 1]
    assert lines("#name") > 1  # the name still wraps: the table is really squeezed
