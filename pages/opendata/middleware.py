"""Serve the open-data files before the session, the user and the CSRF token are looked at.

A file the same for everyone (``views.sessionless``) needs none of them: served from here, a request with a session
cookie reads no session row and no user, the response sets no cookie and does not vary on Cookie, so that any cache
may keep it. The middleware sits after the three that set the security headers and whitenoise, and before
``SessionMiddleware`` (settings.MIDDLEWARE), as whitenoise does for static files. Any other path, and any method but
GET and HEAD, goes on through the rest of the chain.
"""
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve


class OpenDataFilesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith("/opendata/"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "opendata_sessionless", False):
            return self.get_response(request)
        request.user = AnonymousUser()
        response = match.func(request, *match.args, **match.kwargs)
        # What XFrameOptionsMiddleware, later in the chain, gives every other response.
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        return response
