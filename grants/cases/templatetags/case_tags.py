"""Labels for the audit trail of a case, in Japanese."""
from django import template

from grants.cases.flow import FLOW
from grants.cases.models import Status

register = template.Library()

OTHER_ACTIONS = {
    "create": "案件作成",
    "correct_household_count": "世帯数の訂正",
    "override_check": "要件の特例判断",
    "start_annual_run": "年次一括作成の開始",
    "change_head": "代表者の交代",
    "issue_notice": "通知書の発行",
    "record_transfer_result": "銀行の振込結果の記録",
}


@register.filter
def action_label(action: str) -> str:
    edge = FLOW.get(action)
    return edge.label if edge else OTHER_ACTIONS.get(action, action)


@register.filter
def status_label(status: str) -> str:
    try:
        return Status(status).label
    except ValueError:
        return status
