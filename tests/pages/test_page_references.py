"""What a page's markup points to exists on the page, and a page's title tells it apart (issue 15): every
``aria-describedby`` (and ``aria-labelledby``, ``<label for>``) names an element of the same page, on every page of
the permission matrix's world (tests/pages/permission_world.py) as its owners see it — the city's roles, the
association's head, the council's 事務局長, the group's 代表 — both as first shown (GET) and as answered to an empty
form (POST: the form's errors, whose ids Django's ``aria-describedby`` names); and the pages of two programmes or
two objects of the same kind never share a title. An HTML parse, no browser."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from grants.accounts.models import User
from tests.councils import builders as councils
from tests.pages import permission_world as world
from tests.pages.test_permission_matrix import PAGES, POST_DATA, URL_ARGS, _value, request, url_of

#: The owners of the world's objects, who see its forms (the matrix's users own nothing); the first six also post
#: each page's form empty (its errors).
OWNERS = ("w-staff", "w-finance", "w-hoken", "w-head", "secretary", "npo-head", "w-approver", "w-auditor", "w-judge",
          "m-kaikei")
POSTING = OWNERS[:6]


class References(HTMLParser):
    """The ids of a page and the ids its attributes point to: [(attribute, id, the element's tag)]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.pointers: list[tuple[str, str, str]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in (values.get(name) or "").split():
                self.pointers.append((name, ref, tag))
        if tag == "label" and values.get("for"):
            self.pointers.append(("for", str(values["for"]), tag))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def missing(self) -> list[str]:
        return [f'{tag} {name}="{ref}"' for name, ref, tag in self.pointers if ref not in self.ids]


def parse(body: str) -> References:
    parser = References()
    parser.feed(body)
    return parser


def _pages(cast: world.Cast) -> Iterator[tuple[str, str, str, dict[str, str]]]:
    """(view's name, method, url, data) of every page of the world: GET, and POST with the matrix's data or none."""
    for view in PAGES:
        if set(view.params) - set(URL_ARGS.get(view.key, {})):
            continue
        url = url_of(view, cast)
        yield view.key, "get", url, {}
        yield view.key, "post", url, {name: _value(cast, ref) for name, ref in POST_DATA.get(view.key, {}).items()}


def _object_of(url: str) -> str:
    """The object a URL shows: its path up to its first number (``/cases/12/`` of ``/cases/12/review/``), or the
    whole path of a page without one."""
    parts = url.split("?")[0].strip("/").split("/")
    for index, part in enumerate(parts):
        if part.isdigit():
            return "/".join(parts[:index + 1])
    return "/".join(parts)


@pytest.mark.django_db
def test_every_reference_of_every_page_names_an_element_of_that_page() -> None:
    cast = world.build()
    owners = {username: Client(raise_request_exception=False) for username in OWNERS}
    for username, client in owners.items():
        client.force_login(User.objects.get(username=username))
    found: list[str] = []
    titles: dict[tuple[str, str], set[str]] = {}
    seen = 0
    quiet = logging.getLogger("django.request")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        for key, method, url, data in _pages(cast):
            for username, client in owners.items():
                if method == "post" and username not in POSTING:
                    continue
                outcome = request(client, method, url, data)
                if "<html" not in outcome.body:
                    continue
                seen += 1
                page = parse(outcome.body)
                found += [f"{key} {method.upper()} as {username}: {ref}" for ref in page.missing()]
                if method == "get" and outcome.status == "ok":
                    titles.setdefault((username, page.title), set()).add(url)
    finally:
        quiet.level = level
    assert seen > 200, seen  # the sweep saw the pages (a login page each time would pass)
    assert sorted(set(found)) == [], "\n".join(sorted(set(found)))
    # Two pages of different objects (a case of each programme, each programme-year's import …) never share a title
    # for one user; a page reached by two addresses (a form's page and the page it is posted to) may.
    shared = {title: urls for (_, title), urls in titles.items() if len({_object_of(url) for url in urls}) > 1}
    assert shared == {}


@pytest.mark.django_db
def test_a_councils_two_cases_of_one_year_and_two_years_imports_have_titles_of_their_own(
        client, council, katsudo, unei, staff, programme_year) -> None:  # type: ignore[no-untyped-def]
    """The pages the walk-through found sharing a title: a council's 活動支援 and 運営 cases of the same 年度 (both read
    「大歳地域づくり協議会 令和8年度」) and the 年次一括作成 of two programme-years (both 「年次一括作成」)."""
    org, _ = council
    first, second = councils.draft_case(katsudo, org), councils.draft_case(unei, org)
    client.force_login(staff)

    def title(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, url
        return parse(response.content.decode()).title

    for case, year in ((first, katsudo), (second, unei)):  # each names its programme
        assert year.programme.name in title(reverse("case_detail", args=[case.pk]))
    imports = {title(reverse("annual_run_start", args=[year.pk])) for year in (programme_year, katsudo)}
    assert len(imports) == 2, imports


def test_the_parser_finds_a_reference_to_nothing() -> None:
    page = parse('<title>案件</title><input aria-describedby="id_a_helptext id_a_error"><span id="id_a_helptext">'
                 '</span><label for="id_b">b</label><input id="id_b">')
    assert page.missing() == ['input aria-describedby="id_a_error"']
    assert page.title == "案件"


@pytest.mark.django_db
def test_the_plan_staff_and_import_forms_name_their_errors_and_help(client, council, staff, programme_year) -> None:
    """The three forms the walk-through found pointing at nothing, each answered with its errors."""
    org, secretary = council
    client.force_login(staff)
    plan = client.post(reverse("plan_create"), {"organization": org.pk, "title": ""})
    imported = client.post(reverse("annual_run_start", args=[programme_year.pk]), {"source": "import"})
    client.force_login(secretary)
    staff_form = client.post(reverse("council_staff", args=[org.pk]), {"name": "x", "pay_basis": "monthly",
                                                                       "monthly_wage": "-5"})
    for name, response, pointed in (("plan", plan, "id_title_error"), ("import", imported, "id_file_error"),
                                    ("staff", staff_form, "id_employed_from_error")):
        page = parse(response.content.decode())
        assert pointed in {ref for _, ref, _ in page.pointers} and pointed in page.ids, name
        assert page.missing() == [], name
