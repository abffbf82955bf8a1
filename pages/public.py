"""Pages and files the same for every visitor (the catalogue, the open data): served before the session.

A view marked ``@sessionless`` under one of ``PREFIXES`` is answered by ``SessionlessMiddleware``, which sits after
the middleware that set the security headers and whitenoise and before ``SessionMiddleware`` (settings.MIDDLEWARE),
as whitenoise does for static files: a GET with a session cookie reads no session row and no user (a logged-in
visitor gets the very page an anonymous one does), the answer sets no cookie and does not vary on Cookie, so that
any cache may keep it. Other paths, and methods but GET and HEAD, go on through the rest of the chain.
``cacheable`` gives such an answer its ETag (of the bytes), Last-Modified (informative) and Cache-Control, and
answers 304 to an If-None-Match that names the ETag.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

#: The paths under which sessionless views live (resolving only these keeps every other request as it was).
PREFIXES = ("/programmes/", "/opendata/")
#: Seconds a browser or a shared cache may keep a public page or file before asking again (then a 304 if unchanged).
MAX_AGE = 300

View = Callable[..., HttpResponse]


def sessionless(view: View) -> View:
    """Mark ``view`` as one ``SessionlessMiddleware`` serves before the session and the user are read."""
    view.public_sessionless = True  # type: ignore[attr-defined]
    return view


def cacheable(request: HttpRequest, response: HttpResponse, *, last_modified: int | None = None,
              public: bool = True) -> HttpResponse:
    """``response`` with a strong ETag (the bytes' SHA-256), its Last-Modified (a POSIX time, when given) and
    Cache-Control (``public`` for ``MAX_AGE`` seconds, else private); a 304 without a body when the request's
    If-None-Match names the ETag (it keeps the headers of the response it stands for)."""
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    if public:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=0)
    # Only the ETag revalidates: the date of the data cannot see every change of a file (a row leaving it when its
    # organisation moves to an unpublished kind, a criterion renamed), so If-Modified-Since alone never gets a 304.
    return get_conditional_response(request, etag=etag, response=response) or response


class SessionlessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith(PREFIXES):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "public_sessionless", False):
            return self.get_response(request)
        request.user = AnonymousUser()
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        # What XFrameOptionsMiddleware, later in the chain, gives every other response.
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        return response
