"""One-time keys of the page forms that create something: the same form sent twice creates one row.

A double click on 追加する, a reload that sends the POST again, or a browser retrying a slow request sends the
same form twice. Each form that creates a row carries a hidden key made when the page was drawn
(``new_key``, through the template tag ``{% once_field %}`` of ``grants_tags``); the page runs its act through
``submit_once``, which stores the key (``SubmittedForm``) in the same transaction as the creation. A second
sending of the key creates nothing and is answered as the first was (the same page, the same message): not an
error, since the user's wish was done. Two sendings at once are settled by the key's unique column (the second
insert waits for the first transaction and then fails), never by a read before the write.

A key is signed (``django.core.signing``) with the user it was drawn for and the time: a key drawn for another
user, altered, or older than ``KEY_LIFETIME`` is refused (``KeyRefused``, nothing done). A form sent without a
key (a client that is not one of our pages) is not guarded. When the act is refused (bad input, a rule) the key
is not kept: the same form corrected may be sent again.

A key is kept with the page it was sent to and a digest of what was sent (``sending_digest``): only the same
sending again (a double click, a reload) is answered as the first. The key sent to another page or with other
input (the browser's Back restores a page with its used key, and the user types a second entry) is refused
(``KeyReused``, nothing done) — never answered as the first, which would lose the new input under the first
one's success message.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.datastructures import MultiValueDict

from grants.core.models import SubmittedForm
from grants.core.workflow import ActionRefused

T = TypeVar("T")

#: The name of the hidden input that carries the key.
FIELD = "form_key"
#: How long after the page was drawn its key is accepted (and its record kept).
KEY_LIFETIME = dt.timedelta(days=2)
_SALT = "grants.core.once"
#: The field of Django's CSRF token in a form: not part of what the user sent.
_CSRF_FIELD = "csrfmiddlewaretoken"
_ANONYMOUS = "-"

EXPIRED = ("この画面を開いてから時間がたったため、送信を受け付けませんでした。"
           "画面を開き直して、もう一度入力してください。")
FOREIGN = "この画面の送信を受け付けませんでした。画面を開き直して、もう一度入力してください。"
REUSED = "この画面は一度送信済みです。画面を開き直してから、もう一度入力してください。"


class KeyRefused(ActionRefused):
    """A form's key that is not honoured: drawn for another user, altered, or expired. Nothing was done."""


class KeyReused(KeyRefused):
    """A key already used, sent again to another page or with other input than its first sending: the new
    sending is not done (it is not the first one repeated). Nothing was done."""


@dataclass(frozen=True)
class Earlier:
    """The answer of the first sending of a form: the page it went to (``url``, "" when it stayed) and its
    message (``label``)."""

    url: str
    label: str


def _owner(user: Any) -> str:
    return str(user.pk) if user is not None and getattr(user, "is_authenticated", False) else _ANONYMOUS


def new_key(user: Any) -> str:
    """A fresh key for a form drawn for ``user`` (a ``User``, ``AnonymousUser`` or None): at most 120
    characters, signed with the owner and the time."""
    return signing.TimestampSigner(salt=_SALT).sign(f"{_owner(user)}.{uuid.uuid4().hex}")


def check_key(key: str, user: Any) -> str:
    """``key`` as sent, when it was drawn for ``user`` less than ``KEY_LIFETIME`` ago; ``KeyRefused`` (with the
    message for the user) otherwise."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        value = signer.unsign(key, max_age=KEY_LIFETIME)
    except signing.SignatureExpired as exc:
        raise KeyRefused(EXPIRED) from exc
    except signing.BadSignature as exc:
        raise KeyRefused(FOREIGN) from exc
    if value.split(".", 1)[0] != _owner(user):
        raise KeyRefused(FOREIGN)
    return key


def _kept(name: str) -> bool:
    return name not in (FIELD, _CSRF_FIELD) and "password" not in name


def sending_digest(data: QueryDict, files: MultiValueDict[str, Any] | None = None) -> str:
    """The HMAC-SHA256 under the site's secret key (64 hex characters) of what a form sent: its fields (``data``)
    but the one-time key, the CSRF token and any password, sorted, and its files (``files``, uploaded files) each
    by name, size and the sha256 of its content. The same form sent twice gives the same digest; any other value
    or file, another. Keyed, and without the passwords, because the digest is stored: a plain hash of a chosen
    password (an invitation's, a group's registration) or of a name would be guessed from it offline."""
    fields = sorted((name, values) for name, values in data.lists() if _kept(name))
    uploads = []
    for name, sent in sorted((files or MultiValueDict()).lists()):
        for upload in sent:
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)  # the act reads the file after
            uploads.append([name, upload.name, upload.size, content.hexdigest()])
    text = json.dumps([fields, uploads], ensure_ascii=False, separators=(",", ":"))
    return salted_hmac(_SALT, text, algorithm="sha256").hexdigest()


def submit_once(*, key: str, user: Any, act: Callable[[], T], answer: Callable[[T], tuple[str, str]],
                path: str = "", digest: str = "") -> T | Earlier:
    """Run ``act()`` once for the form sent with ``key`` by ``user`` to ``path`` (the request's path) with
    ``digest`` (``sending_digest`` of what it sent), in one transaction with the record of the key:
    ``answer(result)`` gives the page the first sending went to and its message, kept for a second sending.

    Returns ``act``'s result, or ``Earlier`` when the key was already used by ``user`` for the same ``path`` and
    ``digest`` (nothing is done). Raises ``KeyReused`` (a ``KeyRefused``) when the key was used for another path
    or digest, ``KeyRefused`` for a key of another user, altered or expired — nothing is done; whatever ``act``
    raises (the key is then not kept)."""
    check_key(key, user)
    owner = user if _owner(user) != _ANONYMOUS else None
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the failed insert leaves the outer transaction usable
                record = SubmittedForm.objects.create(key=key, user=owner, path=path, digest=digest)
        except IntegrityError:
            first = SubmittedForm.objects.get(key=key)
            if first.user_id != (owner.pk if owner is not None else None):
                raise KeyRefused(FOREIGN) from None
            if (first.path, first.digest) != (path, digest):
                raise KeyReused(REUSED) from None
            return Earlier(url=first.result_url, label=first.result_label)
        result = act()
        record.result_url, record.result_label = answer(result)
        record.save(update_fields=["result_url", "result_label"])
    return result


def forget_expired(now: dt.datetime | None = None) -> int:
    """Delete the records of keys older than ``KEY_LIFETIME`` (those keys are refused anyway); their number."""
    limit = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = SubmittedForm.objects.filter(created_at__lt=limit).delete()
    return deleted
