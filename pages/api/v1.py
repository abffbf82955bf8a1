"""The read-only JSON API, version 1 (``/api/v1/``): django-ninja, its OpenAPI schema generated from the code
(``/api/v1/openapi.json``) and its documentation page (``/api/v1/docs``, ninja's bundled Swagger UI served from
this server, under the site's Content-Security-Policy).

Token endpoints (``TokenAuth``: ``Authorization: Bearer <token>``) answer as the token's user would see the pages,
through the same rules (``GrantCase.objects.visible_to``, ``User.sees_payments``, ``User.is_city_user``); the
public endpoints (``/public/…``) need no token and give only what the public pages publish. Every endpoint is GET;
any other method is 405 and writes nothing. Errors are JSON ``{"detail": "<日本語>"}``."""
from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from pages.api import cases, ledger, payments, public
from pages.api.auth import UNAUTHORIZED, TokenAuth
from pages.api.errors import INVALID, NOT_FOUND, SERVER_ERROR, THROTTLED, detail
from pages.api.throttles import TokenRate

logger = logging.getLogger(__name__)

DESCRIPTION = """山口市 補助金・交付金事務システムの読み取り専用 API です（第1版）。

- **トークンが必要なもの**（案件・交付決定・支払・台帳）：管理画面で管理者が発行する APIトークンを
  `Authorization: Bearer <トークン>` で送ります。トークンはその利用者として読みます。見える範囲は画面と同じです
  （団体の利用者は自分の団体の案件のみ、支払は会計課・監査委員事務局のみ、台帳は市の職員のみ）。
- **公開のもの**（`/public/…`）：トークンは不要です。公開している内容だけを返します。
- すべて GET です。登録・変更・削除はできません（405）。金額は円単位の整数、日付は `2026-04-01` の形です。
- エラーは `{"detail": "…"}`（日本語）で返します。呼び出しの回数には上限があり、超えると 429 です。"""


class JapaneseSwagger(Swagger):
    """ninja's Swagger UI from its bundled files, in a page that says it is Japanese (``lang="ja"``), its colours
    darkened to the AA contrast (``static/api/swagger-a11y.css``)."""

    template = "api/swagger.html"


api = NinjaAPI(
    title="山口市 補助金・交付金事務システム API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[TokenRate()],
    # No validator badge (an image from validator.swagger.io, outside the policy); no deep links (a link inside each
    # operation's button: axe nested-interactive).
    docs=JapaneseSwagger(settings={"validatorUrl": None, "deepLinking": False, "defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", cases.router)
api.add_router("", payments.router)
api.add_router("", ledger.router)
api.add_router("", public.router)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = detail(UNAUTHORIZED, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return detail(THROTTLED, 429)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return detail(str(exc), exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = sorted({str(error["loc"][-1]) for error in exc.errors if error.get("loc")})
    said = " ".join(str(error["ja"]) for error in exc.errors if error.get("ja"))
    return detail(f"{INVALID}（{'、'.join(fields)}）。{said or '値の形と範囲を確かめてください。'}", 422, fields=fields)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args and str(exc).endswith("。") else NOT_FOUND
    return detail(message, 404)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error at %s", request.path)
    return detail(SERVER_ERROR, 500)


def index(request: HttpRequest, **kwargs: object) -> HttpResponse:
    """``/api/v1/``: the API's name and version and where its schema and documentation page are."""
    return JsonResponse({"title": api.title, "version": api.version,
                         "openapi": reverse("api-v1:openapi-json"), "docs": reverse("api-v1:openapi-view")},
                        json_dumps_params={"ensure_ascii": False})
