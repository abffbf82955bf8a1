"""Rate limits: past API_TOKEN_RATE calls a token is answered 429 with a Japanese ``detail`` and Retry-After, and
another token is not; past API_ANON_RATE calls from one address, calls without a token are too."""
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory

from pages.api.errors import THROTTLED
from pages.api.throttles import AnonymousRate


def test_a_token_past_its_rate_gets_429_and_another_token_does_not(call, key_for, settings, staff,
                                                                   auditor) -> None:  # type: ignore[no-untyped-def]
    settings.API_TOKEN_RATE = "3/min"
    key = key_for(staff)
    assert [call("/api/v1/cases", key).status_code for _ in range(3)] == [200, 200, 200]
    refused = call("/api/v1/cases", key)
    assert refused.status_code == 429 and refused.json() == {"detail": THROTTLED}
    assert 0 < int(refused["Retry-After"]) <= 60
    assert call("/api/v1/cases", key_for(auditor)).status_code == 200


def test_calls_without_a_token_are_counted_per_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_ANON_RATE = "2/min"
    throttle, requests = AnonymousRate(), RequestFactory()
    here = [throttle.allow_request(requests.get("/api/v1/public/catalogue", REMOTE_ADDR="192.0.2.1"))
            for _ in range(3)]
    assert here == [True, True, False]
    assert throttle.allow_request(requests.get("/api/v1/public/catalogue", REMOTE_ADDR="192.0.2.2"))
    # A client cannot pass as another by writing X-Forwarded-For (no proxy: NINJA_NUM_PROXIES = 0).
    forged = requests.get("/api/v1/public/catalogue", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert not throttle.allow_request(forged)


SHARED_CACHE = "redis://127.0.0.1:6379/15"


def test_with_a_shared_cache_two_workers_count_calls_together(settings) -> None:  # type: ignore[no-untyped-def]
    """What the README asks of production (CACHE_URL=redis://…): each worker process has its own client of the
    cache, and one address's calls are counted across them, so that two workers do not each allow the full rate."""
    try:
        redis.Redis.from_url(SHARED_CACHE).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": SHARED_CACHE, "KEY_PREFIX": uuid.uuid4().hex}}
    settings.API_ANON_RATE = "2/min"
    worker_a, worker_b = AnonymousRate(), AnonymousRate()
    worker_a.cache, worker_b.cache = caches.create_connection("default"), caches.create_connection("default")
    assert worker_a.cache is not worker_b.cache
    call = RequestFactory().get("/api/v1/public/catalogue", REMOTE_ADDR="192.0.2.9")
    assert [worker_a.allow_request(call), worker_b.allow_request(call)] == [True, True]
    assert not worker_a.allow_request(call) and not worker_b.allow_request(call)
