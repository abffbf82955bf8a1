"""Rate limits of the API (django-ninja's throttling), each rate read from the settings at each request
(``API_ANON_RATE`` for calls without a token, by address; ``API_TOKEN_RATE`` per token), so that a changed setting
holds at once. The history of each caller is kept in Django's cache: with several workers that cache must be shared
(``CACHE_URL``, e.g. Redis or Memcached), or each worker counts alone."""
from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from grants.accounts.models import ApiToken


class _SettingRate:
    """A throttle whose rate is the setting ``setting`` (``"60/min"``: requests per s, min, h or day)."""

    setting = ""
    rate: str | None
    num_requests: int | None
    duration: int | None

    def __init__(self) -> None:
        super().__init__(getattr(settings, self.setting))  # type: ignore[call-arg]

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)  # type: ignore[attr-defined]
        return bool(super().allow_request(request))  # type: ignore[misc]


class AnonymousRate(_SettingRate, AnonRateThrottle):
    """Calls without a token (the public endpoints), counted per client address (``NINJA_NUM_PROXIES``: behind
    the TLS proxy, the last address of X-Forwarded-For)."""

    setting = "API_ANON_RATE"


class TokenRate(_SettingRate, AuthRateThrottle):
    """Calls with a token, counted per token (whichever address they come from)."""

    setting = "API_TOKEN_RATE"

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{token.pk}"}
        return super().get_cache_key(request)


class FailedTokenRate(AnonymousRate):
    """Calls to a token endpoint whose token is missing or does not work, counted per client address at
    ``API_ANON_RATE``: past it the address is answered 429 before any token is looked up (``pages.api.auth``), so
    that keys cannot be tried, nor the token table read, at any speed."""

    scope = "failed_token"

    def spent(self, request: HttpRequest) -> bool:
        """Whether the address has used up its failed calls for now (counts nothing itself)."""
        self.rate = getattr(settings, self.setting)
        count, seconds = self.parse_rate(self.rate)
        self.num_requests, self.duration = count, seconds
        since = time.time() - (seconds or 0)
        history: list[float] = self.cache.get(self.get_cache_key(request), [])
        return len([at for at in history if at > since]) >= (count or 0)
