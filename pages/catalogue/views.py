"""The public catalogue of grants (no login): /programmes/ searches the city's programmes and other funders',
/programmes/city/<id>/ and /programmes/other/<id>/ show one.

The pages are the same for every visitor and carry nothing personal. They are rendered without the request's
context (no user, no session, no CSRF token: the search form is GET) and served by ``pages.public`` before the
session is looked at, so that an anonymous GET sets no cookie and does not vary on Cookie. Each answer may be kept
for ``pages.public.MAX_AGE`` seconds by any cache and carries an ETag of its content: a conditional GET with
the same ETag is answered 304. There is no Last-Modified: the rate and cap come from the rule, which keeps no time
of change, and the 受付中 words change with the date, so only the content itself says whether the page changed.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from grants.publication import catalogue
from pages.public import cacheable, sessionless

from .forms import CatalogueSearchForm


def public_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The page rendered from ``context`` alone (no context processors: nothing of the visitor), cacheable by
    anyone, with an ETag of its content; 304 when the visitor's If-None-Match names it."""
    return cacheable(request, HttpResponse(render_to_string(template, context)))


@sessionless
@require_safe
def catalogue_list(request: HttpRequest) -> HttpResponse:
    """The search (団体の種類, 活動の分野, キーワード, 募集中のみ) and its results, the city's programmes first."""
    form = CatalogueSearchForm(request.GET or None, topics=catalogue.topics())
    filters = form.filters() if form.is_bound else {}
    entries = catalogue.search(**filters)
    return public_page(request, "catalogue/list.html", {
        "form": form, "entries": entries, "searched": form.is_bound and any(filters.values()),
        "city": [e for e in entries if e.kind == catalogue.CITY],
        "others": [e for e in entries if e.kind == catalogue.OTHER],
    })


def _detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    entry = catalogue.lookup(kind, pk)
    if entry is None:
        raise Http404("この制度の案内は公開されていません。")
    return public_page(request, "catalogue/detail.html", {"entry": entry})


@sessionless
@require_safe
def city_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """One city programme's guide: who may apply, what is funded, the amount, the window, the calls, documents,
    how to apply and the contact. 404 when unpublished or missing."""
    return _detail(request, catalogue.CITY, pk)


@sessionless
@require_safe
def other_programme(request: HttpRequest, pk: int) -> HttpResponse:
    """One other funder's programme with a link out to the funder's page. 404 when unpublished or missing."""
    return _detail(request, catalogue.OTHER, pk)
