"""When a case's money is settled (精算・返還の完了), and its closing (完了) as part of the act that settled it:
the last payment's bank result, the last refund, or the 額の確定 or 取消 itself when nothing is owed."""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from grants.accounts.models import User
from grants.core import workflow
from grants.core.workflow import Act
from grants.ledger.models import BatchItem, ItemResult, OrderStatus

from .models import GrantCase, RefundOrder, RefundReason, RefundStatus
from .orders import IN_FLIGHT
from .workflows import workflow_of


def settled(case: GrantCase) -> str | None:
    """Why the case cannot be closed yet (Japanese), or None when everything is settled."""
    if case.confirmed_amount is None:
        return "額が確定していません。"
    if case.payment_orders.filter(status__in=[OrderStatus.SCHEDULED, *IN_FLIGHT]).exists():
        return "支払の済んでいない支出命令があります。"
    if BatchItem.objects.filter(case=case, result=ItemResult.SENT).exists():
        # A transfer the bank may still return: a closed case could not take the return back.
        return "銀行の振込結果がまだ記録されていない支払があります。"
    orders = list(RefundOrder.objects.filter(case=case))
    if any(order.status != RefundStatus.SETTLED for order in orders):
        return "返還金の納付が済んでいません。"
    # The 消費税仕入控除税額 returned is part of the grant given back, below the 確定額.
    tax_credit = sum(order.principal for order in orders if order.reason == RefundReason.TAX_CREDIT)
    if case.paid_amount - case.refunded_amount + tax_credit != case.confirmed_amount:
        return "支払額（返還分を除く）が確定額と一致しません。"
    return None


@workflow.guard("settled")
def _settled(case: GrantCase, user: Any) -> str | None:
    why = settled(case)
    return f"まだ完了にできません：{why}" if why else None


@workflow.effect("stamp_closed_on")
def _stamp_closed(act: Act[GrantCase]) -> None:
    act.obj.closed_on = timezone.localdate()


def close_if_settled(*, case: GrantCase, actor: User, part_of: Act[Any] | None = None) -> None:
    """Close a confirmed or cancelled case whose money is settled, as part of the act that settled it (the last
    payment's bank result, the last refund, or the 額の確定 or 取消 itself when nothing is owed either way). The
    closing is recorded under that act's actor: within another act it does not need the role of ``close``."""
    case.refresh_from_db()
    flow = workflow_of(case)
    edge = next((e for e in flow.machine.edges if e.name == "close"), None)
    if edge is None or case.status not in edge.sources or settled(case) is not None:
        return
    workflow.perform(flow.machine, case.pk, "close", actor=actor, note="精算・返還の完了により完了", part_of=part_of)
    case.refresh_from_db()
