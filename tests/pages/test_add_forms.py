"""An add form (明細を追加する, 項目を追加する, 関係者を登録する …) stays open after a save: the page comes back with
``?adding=<the form's id>`` and opens that <details>, so a user adding several in a row finds the form where it
was (it folded away after each save). Nothing else opens it: a plain visit keeps a page that has rows folded."""
import re

import pytest
from django.urls import reverse

from grants.councils import plans
from tests.cases.steps import login
from tests.councils import builders
from tests.councils.steps import draft, today
from tests.factories import CURRENT_FY
from tests.insurance import builders as insurance_builders
from tests.insurance.pages import person_post

pytestmark = pytest.mark.django_db


def _is_open(page: str, details_id: str) -> bool:
    tag = re.search(rf'<details id="{details_id}"[^>]*>', page)
    assert tag, f"no <details id={details_id}> on the page"
    return " open" in tag.group(0)


def test_the_budget_line_form_is_open_again_after_a_line_is_added(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, plan, cats = draft(katsudo, council, staff)
    c = login(client, council[1])
    page = reverse("case_detail", args=[case.pk])
    assert not _is_open(c.get(page).content.decode(), "budget-add")  # the case has lines: folded
    response = c.post(reverse("case_line_add", args=[case.pk, "budget"]), {
        "kind": "expense", "category": cats["genzairyo"].pk, "plan_item": builders.item(plan, "1-1-2").pk,
        "description": "土のう袋", "amount": "12000", "spent_on": today().isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"{page}?adding=budget-add#budget"
    assert _is_open(c.get(response["Location"]).content.decode(), "budget-add")


def test_a_failed_line_comes_back_in_its_open_form_and_opens_nothing_else(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    c = login(client, council[1])
    response = c.post(reverse("case_line_add", args=[case.pk, "budget"]), {"kind": "expense", "amount": "x"})
    page = response.content.decode()
    assert response.status_code == 200  # the page as typed, not a redirect that forgets the input
    opened = re.findall(r'<details id="([^"]+)"[^>]* open>', page)
    assert opened == ["budget-add"]


def test_the_person_form_is_open_again_after_a_person_is_added(client, association, association_head, policy,
                                                              media) -> None:  # type: ignore[no-untyped-def]
    report = insurance_builders.draft_report(association_head, association)
    c = login(client, association_head)
    page = reverse("insurance_report_detail", args=[report.pk])
    assert not _is_open(c.get(page).content.decode(), "add-person")
    response = c.post(reverse("insurance_report_add_person", args=[report.pk]),
                      person_post(role="third_party", harm="property", name="佐藤 花子"))
    assert response.status_code == 302 and response["Location"] == f"{page}?adding=add-person#add-person"
    assert _is_open(c.get(response["Location"]).content.decode(), "add-person")


def test_the_plan_item_form_is_open_again_after_an_item_is_added(client, council) -> None:  # type: ignore[no-untyped-def]
    org, secretary = council
    plan = plans.create_plan(actor=secretary, organization=org, term_label="第4期", title="大歳地域づくり計画",
                             first_fiscal_year=CURRENT_FY, last_fiscal_year=CURRENT_FY + 3)
    c = login(client, secretary)
    response = c.post(reverse("plan_add_item", args=[plan.pk]),
                      {"level": "field", "code": "1", "title": "安心・安全", "description": ""})
    page = reverse("plan_detail", args=[plan.pk])
    assert response.status_code == 302 and response["Location"] == f"{page}?adding=add-item#add-item"
    assert _is_open(c.get(response["Location"]).content.decode(), "add-item")
