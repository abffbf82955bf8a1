"""Serve the public catalogue's pages before the session, the user and the CSRF token are looked at.

A catalogue page (``views.sessionless``) is the same for every visitor: answered from here, a GET reads no session
row and no user (a logged-in visitor gets the very same page), sets no cookie and does not vary on Cookie, so that
any cache may keep it. Sits after the middleware that set the security headers and whitenoise, and before
``SessionMiddleware`` (settings.MIDDLEWARE). Other paths, and methods but GET and HEAD, go on through the chain.
"""
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

PREFIX = "/programmes/"


class SessionlessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not getattr(match.func, "catalogue_sessionless", False):
            return self.get_response(request)
        request.user = AnonymousUser()
        response = match.func(request, *match.args, **match.kwargs)
        # What XFrameOptionsMiddleware, later in the chain, gives every other response.
        response.headers.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        return response
