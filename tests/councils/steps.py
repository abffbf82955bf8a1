"""Shared steps of the fourth adversarial round (no tests here): a council's 活動支援 case at each stage of
the full lifecycle, reached through the real services (tests/councils/builders.py and helpers.py)."""
import datetime as dt

from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle, orders
from grants.cases.models import GrantCase
from grants.ledger.models import OrderStatus
from tests.cases.steps import messages_of
from tests.councils import builders
from tests.councils.helpers import decide, line, pay_orders


def login(client, user):  # type: ignore[no-untyped-def]
    client.logout()
    client.force_login(user)
    return client


def post(client, url: str, data: dict | None = None, **extra) -> list[str]:  # type: ignore[no-untyped-def]
    """POST, follow the redirect and return the messages shown; the page must answer 200."""
    response = client.post(url, data or {}, follow=True, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return messages_of(response)


def today() -> dt.date:
    return timezone.localdate()


def draft(katsudo, council, staff, amounts=(600_000, 400_000)):  # type: ignore[no-untyped-def]
    """A draft 活動支援 case of ``council`` with eligible lines of ``amounts`` yen; returns (case, plan, cats)."""
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    codes = ("1-1-2", "1-1-1")
    for i, amount in enumerate(amounts):
        line(case, secretary, category=cats["genzairyo" if i % 2 == 0 else "hoshohi"],
             plan_item=builders.item(plan, codes[i % 2]), amount=amount, description=f"明細{i + 1}")
    return case, plan, cats


def decided(katsudo, council, staff, approver, shares=((1, 2), (1, 4)), amount=None):  # type: ignore[no-untyped-def]
    """A decided case (¥1,000,000 unless ``amount``) with advances of ``shares`` scheduled today."""
    if shares:
        builders.instalments(katsudo, list(shares))
    case, plan, cats = draft(katsudo, council, staff)
    case = decide(case, council[1], staff, approver, amount=amount, note="査定" if amount else "")
    return case, plan, cats


def paid(katsudo, council, staff, approver, finance, finance2, shares=((1, 2), (1, 4))):  # type: ignore[no-untyped-def]
    """A decided case whose scheduled advances were paid and confirmed by the bank."""
    case, plan, cats = decided(katsudo, council, staff, approver, shares)
    pay_orders(case, staff, finance, finance2, kinds=("advance",))
    case.refresh_from_db()
    return case, plan, cats


def reported(case, plan, cats, secretary, staff, amounts=(500_000, 200_000)):  # type: ignore[no-untyped-def]
    """Write and submit the 実績報告 with report lines of ``amounts`` yen, and verify it (by ``staff``)."""
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="実施した。", completed_on=today())
    codes = ("1-1-2", "1-1-1")
    for i, amount in enumerate(amounts):
        line(case, secretary, where="report", category=cats["genzairyo" if i % 2 == 0 else "hoshohi"],
             plan_item=builders.item(plan, codes[i % 2]), amount=amount, description=f"実績{i + 1}")
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    return lifecycle.verify_report(case_id=case.pk, actor=staff)


def prepare_and_approve(order, staff, finance):  # type: ignore[no-untyped-def]
    orders.prepare_order(order_id=order.pk, actor=staff)
    return orders.approve_order(order_id=order.pk, actor=finance)


def scheduled(case, kind="advance"):  # type: ignore[no-untyped-def]
    return list(case.payment_orders.filter(status=OrderStatus.SCHEDULED, kind=kind).order_by("number"))


def fresh(case) -> GrantCase:  # type: ignore[no-untyped-def]
    return GrantCase.objects.get(pk=case.pk)


def case_url(name: str, case, *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, args=[case.pk, *args])
