"""A double click on 明細を追加する in a real browser: the button shows 「送信中…」 and is disabled at the first click
(static/js/submit_once.js), one request leaves the browser, and one line is added."""
import pytest
from django.utils import timezone

from grants.cases.models import BudgetLine
from tests import factories
from tests.councils import builders
from tests.pages.browser import done, log_in, open_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
]


def test_double_click_on_add_line_sends_once_and_shows_the_button_disabled(live_server, page) -> None:  # type: ignore[no-untyped-def]
    org, secretary = builders.council()
    staff = factories.UserFactory(username="tanto", role="staff")
    plan = builders.approved_plan(org, staff)
    cats = builders.categories()
    case = builders.draft_case(builders.katsudo_year(), org)

    log_in(page, live_server.url, secretary.username)
    open_case(page, live_server.url, case.pk)
    form = page.locator("#budget-line-form")
    form.get_by_label("費目", exact=True).select_option(str(cats["genzairyo"].pk))
    form.get_by_label("計画の施策・取組").select_option(str(builders.item(plan, "1-1-2").pk))
    form.get_by_label("内容（必須）").fill("水路補修の原材料")
    form.get_by_label("金額（円）（必須）").fill("600000")
    form.get_by_label("支出（予定）日").fill(timezone.localdate().isoformat())
    posts, seen = [], []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.on("console", lambda message: seen.append(message.text) if message.text.startswith("button:") else None)
    # Each change of the button is written to the console, which outlives the page the form posts from.
    page.evaluate("""() => {
      const form = document.querySelector('#budget-line-form');
      const button = form.querySelector('button[type=submit]');
      new MutationObserver(() => console.log(`button: ${button.disabled} ${button.textContent}`))
        .observe(form, {subtree: true, attributes: true, childList: true, characterData: true});
    }""")
    form.locator("button[type=submit]").dblclick()
    done(page, "明細を追加しました。")
    assert "button: true 送信中…" in seen, seen
    assert len(posts) == 1, posts
    assert BudgetLine.objects.filter(case=case).count() == 1
    assert page.locator("#budget-line-form button[type=submit]").is_enabled()
