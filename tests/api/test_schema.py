"""The API as a whole, swept from its own OpenAPI schema: without a token every endpoint but the public ones is 401;
every method but GET is 405 on every URL, and writes nothing; errors are JSON with a Japanese ``detail`` and never
a stack trace."""
import re

import pytest
from django.apps import apps
from django.test import Client

from grants.accounts.models import ApiToken
from grants.cases.models import GrantCase

SCHEMA = "/api/v1/openapi.json"
PUBLIC = "/api/v1/public/"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _paths(client: Client) -> list[str]:
    """Every path of the schema, its parameters filled with 1."""
    schema = client.get(SCHEMA).json()
    return [re.sub(r"\{[a-z_]+\}", "1", path) for path in schema["paths"]]


def _rows() -> dict[str, int]:
    """How many rows each table holds (the API must change none)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_the_schema_is_generated_from_the_code_and_names_the_version(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get(SCHEMA).json()
    assert schema["info"]["version"] == "1" and schema["info"]["title"] == "山口市 補助金・交付金事務システム API"
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/decisions", "/api/v1/payments",
            "/api/v1/ledger", "/api/v1/programme-years"} <= set(schema["paths"])
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    index = client.get("/api/v1/").json()
    assert index["openapi"] == SCHEMA and index["docs"] == "/api/v1/docs"


def test_without_a_token_every_endpoint_but_the_public_ones_is_401(client, case) -> None:  # type: ignore[no-untyped-def]
    paths = _paths(client)
    assert len(paths) >= 6
    for path in paths:
        response = client.get(path)
        if path.startswith(PUBLIC):
            assert response.status_code in (200, 404), path
        else:
            assert response.status_code == 401, path
            assert JAPANESE.search(response.json()["detail"]), path


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "head", "options"])
def test_every_method_but_get_is_405_everywhere_and_writes_nothing(client, key_for, auditor, staff, case,
                                                                   method) -> None:  # type: ignore[no-untyped-def]
    key = key_for(staff)
    client.get("/api/v1/cases", headers={"Authorization": f"Bearer {key}"})  # the token's use, recorded once
    urls = [*_paths(client), SCHEMA, "/api/v1/docs", "/api/v1/", "/api/v1/nothing-here"]
    before = _rows()
    status = case.status
    for url in urls:
        for headers in ({}, {"Authorization": f"Bearer {key}"}):
            response = getattr(client, method)(url, {"status": "decided"} if method != "head" else None,
                                               content_type="application/json", headers=headers)
            if url.endswith("nothing-here"):
                assert response.status_code == 404, url
                continue
            assert response.status_code == 405, (method, url)
            assert response["Allow"] == "GET"
            if method != "head":
                assert response.json()["detail"].startswith("このAPIは読み取り専用です"), url
    assert _rows() == before
    assert GrantCase.objects.get(pk=case.pk).status == status
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_an_unknown_url_under_the_api_is_a_json_404(client, db) -> None:  # type: ignore[no-untyped-def]
    for url in ("/api/v1/nothing", "/api/v2/cases", "/api/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "見つかりません。URL を確かめてください。"}


def test_a_value_that_is_not_understood_is_a_japanese_422(call, key_for, staff) -> None:  # type: ignore[no-untyped-def]
    key = key_for(staff)
    for params in ({"limit": "0"}, {"limit": "101"}, {"offset": "-1"}, {"fiscal_year": "令和8"},
                   {"status": "<script>"}):
        response = call("/api/v1/cases", key, **params)
        assert response.status_code == 422, params
        body = response.json()
        assert body["detail"].startswith("入力が正しくありません") and body["fields"] == [next(iter(params))]
    assert call("/api/v1/cases/abc", key).status_code in (404, 422)


def test_an_error_in_a_view_is_a_json_500_without_its_trace(client, key_for, staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr("pages.api.cases.visible_cases", broken)
    response = Client(raise_request_exception=False).get("/api/v1/cases",
                                                         headers={"Authorization": f"Bearer {key_for(staff)}"})
    assert response.status_code == 500
    assert response.json() == {"detail": "サーバーでエラーが発生しました。時間をおいて、もう一度お試しください。"}
    assert b"secret internals" not in response.content and b"Traceback" not in response.content
