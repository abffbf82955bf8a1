"""Shared steps of the case-page tests (no tests here): reading the case page, a council's 活動支援 case at a given
stage (decided, confirmed), and another council whose case the first council's secretary must not reach. Logging
in and posting are tests/cases/steps.py's and tests/councils/steps.py's."""
from django.urls import reverse
from django.utils import timezone

from grants.cases import lifecycle
from grants.cases.models import GrantCase
from grants.core.models import AuditEvent
from tests.councils import builders
from tests.councils.helpers import decide, line


def page(client, case) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def draft_with_lines(katsudo, council, staff):  # type: ignore[no-untyped-def]
    """A draft 活動支援 case of ``council`` with two eligible lines (¥600,000 and ¥400,000)."""
    org, secretary = council
    plan = builders.approved_plan(org, staff)
    cats = builders.categories()
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"), amount=600_000,
         description="水路補修の原材料")
    line(case, secretary, category=cats["hoshohi"], plan_item=builders.item(plan, "1-1-1"), amount=400_000,
         description="防災訓練の講師謝礼")
    return case, plan, cats


def decided(katsudo, council, staff, approver, shares=((1, 2), (1, 4))):  # type: ignore[no-untyped-def]
    """A decided 活動支援 case (¥1,000,000) with advances of the given shares scheduled today."""
    builders.instalments(katsudo, list(shares))
    case, plan, cats = draft_with_lines(katsudo, council, staff)
    case = decide(case, council[1], staff, approver, conditions="事業の内容を広報紙で周知すること")
    return case, plan, cats


def confirmed_at(case, plan, cats, secretary, staff, approver, amount: int):  # type: ignore[no-untyped-def]
    """The 実績報告 of one 原材料 line of ``amount`` yen written and submitted by ``secretary``, verified by
    ``staff``, and the amount confirmed (額の確定) by ``approver``."""
    lifecycle.save_report(case_id=case.pk, actor=secretary, narrative="実施した", completed_on=timezone.localdate())
    line(case, secretary, where="report", category=cats["genzairyo"], plan_item=builders.item(plan, "1-1-2"),
         amount=amount, description="水路補修の原材料")
    lifecycle.submit_report(case_id=case.pk, actor=secretary)
    lifecycle.verify_report(case_id=case.pk, actor=staff)
    return lifecycle.confirm(case_id=case.pk, actor=approver)


def other_council_case(katsudo, staff):  # type: ignore[no-untyped-def]
    """A draft case of another council (湯田), with one line."""
    org, secretary = builders.council(name="湯田地域づくり協議会", username="yuda-secretary")
    plan = builders.approved_plan(org, staff)
    case = builders.draft_case(katsudo, org)
    line(case, secretary, category=builders.categories()["genzairyo"], plan_item=builders.item(plan, "1-1-2"))
    return case


def unchanged(case: GrantCase, events_before: int) -> bool:
    """The case's status and audit trail are as they were."""
    fresh = GrantCase.objects.get(pk=case.pk)
    return fresh.status == case.status and AuditEvent.objects.for_object(case).count() == events_before
