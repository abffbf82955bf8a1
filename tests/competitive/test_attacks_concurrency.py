"""Races on the competitive programme on PostgreSQL (SQLite has no row locks), each named for what it attacks: staff
preparing while the approver decides, a 受付 racing the proposal, two clicks on start, on 受付 and on the tax
report's confirmation landing at the same moment. Whatever the order, one act lands and the other is refused
with its reason; nothing is written twice."""
import pytest
from django.db import connection

from grants.cases.models import GrantCase, RefundOrder
from grants.cases.workflows import CaseActionError
from grants.competitive import applications, selection, tax
from grants.competitive.models import ProjectPlan, Selection, SelectionLine, TaxCreditReport
from grants.competitive.workflows import COMPETITIVE
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.notices.models import Notice
from tests.competitive import steps
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

CASE = COMPETITIVE.machine


def refusals_only(outcomes, *kinds) -> None:  # type: ignore[no-untyped-def]
    bad = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, kinds)]
    assert not bad, outcomes


def lines_for(call, chosen):  # type: ignore[no-untyped-def]
    return [{"case_id": p.case_id, "selected": p.case_id in chosen, "amount": chosen.get(p.case_id, 0),
             "reason": "" if p.case_id in chosen else "評価が及びませんでした。"}
            for p in ProjectPlan.objects.filter(call=call, case__status="screening")]


def test_staff_preparing_while_the_approver_decides_leaves_what_was_decided(open_call, npo, npo_b, staff,
                                                                           approver) -> None:  # type: ignore[no-untyped-def]
    good = steps.screening(open_call, *npo, staff)
    weak = steps.screening(open_call, *npo_b, staff, title="まちなかコンサート")
    sel = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines_for(open_call, {good.pk: 150_000}))
    workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff)
    outcomes = run_together(
        lambda: workflow.perform(selection.SELECTION, sel.pk, "decide_selection", actor=approver),
        lambda: selection.prepare(call_id=open_call.pk, actor=staff, lines=lines_for(open_call, {weak.pk: 150_000})))
    assert isinstance(outcomes[0], Selection), outcomes
    assert isinstance(outcomes[1], selection.SelectionError), outcomes
    assert list(SelectionLine.objects.filter(selected=True).values_list("case_id", flat=True)) == [good.pk]
    assert dict(GrantCase.objects.values_list("pk", "status")) == {good.pk: "selected", weak.pk: "not_selected"}
    assert Notice.objects.count() == 2


def test_a_proposal_and_a_late_acceptance_at_once_never_leave_an_application_out_of_the_proposal(
        open_call, npo, npo_b, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    good = steps.screening(open_call, *npo, staff)
    late = steps.submitted(open_call, *npo_b, title="まちなかコンサート")
    sel = selection.prepare(call_id=open_call.pk, actor=staff, lines=lines_for(open_call, {good.pk: 150_000}))
    outcomes = run_together(
        lambda: workflow.perform(selection.SELECTION, sel.pk, "propose_selection", actor=staff),
        lambda: workflow.perform(CASE, late.pk, "accept_for_screening", actor=staff2))
    refusals_only(outcomes, selection.SelectionError, CaseActionError)
    assert sum(isinstance(o, Exception) for o in outcomes) == 1, outcomes
    sel.refresh_from_db()
    in_screening = set(ProjectPlan.objects.filter(call=open_call, case__status="screening")
                       .values_list("case_id", flat=True))
    if sel.status == "proposed":
        assert in_screening == set(sel.lines.values_list("case_id", flat=True)) == {good.pk}
    else:
        assert in_screening == {good.pk, late.pk}


def test_two_clicks_on_start_at_once_make_one_application(open_call, npo) -> None:  # type: ignore[no-untyped-def]
    org, head = npo

    def start() -> GrantCase:
        return applications.start_application(call_id=open_call.pk, actor=head, organization_id=org.pk,
                                              project_title="子ども食堂の交流会")

    outcomes = run_together(start, start)
    assert all(isinstance(o, GrantCase) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk
    assert (GrantCase.objects.count(), ProjectPlan.objects.count()) == (1, 1)


def test_two_staff_accepting_one_application_at_once_accept_it_once(open_call, npo, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    case = steps.submitted(open_call, *npo)
    outcomes = run_together(lambda: workflow.perform(CASE, case.pk, "accept_for_screening", actor=staff),
                            lambda: workflow.perform(CASE, case.pk, "accept_for_screening", actor=staff2))
    refusals_only(outcomes, CaseActionError)
    assert sum(isinstance(o, GrantCase) for o in outcomes) == 1, outcomes
    assert AuditEvent.objects.filter(action="accept_for_screening").count() == 1


def test_two_staff_confirming_one_tax_report_at_once_order_one_refund(open_call, npo, staff, staff2, approver,
                                                                     finance, finance2) -> None:  # type: ignore[no-untyped-def]
    org, head = npo
    case = steps.paid_and_confirmed(open_call, org, head, staff, approver, finance, finance2)
    report = TaxCreditReport.objects.get(case=case)
    tax.submit_tax_report(report_id=report.pk, actor=head, amount=3_000)
    refunds_before = RefundOrder.objects.count()
    third = type(staff).objects.create(username="staff3", role=staff.role)
    outcomes = run_together(lambda: tax.confirm_tax_report(report_id=report.pk, actor=staff2),
                            lambda: tax.confirm_tax_report(report_id=report.pk, actor=third))
    refusals_only(outcomes, tax.TaxReportError)
    assert sum(isinstance(o, TaxCreditReport) for o in outcomes) == 1, outcomes
    assert RefundOrder.objects.count() == refunds_before + 1
    assert AuditEvent.objects.filter(action="confirm_tax_report").count() == 1
