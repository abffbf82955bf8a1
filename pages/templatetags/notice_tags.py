"""Template helpers of the notice partials."""
from django import template

from grants.notices.models import NoticeKind

register = template.Library()


@register.simple_tag
def notice_kinds() -> list[tuple[str, str]]:
    """(value, label) of every kind of notice, for the batch-printing form."""
    return list(NoticeKind.choices)
