"""The cast of the full-lifecycle tests (a council, its approved plan and the city's users around one 活動支援 programme-year), a case driven to any status through the services, and a refusal that changes nothing: shared by the workflow, separation-of-duties and money tests."""
import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases import lifecycle, services
from grants.cases.models import ChangeRequest, GrantCase, PerformanceReport, RefundOrder, Status
from grants.cases.workflows import SEPARATION, CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import LedgerEntry, PaymentOrder
from grants.notices.models import Notice
from grants.organizations.models import CommunityPlan, Organization
from grants.programmes.models import ExpenseCategory, ProgrammeYear
from tests.councils import builders
from tests.councils.helpers import line, pay_orders

SEPARATION_WORDS = SEPARATION


AMOUNT = 300_000  # the application's one expense line: 原材料費 300,000円 → applied = decided = 300,000円


CHANGED = 250_000  # the change request asks for 250,000円 (lines unchanged, so 300,000円 justify it)


REPORTED = 200_000  # actual eligible cost → confirmed = min(300,000, 200,000) = 200,000円


KEPT = 100_000  # what a 一部取消 leaves


@dataclasses.dataclass
class World:
    org: Organization
    secretary: User
    staff: User
    staff2: User
    approver: User
    finance: User
    finance2: User
    auditor: User
    py: ProgrammeYear
    plan: CommunityPlan
    cats: dict[str, ExpenseCategory]

    def deadline(self) -> dt.date:
        return dt.date(self.py.fiscal_year + 1, 3, 31)

    def user(self, role: str) -> User:
        return {Role.ASSOCIATION_HEAD: self.secretary, Role.STAFF: self.staff, Role.APPROVER: self.approver,
                Role.FINANCE: self.finance, Role.AUDITOR: self.auditor}[role]


def make_world(council, py, staff, staff2, approver, finance, finance2, auditor):  # type: ignore[no-untyped-def]
    """The cast of the council tests around ``py`` (活動支援 by default), with the council's approved plan."""
    org, secretary = council
    return World(org=org, secretary=secretary, staff=staff, staff2=staff2, approver=approver, finance=finance,
                 finance2=finance2, auditor=auditor, py=py, plan=builders.approved_plan(org, staff),
                 cats=builders.categories())


def _submit(w: World, case: GrantCase) -> None:
    lifecycle.submit(case_id=case.pk, actor=w.secretary)


def _verify(w: World, case: GrantCase) -> None:
    lifecycle.verify(case_id=case.pk, actor=w.staff, assessed_amount=AMOUNT, completion_deadline=w.deadline())


def _decide(w: World, case: GrantCase) -> None:
    lifecycle.decide(case_id=case.pk, actor=w.approver)


def _refuse(w: World, case: GrantCase) -> None:
    services.refuse_grant(case_id=case.pk, actor=w.approver, note="計画との関連が確認できないため")


def _start_change(w: World, case: GrantCase) -> None:
    lifecycle.start_change(case_id=case.pk, actor=w.secretary, reason="資材の単価が下がったため",
                           requested_amount=CHANGED)


def _request_change(w: World, case: GrantCase) -> None:
    _start_change(w, case)
    lifecycle.request_change(case_id=case.pk, actor=w.secretary)


def _check_change(w: World, case: GrantCase) -> None:
    lifecycle.check_change(case_id=case.pk, actor=w.staff, assessed_amount=CHANGED)


def _write_report(w: World, case: GrantCase) -> None:
    lifecycle.save_report(case_id=case.pk, actor=w.secretary, narrative="水路の補修を行いました。",
                          completed_on=timezone.localdate())
    line(case, w.secretary, where="report", category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"),
         amount=REPORTED, description="水路補修の原材料（実績）")


def _report(w: World, case: GrantCase) -> None:
    _write_report(w, case)
    lifecycle.submit_report(case_id=case.pk, actor=w.secretary)


def _verify_report(w: World, case: GrantCase) -> None:
    lifecycle.verify_report(case_id=case.pk, actor=w.staff)


def _confirm(w: World, case: GrantCase) -> None:
    lifecycle.confirm(case_id=case.pk, actor=w.approver)  # nothing was advanced: a 精算払 of 200,000円 is due


def _cancel(w: World, case: GrantCase) -> None:
    lifecycle.cancel(case_id=case.pk, actor=w.approver, note="交付の条件に違反したため", kept_amount=KEPT)


def _pay_settlement(w: World, case: GrantCase) -> None:
    pay_orders(case, w.staff, w.finance, w.finance2, kinds=("settlement",))


Step = Callable[[World, GrantCase], None]


_DECIDED: list[Step] = [_submit, _verify, _decide]


PATHS: dict[str, list[Step]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [_submit],
    Status.VERIFIED: [_submit, _verify],
    Status.NOT_GRANTED: [_submit, _verify, _refuse],
    Status.DECIDED: _DECIDED,
    Status.CHANGE_REQUESTED: [*_DECIDED, _request_change],
    Status.CHANGE_CHECKED: [*_DECIDED, _request_change, _check_change],
    Status.REPORTED: [*_DECIDED, _report],
    Status.REPORT_VERIFIED: [*_DECIDED, _report, _verify_report],
    Status.CONFIRMED: [*_DECIDED, _report, _verify_report, _confirm],
    Status.CANCELLED: [*_DECIDED, _cancel],
    Status.CLOSED: [*_DECIDED, _report, _verify_report, _confirm, _pay_settlement],
}


def new_case(w: World, amount: int = AMOUNT) -> GrantCase:
    """A draft 活動支援 case with one eligible expense line (300,000円 by default) linked to the plan's 取組
    1-1-2."""
    case = builders.draft_case(w.py, w.org)
    line(case, w.secretary, category=w.cats["genzairyo"], plan_item=builders.item(w.plan, "1-1-2"), amount=amount,
         description="水路補修の原材料")
    return case


def drive(w: World, status: str) -> GrantCase:
    """A new case brought to ``status`` through the services (each step by the role the flow names)."""
    case = new_case(w)
    for step in PATHS[status]:
        step(w, case)
    case.refresh_from_db()
    assert case.status == status
    return case


CALLS: dict[str, Callable[[World, GrantCase, User], object]] = {
    "submit": lambda w, c, u: lifecycle.submit(case_id=c.pk, actor=u),
    "return_to_applicant": lambda w, c, u: services.return_application(case_id=c.pk, actor=u, note="書類の不足"),
    "verify": lambda w, c, u: lifecycle.verify(case_id=c.pk, actor=u, assessed_amount=AMOUNT,
                                               completion_deadline=w.deadline()),
    "decide": lambda w, c, u: lifecycle.decide(case_id=c.pk, actor=u),
    "refuse": lambda w, c, u: services.refuse_grant(case_id=c.pk, actor=u, note="対象外の活動のため"),
    "request_change": lambda w, c, u: lifecycle.request_change(case_id=c.pk, actor=u),
    "check_change": lambda w, c, u: lifecycle.check_change(case_id=c.pk, actor=u, assessed_amount=CHANGED),
    "approve_change": lambda w, c, u: lifecycle.approve_change(case_id=c.pk, actor=u),
    "reject_change": lambda w, c, u: lifecycle.reject_change(case_id=c.pk, actor=u, note="変更の必要性が認められない"),
    "submit_report": lambda w, c, u: lifecycle.submit_report(case_id=c.pk, actor=u),
    "return_report": lambda w, c, u: lifecycle.return_report(case_id=c.pk, actor=u, note="領収書の写しが不足"),
    "verify_report": lambda w, c, u: lifecycle.verify_report(case_id=c.pk, actor=u),
    "confirm": lambda w, c, u: lifecycle.confirm(case_id=c.pk, actor=u),
    "cancel": lambda w, c, u: lifecycle.cancel(case_id=c.pk, actor=u, note="条件違反", kept_amount=KEPT),
    "close": lambda w, c, u: lifecycle.close(case_id=c.pk, actor=u),
}


def snapshot(case: GrantCase) -> dict[str, object]:
    """Everything a refused act must leave as it was."""
    row = GrantCase.objects.get(pk=case.pk)
    return {
        "case": {f.attname: getattr(row, f.attname) for f in GrantCase._meta.concrete_fields},
        "audit": AuditEvent.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "orders": list(PaymentOrder.objects.order_by("pk").values_list("pk", "status", "amount")),
        "notices": Notice.objects.count(),
        "changes": list(ChangeRequest.objects.order_by("pk").values_list("pk", "status", "assessed_amount")),
        "refunds": RefundOrder.objects.count(),
        "report": list(PerformanceReport.objects.values_list("pk", "submitted_at")),
    }


def _promote(user: User, role: str) -> None:
    """A staff member who becomes an approver (人事異動) keeps what they did as staff on the record."""
    user.role = role
    user.save(update_fields=["role"])


def _refused_to(case: GrantCase, call: Callable[[], object], message: str) -> None:
    before = snapshot(case)
    with pytest.raises(CaseActionError) as refused:
        call()
    assert str(refused.value) == message
    assert snapshot(case) == before
