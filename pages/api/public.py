"""Public endpoints (no token): the catalogue of programmes (``grants.publication.catalogue``, what /programmes/
shows) and the open data of awards (``grants.opendata``, what /opendata/ publishes), each read through the very
functions the public pages and files use, so that the API holds exactly what they publish and nothing more: no
person's name, bank account or insurance data is in any of them. Counted per client address (``API_ANON_RATE``)."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from ninja import Field, Query, Router, Schema

from grants.core.fiscal import fiscal_year_label
from grants.opendata import dataset, evaluations, files
from grants.publication import catalogue
from grants.publication.models import ApplicantKind
from pages.api.cases import MAX_ID
from pages.api.throttles import AnonymousRate

router = Router(tags=["公開（トークン不要）"], auth=None, throttle=[AnonymousRate()])

MAX_AGE = 300  # seconds a public answer may be kept by any cache, as the public pages'
APPLICANT_KIND = Query(None, description="申請する団体の種類")
TOPIC = Query(None, ge=1, le=MAX_ID, description="活動の分野（topics の id）")
KEYWORD = Query("", max_length=100, description="キーワード（空白で区切ると、すべてを含むもの）")
OPEN_ONLY = Query(False, description="募集中のものだけ")


class CallOut(Schema):
    pk: int
    title: str = Field(description="募集の名称")
    opens_on: str = Field(description="受付開始日（YYYY-MM-DD）")
    closes_on: str = Field(description="受付終了日（YYYY-MM-DD）")
    phase: str = Field(description="upcoming・open・closed のいずれか")
    phase_label: str = Field(description="受付前・受付中・受付終了")


class CatalogueEntryOut(Schema):
    kind: str = Field(description="city（山口市の制度）または other（他の実施団体の制度）")
    pk: int = Field(description="kind と合わせて制度を指す番号")
    title: str
    funder: str = Field(description="実施団体")
    funder_kind_label: str
    summary: str
    applicant_kinds: list[str] = Field(description="申請できる団体の種類の値（applicant_kind に指定する値）")
    applicant_kind_labels: list[str]
    eligibility: str = Field(description="申請できる団体")
    topics: list[str] = Field(description="活動の分野")
    topic_ids: list[int]
    amount: str = Field(description="交付額（わかりやすい日本語。例：対象経費の3分の2以内（上限30万円））")
    amount_details: list[str]
    fiscal_year_label: str
    opens_on: str | None = Field(description="受付開始日（YYYY-MM-DD）")
    closes_on: str | None = Field(description="受付終了日（YYYY-MM-DD）")
    phase: str = Field(description="upcoming・open・closed・unknown のいずれか")
    phase_label: str
    funded: list[str] = Field(description="対象となる経費・事業")
    documents: list[str] = Field(description="申請に必要な書類")
    how_to_apply: str
    contact_section: str = Field(description="問い合わせ先（担当課）")
    contact_phone: str = Field(description="問い合わせ先の電話番号（担当課）")
    url: str = Field(description="実施団体の案内のページ（他の実施団体の制度のみ）")
    calls: list[CallOut] = Field(description="公開している募集（山口市の公募の制度）")
    updated_at: str


class TopicOut(Schema):
    id: int
    name: str


class CatalogueOut(Schema):
    count: int
    items: list[CatalogueEntryOut]
    topics: list[TopicOut] = Field(description="topic に指定できる活動の分野")


class OpenDataYearOut(Schema):
    fiscal_year: int
    fiscal_year_label: str
    awards: str = Field(description="この年度の交付決定一覧（API）")
    csv: str = Field(description="CSV（UTF-8、BOM付き）")
    sjis_csv: str = Field(description="CSV（Shift_JIS）")
    json_file: str = Field(description="JSON ファイル")
    evaluations: str | None = Field(description="評価結果（API）。公開していない年度は null")


class ColumnOut(Schema):
    name: str = Field(description="項目名（CSV の見出し、JSON のキー）")
    type: str
    description: str
    example: str


class OpenDataDocument(Schema):
    metadata: dict[str, Any] = Field(description="表題・公開者・ライセンス（CC BY 4.0）・年度・件数・項目の一覧")
    records: list[dict[str, Any]] = Field(
        description="1行が1件（キーは項目名。項目定義は /public/opendata/dictionary）")


def _public(response: HttpResponse) -> None:
    patch_cache_control(response, public=True, max_age=MAX_AGE)


def _entry(entry: catalogue.CatalogueEntry) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(entry), default=str))


@router.get("/public/catalogue", response=CatalogueOut, summary="助成・補助金の制度の一覧（公開）",
            description="「補助金・助成金をさがす」の画面と同じ検索です。山口市の制度、続いて他の実施団体の制度。")
def catalogue_search(request: HttpRequest, response: HttpResponse,
                     applicant_kind: ApplicantKind | None = APPLICANT_KIND, topic: int | None = TOPIC,
                     keyword: str = KEYWORD, open_only: bool = OPEN_ONLY) -> dict[str, Any]:
    _public(response)
    entries = catalogue.search(applicant_kind=applicant_kind.value if applicant_kind else "", topic_id=topic,
                               keyword=keyword, open_only=open_only)
    return {"count": len(entries), "items": [_entry(e) for e in entries],
            "topics": [{"id": t.pk, "name": t.name} for t in catalogue.topics()]}


@router.get("/public/catalogue/{kind}/{pk}", response=CatalogueEntryOut, summary="助成・補助金の制度（公開）",
            description="制度ひとつ。kind は city または other。公開していない制度は 404。")
def catalogue_entry(request: HttpRequest, response: HttpResponse, kind: str, pk: int) -> dict[str, Any]:
    entry = catalogue.lookup(kind, pk)
    if entry is None:
        raise Http404("この制度の案内は公開されていません。")
    _public(response)
    return _entry(entry)


@router.get("/public/opendata/years", response=list[OpenDataYearOut], summary="オープンデータの年度（公開）",
            description="交付決定一覧を公開している年度（新しい年度から）と、その API・ファイルの URL。")
def opendata_years(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    _public(response)
    evaluated = set(evaluations.published_evaluation_years())
    return [{
        "fiscal_year": year, "fiscal_year_label": fiscal_year_label(year),
        "awards": reverse("api-v1:opendata_awards", args=[year]),
        "csv": reverse("opendata_awards_csv", args=[year]),
        "sjis_csv": reverse("opendata_awards_sjis_csv", args=[year]),
        "json_file": reverse("opendata_awards_json", args=[year]),
        "evaluations": reverse("api-v1:opendata_evaluations", args=[year]) if year in evaluated else None,
    } for year in dataset.published_years()]


@router.get("/public/opendata/dictionary", response=list[ColumnOut], summary="交付決定一覧の項目定義（公開）")
def opendata_dictionary(request: HttpRequest, response: HttpResponse) -> list[dict[str, str]]:
    _public(response)
    return [{"name": c.name, "type": c.type, "description": c.description, "example": c.example}
            for c in dataset.data_dictionary()]


def _file_document(body: bytes) -> dict[str, Any]:
    """The JSON file's own document (``grants.opendata.files``): the API gives exactly what the file publishes."""
    document: dict[str, Any] = json.loads(body)
    return document


@router.get("/public/opendata/{fiscal_year}/awards", response=OpenDataDocument,
            summary="交付決定一覧（オープンデータ、公開）",
            description="年度の交付決定一覧。JSON ファイル（/opendata/）と同じ内容です（CC BY 4.0）。"
                        "公開していない年度は 404。")
def opendata_awards(request: HttpRequest, response: HttpResponse, fiscal_year: int) -> dict[str, Any]:
    try:
        data = dataset.year_data(fiscal_year)
    except dataset.YearNotPublished:
        raise Http404("この年度のオープンデータは公開していません。") from None
    _public(response)
    return _file_document(files.json_bytes(data, request.build_absolute_uri(reverse("opendata_dictionary"))))


@router.get("/public/opendata/{fiscal_year}/evaluations", response=OpenDataDocument,
            summary="評価結果（オープンデータ、公開）",
            description="年度の評価結果。JSON ファイルと同じ内容です。公開していない年度は 404。")
def opendata_evaluations(request: HttpRequest, response: HttpResponse, fiscal_year: int) -> dict[str, Any]:
    try:
        data = evaluations.evaluation_data(fiscal_year)
    except dataset.YearNotPublished:
        raise Http404("この年度の評価結果は公開していません。") from None
    _public(response)
    return _file_document(files.evaluations_json(data, request.build_absolute_uri(reverse("opendata_dictionary"))))
