"""ホーム's box of the user's お知らせ (``{% notification_box user %}`` in cases/home.html): the latest messages,
unread first, each a link that opens its page and marks it read."""
from __future__ import annotations

from typing import Any

from django import template

from grants.accounts.models import User
from grants.notify.services import inbox, unread_count

register = template.Library()

SHOWN = 10


@register.inclusion_tag("notify/_home_box.html")
def notification_box(user: User) -> dict[str, Any]:
    """{notes: the latest SHOWN messages (unread first), unread: how many are unread, more: whether there are more}."""
    if not user.is_authenticated:
        return {"notes": [], "unread": 0, "more": False}
    notes = list(inbox(user)[:SHOWN + 1])
    return {"notes": notes[:SHOWN], "more": len(notes) > SHOWN, "unread": unread_count(user)}
