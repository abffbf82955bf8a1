"""オープンデータ: the public page of the open data, the files of each 年度 and the data dictionary; no login.

The files (CSV, Shift_JIS CSV, JSON, the dictionary's CSV) are the same for everyone: they are served before the
session and the user are looked at (``pages.public``), set no cookie, and may be kept by any cache
(``Cache-Control: public``), with ``Last-Modified`` from the data and an ``ETag`` of the bytes; a conditional GET
that matches answers 304. The two HTML pages follow the public pages' rule (``pages.competitive.calls._public``):
public for a visitor, private for a logged-in user, whose menu is on them.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from grants.core.fiscal import fiscal_year_label
from grants.opendata import dataset, evaluations, files
from grants.opendata.models import DEFAULT_REASONS, KindPolicy, PublicationMode
from grants.organizations.models import OrganizationKind
from pages.public import cacheable, sessionless


def _file(request: HttpRequest, body: bytes, content_type: str, filename: str,
          last_modified: int | None) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(len(body))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return cacheable(request, response, last_modified=last_modified)


def _year(fiscal_year: int) -> dataset.YearData:
    try:
        return dataset.year_data(fiscal_year)
    except dataset.YearNotPublished:
        raise Http404("この年度のオープンデータは公開していません。") from None


def filename(fiscal_year: int, suffix: str) -> str:
    """The file's name after the 推奨データセット's 「コード_データセット名」: 352039_subsidy_awards_2026.csv."""
    return f"{dataset.city_code()}_subsidy_awards_{fiscal_year}{suffix}"


@require_safe
@sessionless
def awards_csv(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _year(fiscal_year)
    return _file(request, files.csv_utf8(data), files.CSV_CONTENT_TYPE, filename(fiscal_year, ".csv"),
                 int(data.last_modified.timestamp()))


@require_safe
@sessionless
def awards_sjis_csv(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _year(fiscal_year)
    return _file(request, files.csv_sjis(data), files.SJIS_CONTENT_TYPE, filename(fiscal_year, "_sjis.csv"),
                 int(data.last_modified.timestamp()))


@require_safe
@sessionless
def awards_json(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _year(fiscal_year)
    body = files.json_bytes(data, request.build_absolute_uri(reverse("opendata_dictionary")))
    return _file(request, body, files.JSON_CONTENT_TYPE, filename(fiscal_year, ".json"),
                 int(data.last_modified.timestamp()))


def _evaluations(fiscal_year: int) -> evaluations.EvaluationData:
    try:
        return evaluations.evaluation_data(fiscal_year)
    except dataset.YearNotPublished:
        raise Http404("この年度の評価結果は公開していません。") from None


def evaluations_filename(fiscal_year: int, suffix: str) -> str:
    """352039_subsidy_evaluations_2026.csv."""
    return f"{dataset.city_code()}_subsidy_evaluations_{fiscal_year}{suffix}"


@require_safe
@sessionless
def evaluations_csv(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _evaluations(fiscal_year)
    return _file(request, files.evaluations_csv_utf8(data), files.CSV_CONTENT_TYPE,
                 evaluations_filename(fiscal_year, ".csv"), int(data.last_modified.timestamp()))


@require_safe
@sessionless
def evaluations_sjis_csv(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _evaluations(fiscal_year)
    return _file(request, files.evaluations_csv_sjis(data), files.SJIS_CONTENT_TYPE,
                 evaluations_filename(fiscal_year, "_sjis.csv"), int(data.last_modified.timestamp()))


@require_safe
@sessionless
def evaluations_json(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    data = _evaluations(fiscal_year)
    body = files.evaluations_json(data, request.build_absolute_uri(reverse("opendata_dictionary")))
    return _file(request, body, files.JSON_CONTENT_TYPE, evaluations_filename(fiscal_year, ".json"),
                 int(data.last_modified.timestamp()))


@require_safe
@sessionless
def dictionary_csv(request: HttpRequest) -> HttpResponse:
    return _file(request, files.dictionary_csv(), files.CSV_CONTENT_TYPE,
                 f"{dataset.city_code()}_subsidy_awards_dictionary.csv", None)


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    response = render(request, template, context)
    return cacheable(request, response, public=not request.user.is_authenticated)


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """What is published, under which licence, and each published 年度 with its three files."""
    modes = dataset.policy()
    reasons = {**DEFAULT_REASONS, **dict(KindPolicy.objects.values_list("kind", "reason"))}
    kinds = [(label, PublicationMode(modes[kind]).label, reasons.get(kind, ""))
             for kind, label in OrganizationKind.choices]
    evaluated = set(evaluations.published_evaluation_years())
    years = [(year, fiscal_year_label(year), year in evaluated) for year in dataset.published_years()]
    return _page(request, "opendata/index.html", {
        "kinds": kinds, "years": years, "city_name": dataset.city_name(), "title": dataset.TITLE,
        "licence_title": dataset.LICENCE_TITLE, "licence_url": dataset.LICENCE_URL,
    })


@require_safe
def dictionary(request: HttpRequest) -> HttpResponse:
    """The data dictionary (項目定義書): each column's name, type, description and example."""
    return _page(request, "opendata/dictionary.html", {
        "columns": dataset.data_dictionary(), "evaluation_columns": evaluations.evaluation_dictionary(),
        "city_name": dataset.city_name()})
