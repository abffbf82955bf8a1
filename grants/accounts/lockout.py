"""The lockout of repeated wrong passwords (django-axes, configured in config/settings.py): whose address a login
comes from, and the rows an administrator looks at and deletes to unlock."""
from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The address a login attempt comes from (``AXES_CLIENT_IP_CALLABLE``): ``REMOTE_ADDR``, or with
    ``BEHIND_TLS_PROXY`` the last address of ``X-Forwarded-For`` — the one the proxy appended for the machine that
    connected to it. Earlier entries were sent by the client and may be anything, so they are never used; a
    request without the header (not through the proxy) falls back to ``REMOTE_ADDR``."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR")
