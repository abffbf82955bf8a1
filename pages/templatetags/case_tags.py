"""Labels for the audit trail of a case, in Japanese (``grants.cases.labels``)."""
from django import template

from grants.cases import labels

register = template.Library()


@register.filter
def action_label(action: str, workflow: str = "") -> str:
    return labels.action_label(action, workflow)


@register.filter
def status_label(status: str, machine: str = "") -> str:
    """The state in the words of the machine that reached it (``AuditEvent.machine``)."""
    return labels.state_label(status, machine)
