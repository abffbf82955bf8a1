"""The API's errors: JSON ``{"detail": "<日本語>"}`` with the HTTP status, never a stack trace or an HTML page."""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import HttpError, ValidationError

logger = logging.getLogger(__name__)

NOT_FOUND = "見つかりません。URL を確かめてください。"
READ_ONLY = "このAPIは読み取り専用です。GET で呼び出してください（登録・変更・削除はできません）。"
THROTTLED = "リクエストが多すぎます。Retry-After の秒数だけ待ってから、もう一度お試しください。"
INVALID = "入力が正しくありません"
SERVER_ERROR = "サーバーでエラーが発生しました。時間をおいて、もう一度お試しください。"
ALLOWED = ("GET",)


def detail(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


def invalid_input(field: str, message: str) -> ValidationError:
    """A 422 naming the query parameter ``field`` whose value was not understood, saying ``message`` (Japanese),
    answered as ninja's own validation errors are (``pages.api.v1.invalid``)."""
    return ValidationError([{"loc": ("query", field), "msg": message, "ja": message}])


def forbidden(message: str) -> HttpError:
    return HttpError(403, message)


def read_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``view`` answering 405 in JSON to any method but GET, before it runs, so that nothing is written through
    the API whatever the view; ninja's own 405 (plain text) is given the same JSON body."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ALLOWED:
            return _not_allowed()
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return _not_allowed()
        return response

    return wrapped


def _not_allowed() -> HttpResponse:
    response = detail(READ_ONLY, 405)
    response["Allow"] = "GET"
    return response


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any URL under /api/ that is no endpoint: a JSON 404 (any method)."""
    return detail(NOT_FOUND, 404)
