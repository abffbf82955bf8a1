"""Template filters: whole yen and 和暦; the one-time key of a form that creates something."""
import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from grants.core.fiscal import wareki as _wareki
from grants.core.money import yen as _yen
from grants.core.once import FIELD, new_key

register = template.Library()


@register.filter
def yen(amount: object) -> str:
    """Whole yen for display; anything that is not an amount (None, or a missing relation that the template
    engine turned into "") shows as 「—」 instead of breaking the page."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        return "—"
    return _yen(amount)


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return _wareki(value)


@register.simple_tag(takes_context=True)
def once_field(context: dict[str, Any]) -> SafeString:
    """The hidden one-time key (``grants.core.once``) of a form that creates something, drawn for the request's
    user: put it inside the ``<form>``, beside ``{% csrf_token %}``."""
    request = context.get("request")
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD,
                       new_key(getattr(request, "user", None)))
