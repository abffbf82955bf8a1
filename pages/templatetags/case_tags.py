"""Labels for the audit trail of a case, in Japanese (``grants.cases.labels``)."""
from django import template

from grants.cases import labels

register = template.Library()


@register.filter
def action_label(action: str, lifecycle: str = "") -> str:
    return labels.action_label(action, lifecycle)


@register.filter
def status_label(status: str) -> str:
    return labels.state_labels().get(status, status)
