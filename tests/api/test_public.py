"""The public endpoints (no token), swept from the schema: each answers anyone with exactly what the public pages
and files publish (the catalogue's search, the open data's own JSON file) and none of the personal data planted
beside it (heads, members, users, bank accounts: tests/opendata/builders.PLANTED); past API_ANON_RATE, 429."""
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from grants.opendata import dataset
from grants.publication import catalogue
from pages.api.errors import THROTTLED
from tests.opendata import builders as opendata
from tests.publication import builders as publication

PUBLIC = "/api/v1/public/"


@pytest.fixture
def published(db):  # type: ignore[no-untyped-def]
    """The open-data city (FY2025 and FY2024 published, an evaluation published) and the catalogue: a published guide,
    an unpublished one, a published other funder's programme and an unpublished one."""
    city = opendata.city()
    opendata.evaluated(city)
    guide = publication.guide(city.py["jichi_shinko"].programme)
    publication.guide(city.py["katsudo_shien"].programme, published=False)
    other = publication.other()
    publication.other("非公開の助成（架空）", published=False)
    return {"city": city, "guide": guide, "other": other}


def _public_urls(client: Client, published) -> list[str]:  # type: ignore[no-untyped-def]
    schema = client.get("/api/v1/openapi.json").json()
    values = {"fiscal_year": str(opendata.FY), "kind": "city", "pk": str(published["guide"].pk)}
    paths = [path for path in schema["paths"] if path.startswith(PUBLIC)]
    assert not [path for path in paths if schema["paths"][path]["get"].get("security")], "a public path asks a token"
    return [re.sub(r"\{([a-z_]+)\}", lambda m: values[m[1]], path) for path in paths]


def test_every_public_endpoint_answers_anyone_with_nothing_personal(client, published) -> None:  # type: ignore[no-untyped-def]
    urls = _public_urls(client, published)
    assert len(urls) == 6
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and not response.cookies, url
        text = response.content.decode()
        assert not [word for word in opendata.PLANTED if word in text], url
        assert opendata.HIDDEN_COMMENT not in text and opendata.EVALUATOR_NAME not in text, url


def test_the_awards_are_the_open_data_files_own_document(client, published) -> None:  # type: ignore[no-untyped-def]
    api = client.get(f"{PUBLIC}opendata/{opendata.FY}/awards").json()
    file = json.loads(client.get(reverse("opendata_awards_json", args=[opendata.FY])).content)
    assert api == file
    assert api["metadata"]["license"]["name"] == "CC BY 4.0"
    assert [r["ID"] for r in api["records"]] == [row.id for row in dataset.award_rows(opendata.FY)]
    evaluations = client.get(f"{PUBLIC}opendata/{opendata.FY}/evaluations").json()
    assert evaluations == json.loads(client.get(reverse("opendata_evaluations_json", args=[opendata.FY])).content)


def test_the_years_and_the_dictionary_are_the_open_datas(client, published) -> None:  # type: ignore[no-untyped-def]
    years = client.get(f"{PUBLIC}opendata/years").json()
    assert [y["fiscal_year"] for y in years] == dataset.published_years() == [opendata.FY, opendata.PREV]
    assert years[0]["csv"] == reverse("opendata_awards_csv", args=[opendata.FY])
    assert years[0]["evaluations"] and years[1]["evaluations"] is None
    columns = client.get(f"{PUBLIC}opendata/dictionary").json()
    assert [c["name"] for c in columns] == [c.name for c in dataset.data_dictionary()]


def test_a_year_not_published_is_a_json_404(client, published) -> None:  # type: ignore[no-untyped-def]
    for url in (f"{PUBLIC}opendata/2001/awards", f"{PUBLIC}opendata/{opendata.PREV}/evaluations"):
        response = client.get(url)
        assert response.status_code == 404 and "公開していません" in response.json()["detail"], url


def test_the_catalogue_is_the_public_pages_search(client, published) -> None:  # type: ignore[no-untyped-def]
    body = client.get(f"{PUBLIC}catalogue").json()
    assert [(i["kind"], i["pk"]) for i in body["items"]] == [(e.kind, e.pk) for e in catalogue.search()]
    assert body["count"] == 2 and body["items"][1]["url"] == "https://example.org/josei"
    kind = client.get(f"{PUBLIC}catalogue", {"applicant_kind": "npo"}).json()
    assert [(i["kind"], i["pk"]) for i in kind["items"]] == [("other", published["other"].pk)]
    assert client.get(f"{PUBLIC}catalogue", {"applicant_kind": "nobody"}).status_code == 422
    one = client.get(f"{PUBLIC}catalogue/other/{published['other'].pk}").json()
    assert one["title"] == published["other"].title
    hidden = client.get(f"{PUBLIC}catalogue/city/{published['guide'].pk + 1}")
    assert hidden.status_code == 404 and hidden.json() == {"detail": "この制度の案内は公開されていません。"}
    assert client.get(f"{PUBLIC}catalogue/secret/1").status_code == 404


def test_calls_without_a_token_past_their_rate_get_429(client, settings, published) -> None:  # type: ignore[no-untyped-def]
    settings.API_ANON_RATE = "2/min"
    assert [client.get(f"{PUBLIC}opendata/years").status_code for _ in range(2)] == [200, 200]
    refused = client.get(f"{PUBLIC}catalogue")
    assert refused.status_code == 429 and refused.json() == {"detail": THROTTLED} and refused["Retry-After"]
