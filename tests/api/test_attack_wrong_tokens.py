"""Calls with a wrong token are never counted: ninja runs the authentication before the throttles, so a 401 is
answered before TokenRate (or any rate by address) sees the call. A client may try keys, or load the token table
with a SHA-256 and a query per call, at any speed; the module docstring promises every caller is rate-limited."""
import pytest

pytestmark = pytest.mark.django_db


def test_attack_wrong_tokens_are_never_rate_limited(call, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_ANON_RATE = "3/min"
    settings.API_TOKEN_RATE = "3/min"
    codes = [call("/api/v1/cases", f"yg_{'x' * 40}{n:03d}").status_code for n in range(20)]
    assert 429 in codes, f"20 calls with wrong keys from one address: {set(codes)}"


def test_attack_calls_without_any_token_to_token_endpoints_are_never_rate_limited(call, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_ANON_RATE = "3/min"
    codes = [call("/api/v1/cases").status_code for _ in range(20)]
    assert 429 in codes, f"20 calls without a token from one address: {set(codes)}"
