"""API tokens (APIトークン): issuing, revoking and reading one back from the key a client sends.

A key is ``yg_`` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored, so a key lost from the
database is of no use; an administrator issues it, sees it once, and revokes it when it is no longer needed."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken, User

KEY_START = "yg_"
PREFIX_LENGTH = 10  # what the admin shows of a key (yg_ and 7 characters): enough to tell tokens apart
# last_used_at is written at most this often for one token: a client reading page after page writes once.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def key_hash(key: str) -> str:
    """The SHA-256 (64 hex digits) under which the key ``key`` is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_START + secrets.token_urlsafe(32)


def fill_new_key(token: ApiToken) -> str:
    """Give the unsaved ``token`` a new key (its hash and prefix) and return the key, to be shown once."""
    key = new_key()
    token.key_hash, token.prefix = key_hash(key), key[:PREFIX_LENGTH]
    return key


def issue_token(*, user: User, name: str, expires_on: dt.date | None = None) -> tuple[ApiToken, str]:
    """A new token of ``user`` for the use ``name`` and its key (shown once; only its hash is kept)."""
    token = ApiToken(user=user, name=name, expires_on=expires_on)
    key = fill_new_key(token)
    token.save()
    return token, key


def revoke_token(token: ApiToken) -> bool:
    """Revoke ``token`` from now on; False if it was already revoked (its first revocation stands)."""
    return bool(ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()))


def token_for_key(key: str, *, today: dt.date | None = None) -> ApiToken | None:
    """The token whose key is ``key``, with its user, if it works now: not revoked, not past ``expires_on``, its user
    active. None for any other key (unknown, revoked, expired, inactive user), so that a caller cannot tell which.
    Records the use (``last_used_at``, at most once a minute). One query, two when the use is recorded."""
    if not key.startswith(KEY_START) or len(key) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key), revoked_at__isnull=True).first()
    today = today or timezone.localdate()
    if token is None or not token.user.is_active or (token.expires_on is not None and token.expires_on < today):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
