"""Template filters: whole yen and 和暦."""
import datetime as dt

from django import template
from django.utils import timezone

from grants.core.fiscal import wareki as _wareki
from grants.core.money import yen as _yen

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
