"""What waits for a city user besides cases in a waiting status: plans to approve, overrides to approve,
payment orders to draft or approve, refunds to collect (ホーム「その他の処理待ち」). A fixed number of queries."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import EligibilityOverride, RefundOrder, RefundStatus
from grants.cases.orders import orders_of_their_own, payable_now
from grants.ledger.models import OrderStatus
from grants.organizations.models import CommunityPlan, PlanStatus


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str


def other_work(user: User) -> list[WorkItem]:
    """Counts of the council work waiting for ``user``'s role (only non-zero ones)."""
    items: list[WorkItem] = []
    cases_url = reverse("case_list")
    if user.role == Role.STAFF:
        plans = CommunityPlan.objects.filter(status=PlanStatus.SUBMITTED).exclude(submitted_by=user).count()
        items.append(WorkItem("承認を待っている地域づくり計画", plans,
                              reverse("plan_list") + f"?status={PlanStatus.SUBMITTED}"))
    if user.role in (Role.STAFF, Role.APPROVER):
        pending = (EligibilityOverride.objects.filter(approved_by__isnull=True).exclude(actor=user)
                   .values("case").distinct().count())
        items.append(WorkItem("承認を待っている特例判断（案件数）", pending, cases_url))
    if user.role in (Role.STAFF, Role.FINANCE):
        due = orders_of_their_own().filter(payable_now(), status=OrderStatus.SCHEDULED,
                                           pay_on__lte=timezone.localdate())
        items.append(WorkItem("支払予定日を迎えた概算払・精算払（起票待ち）", due.count(), cases_url))
    if user.role == Role.FINANCE:
        prepared = orders_of_their_own().filter(status=OrderStatus.PREPARED).exclude(prepared_by=user).count()
        items.append(WorkItem("承認を待っている支出命令（概算払・精算払）", prepared, cases_url))
        refunds = RefundOrder.objects.filter(status=RefundStatus.ORDERED).count()
        items.append(WorkItem("納付を待っている返還命令", refunds, cases_url))
        overdue = RefundOrder.objects.filter(status=RefundStatus.ORDERED, due_on__lt=timezone.localdate())
        items.append(WorkItem("うち納期限を過ぎたもの", overdue.count(), cases_url))
    return [item for item in items if item.count]
