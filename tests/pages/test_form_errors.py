"""A form sent with an error comes back as typed, with the error at its field (issue 15): the household count's
correction keeps the corrected number (it went back to the number on file) and says what is wrong beside it, and
the input's ``aria-describedby`` names that error; nothing is corrected."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from grants.cases import services
from grants.cases.models import BudgetLine, GrantCase
from grants.cases.services import apply_count
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.steps import login, messages_of
from tests.councils import builders

pytestmark = pytest.mark.django_db


class Fields(HTMLParser):
    """The attributes of each element with an id, and the text of each element with an id (one level)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.attrs[values["id"]] = {"tag": tag, **values}
            self.text[values["id"]] = ""
            if tag not in ("input", "br", "img"):
                self._open.append(values["id"])

    def handle_endtag(self, tag: str) -> None:
        if self._open and self.attrs[self._open[-1]]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for name in self._open:
            self.text[name] += data


def fields(body: str) -> Fields:
    parser = Fields()
    parser.feed(body)
    return parser


def described(page: Fields, field_id: str) -> str:
    """The text the field's ``aria-describedby`` points to; fails when it names an element not on the page."""
    refs = page.attrs[field_id].get("aria-describedby", "").split()
    assert refs and all(ref in page.attrs for ref in refs), (refs, field_id)
    return " ".join(page.text[ref] for ref in refs)


def test_a_refused_household_count_keeps_the_typed_number_and_shows_the_error_at_the_field(
        client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": "100001", "reason": "転入があったため"})
    assert response.status_code == 200  # the page again, not a redirect that forgets the input
    page = fields(response.content.decode())
    assert page.attrs["id_households"]["value"] == "100001"  # not 120, the number on file
    assert page.text["id_reason"].strip() == "転入があったため"
    assert page.attrs["id_households"]["aria-invalid"] == "true"
    assert "基準日の世帯数" in described(page, "id_households") and "100000" in described(page, "id_households")
    assert "aria-invalid" not in page.attrs["id_reason"]
    assert messages_of(response) == []  # the error is at the field, not only at the top
    assert GrantCase.objects.get(pk=case.pk).household_count == 120
    assert not HouseholdCount.objects.filter(source="correction").exists()


def test_a_missing_reason_keeps_the_corrected_number(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": "130", "reason": " "})
    page = fields(response.content.decode())
    assert page.attrs["id_households"]["value"] == "130"
    assert "訂正の理由" in described(page, "id_reason")
    assert GrantCase.objects.get(pk=case.pk).household_count == 120


def test_a_sound_correction_still_goes_back_to_the_page_with_its_message(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": "130", "reason": "転入"})
    assert response.status_code == 302
    assert GrantCase.objects.get(pk=case.pk).household_count == 130
    page = fields(client.get(reverse("case_detail", args=[case.pk])).content.decode())
    assert page.attrs["id_households"]["value"] == "130" and "aria-invalid" not in page.attrs["id_households"]


def test_an_override_without_its_justification_keeps_the_chosen_check(client, programme_year, association, staff) -> None:  # type: ignore[no-untyped-def]
    factories.RepresentativeFactory(organization=association)  # no bank account: a check fails, an override is offered
    case = GrantCase(programme_year=programme_year, organization=association)
    apply_count(case, 120)
    case.save()
    services.act(case_id=case.pk, edge="submit", actor=staff)
    response = login(client, staff).post(reverse("override_check", args=[case.pk]),
                                         {"check_code": "bank_account", "justification": ""})
    assert response.status_code == 200
    body = response.content.decode()
    page = fields(body)
    assert "特例とする理由" in described(page, "id_justification")
    assert '<option value="bank_account" selected>' in body
    assert not case.overrides.exists()


def test_attack_a_count_with_an_error_on_a_submitted_case_says_the_error(client, case, association_head) -> None:  # type: ignore[no-untyped-def]
    """The page opened on the draft, the case submitted meanwhile: the page no longer shows the count's form, so
    the error comes as a message — the page must never come back as if nothing had been sent."""
    services.act(case_id=case.pk, edge="submit", actor=association_head)
    response = login(client, association_head).post(reverse("correct_count", args=[case.pk]),
                                                     {"households": "abc", "reason": "転入"})
    assert response.status_code == 200
    assert any("世帯数" in m for m in messages_of(response)), messages_of(response)
    assert GrantCase.objects.get(pk=case.pk).household_count == 120



@pytest.mark.parametrize(("typed", "field", "error"), [
    ({"amount": "１万円"}, "budget-line-amount", "金額"),
    ({"spent_on": ""}, "budget-line-spent_on", "支出（予定）日"),
])
def test_a_budget_line_with_an_error_keeps_what_was_typed_and_shows_the_error_at_its_field(
        client, typed, field, error) -> None:  # type: ignore[no-untyped-def]
    """The walk-through's 明細を追加する without its 支出（予定）日 came back blank with the error only at the top: the
    form now comes back open and as typed, the error beside the field (and listed at the top too)."""
    org, secretary = builders.council()
    katsudo = builders.katsudo_year()
    plan = builders.approved_plan(org, factories.UserFactory(username="tanto", role="staff"))
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    client.force_login(secretary)
    data = {"kind": "expense", "category": cats["genzairyo"].pk, "plan_item": builders.item(plan, "1-1-2").pk,
            "description": "水路補修の原材料", "amount": "16000", "spent_on": "2026-06-01", **typed}
    response = client.post(reverse("case_line_add", args=[case.pk, "budget"]), data, follow=True)
    body = response.content.decode()
    assert not BudgetLine.objects.filter(case=case).exists()
    page = fields(body)
    assert page.attrs["budget-line-description"]["value"] == "水路補修の原材料"
    assert page.attrs["budget-line-amount"]["value"] == data["amount"]
    assert described(page, field), field
    assert any(m.startswith(error) for m in messages_of(response))
    assert '<details id="budget-add" open>' in body
