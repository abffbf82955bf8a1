"""Who is calling the API: a token sent as ``Authorization: Bearer <token>`` (``grants.accounts.tokens``). A session
cookie alone reads nothing here: a browser logged in to the pages is anonymous to the API."""
from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer

from grants.accounts.models import ApiToken, User
from grants.accounts.tokens import token_for_key
from pages.api.throttles import FailedTokenRate

UNAUTHORIZED = ("APIトークンがないか、使えないトークンです（失効・期限切れ・利用者の停止を含みます）。"
                "Authorization: Bearer <トークン> を付けてください。")


class TokenAuth(HttpBearer):
    """The token of ``Authorization: Bearer <token>`` if it works now (not revoked, not expired, its user active),
    else 401 with a Japanese ``detail`` (``UNAUTHORIZED``), whichever the reason. Each failed call counts against
    its address (``FailedTokenRate``); an address past the rate is answered 429 without a lookup."""

    def __call__(self, request: HttpRequest) -> ApiToken | None:
        failures = FailedTokenRate()
        if failures.spent(request):
            raise Throttled(wait=failures.duration)
        token: ApiToken | None = super().__call__(request)
        if token is None:
            failures.allow_request(request)  # this failure counted
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_for_key(token.strip())


def token_user(request: HttpRequest) -> User:
    """The user the request's token acts as (behind ``TokenAuth``); 401 if there is none."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise AuthenticationError(401, UNAUTHORIZED)
    return token.user
