"""Authorization of every act of every machine, generated from the machines themselves (``workflow.MACHINES``):
for each edge, each role the edge does not name is refused — with the role's refusal, or "not found" when the
role may not see the object at all — and the refusal writes nothing (no row of any table changes); each role
the edge names passes the role check. A machine added later is covered as soon as it is registered, provided
this file knows how to build its objects (``BUILD``; a test below fails for a machine it cannot build)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from grants.accounts.models import Role, User
from grants.cases.models import AnnualRun, ChangeRequest, GrantCase, RefundOrder
from grants.competitive.models import Call, GroupRegistration, Project, ProjectPlan, Selection, TaxCreditReport
from grants.core import workflow
from grants.core.workflow import ActionRefused, Machine
from grants.evaluation.models import Assignment
from grants.insurance import services as insurance
from grants.insurance.models import AccidentReport, Claim, InvolvedPerson
from grants.jobs.models import Job
from grants.ledger.models import BatchItem, OrderKind, PaymentBatch, PaymentOrder
from grants.notify.models import Notification
from grants.organizations.models import CommunityPlan, Invitation, OrganizationKind
from grants.programmes.models import Programme, ProgrammeYear
from tests import factories
from tests.competitive import builders as competitive
from tests.factories import CURRENT_FY

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


@dataclass
class World:
    users: dict[str, User]
    formula: ProgrammeYear
    full: ProgrammeYear
    association: Any
    council: Any
    group: Any
    call: Call


def _world(policy: Any) -> World:
    head = factories.UserFactory(username="m-head", role=Role.ASSOCIATION_HEAD)
    users = {Role.ASSOCIATION_HEAD: head, **{role: factories.UserFactory(username=f"m-{role}", role=role)
                                             for role in ROLES if role != Role.ASSOCIATION_HEAD}}
    association = factories.AssociationFactory()
    council = factories.AssociationFactory(kind=OrganizationKind.KYOGIKAI, name="大歳地域づくり協議会")
    group = factories.AssociationFactory(kind=OrganizationKind.SHIMIN_DANTAI, name="市民活動団体")
    for org in (association, council, group):  # the head represents each: the role, not the visibility, is at stake
        factories.RepresentativeFactory(organization=org, user=head)
        factories.BankAccountFactory(organization=org)
    full = Programme.objects.create(code="m-full", name="協議会の交付金", recipient_kind=OrganizationKind.KYOGIKAI,
                                    workflow="full")
    formula_py = factories.programme_year_with_budget(budget=5_000_000)
    full_py = ProgrammeYear.objects.create(programme=full, fiscal_year=CURRENT_FY, base_date=formula_py.base_date,
                                           application_opens=formula_py.application_opens,
                                           application_closes=formula_py.application_closes)
    call = competitive.call(competitive.programme_year(), users[Role.STAFF], publish=False)
    GroupRegistration.objects.create(organization=group, representative_name="代表", phone="0", email="g@example.jp",
                                     address="山口市", based_in_city=True, members=10, purpose="目的",
                                     submitted_by=head)
    assert policy is not None
    return World(users, formula_py, full_py, association, council, group, call)


def _competitive_case(w: World, state: str = "draft") -> GrantCase:
    case = GrantCase.objects.create(programme_year=w.call.programme_year, organization=w.group, status=state,
                                    decided_amount=100_000, computed_amount=100_000, decided_on=timezone.localdate())
    ProjectPlan.objects.create(case=case, call=w.call, organization=w.group,
                               project=Project.objects.create(organization=w.group, title="事業"))
    return case


def _case(w: World, workflow_code: str, state: str = "draft") -> GrantCase:
    py, org = (w.formula, w.association) if workflow_code == "formula" else (w.full, w.council)
    return GrantCase.objects.create(programme_year=py, organization=org, status=state, decided_amount=100_000,
                                    computed_amount=100_000, decided_on=timezone.localdate())


def _order(w: World, state: str) -> PaymentOrder:
    return PaymentOrder.objects.create(case=_case(w, "full", "decided"), kind=OrderKind.ADVANCE, number=1,
                                       label="概算払 第1回", amount=50_000, pay_on=timezone.localdate(), status=state)


def _batch(w: World, state: str) -> PaymentBatch:
    return PaymentBatch.objects.create(transfer_date=timezone.localdate(), prepared_by=w.users[Role.FINANCE],
                                       status=state)


def _item(w: World, state: str) -> BatchItem:
    order = _order(w, "approved")
    return BatchItem.objects.create(batch=_batch(w, "approved"), case=order.case, payment_order=order,
                                    amount=order.amount, bank_code="0170", branch_code="001", account_type="1",
                                    account_number="1234567", holder_kana="ｵｵﾄｼ", result=state)


def _report(w: World, state: str = "draft") -> AccidentReport:
    head = w.users[Role.ASSOCIATION_HEAD]
    report = insurance.create_report(actor=head, organization=w.association, data={
        "activity_name": "河川清掃", "plan_entry": "年間事業計画 5月", "activity_description": "草刈り",
        "reward": "none", "participants_count": 10, "accident_date": timezone.localdate() - dt.timedelta(days=3),
        "place": "河川敷", "who": "会員が", "how": "転倒し", "outcome": "骨折しました。", "kind_injury": True})
    AccidentReport.objects.filter(pk=report.pk).update(status=state)
    return report


def _claim(w: World, state: str) -> Claim:
    report = _report(w, "covered")
    person = InvolvedPerson.objects.create(report=report, role="participant", harm="injury", name="山田 太郎")
    return Claim.objects.create(report=report, serial=1, person=person, kind="injury", status=state,
                                forms_sent_on=timezone.localdate(), forms_sent_by=w.users[Role.INSURANCE])


BUILD: dict[str, Callable[[World, str], models.Model]] = {
    "case.formula": lambda w, state: _case(w, "formula", state),
    "case.full": lambda w, state: _case(w, "full", state),
    "change_request": lambda w, state: ChangeRequest.objects.create(
        case=_case(w, "full", "decided"), reason="変更", requested_amount=90_000, status=state,
        requested_by=w.users[Role.ASSOCIATION_HEAD]),
    "refund_order": lambda w, state: RefundOrder.objects.create(
        case=_case(w, "full", "confirmed"), principal=10_000, ordered_on=timezone.localdate(),
        due_on=timezone.localdate(), surcharge_rate=Decimal("0"), late_rate=Decimal("10.95"),
        ordered_by=w.users[Role.APPROVER], status=state),
    "annual_run": lambda w, state: AnnualRun.objects.create(
        programme_year=w.formula, started_by=w.users[Role.STAFF], counts_source="登録済み", status=state),
    "payment_order": _order,
    "payment_batch": _batch,
    "batch_item": _item,
    "community_plan": lambda w, state: CommunityPlan.objects.create(
        organization=w.council, version=1, term_label="第1期", title="地域づくり計画", first_fiscal_year=CURRENT_FY,
        last_fiscal_year=CURRENT_FY + 4, created_by=w.users[Role.STAFF], status=state),
    "invitation": lambda w, state: Invitation.objects.create(
        organization=w.association, role="clerk", name="担当", email="t@example.jp", token_hash=f"hash-{state}",
        expires_at=timezone.now() + dt.timedelta(days=7), invited_by=w.users[Role.STAFF], status=state),
    "accident_report": _report,
    "claim": _claim,
    "case.competitive": _competitive_case,
    "call": lambda w, state: Call.objects.filter(pk=w.call.pk).update(status=state) and Call.objects.get(pk=w.call.pk),
    "group_registration": lambda w, state: GroupRegistration.objects.filter(organization=w.group).update(
        status=state) and GroupRegistration.objects.get(organization=w.group),
    "selection": lambda w, state: Selection.objects.create(call=w.call, status=state),
    "tax_credit_report": lambda w, state: TaxCreditReport.objects.create(
        case=_competitive_case(w, "closed"), due_on=timezone.localdate(), status=state),
    "job": lambda w, state: Job.objects.create(kind="ledger_csv", title="台帳", requested_by=w.users[Role.AUDITOR],
                                               status=state),
    "evaluation_assignment": lambda w, state: Assignment.objects.create(
        case=_case(w, "full", "closed"), evaluator=w.users[Role.EVALUATOR], kind="third_party",
        assigned_by=w.users[Role.STAFF], conflict_declared=False, status=state),
    "notification": lambda w, state: Notification.objects.create(
        recipient=w.users[Role.ASSOCIATION_HEAD], address="m-head@example.jp", event="decision", subject="交付決定",
        body="本文", official=True, status=state),
}

EDGES = [(machine.name, edge.name) for machine in workflow.MACHINES.values() for edge in machine.edges]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project's apps: what a refusal must leave as it was."""
    return {model._meta.label: list(model._default_manager.order_by("pk").values_list())
            for model in apps.get_models() if model._meta.app_label in PROJECT_APPS}


PROJECT_APPS = {"core", "accounts", "jobs", "organizations", "programmes", "ledger", "cases", "insurance",
                "competitive", "notices", "notify", "evaluation"}


def test_every_registered_machine_can_be_built_here() -> None:
    assert set(BUILD) == set(workflow.MACHINES), "add a builder for the new machine to BUILD"


@pytest.mark.parametrize(("machine_name", "edge_name"), EDGES, ids=[f"{m}-{e}" for m, e in EDGES])
def test_every_role_an_edge_does_not_name_is_refused_and_nothing_is_written(policy, machine_name, edge_name):  # type: ignore[no-untyped-def]
    machine: Machine[Any] = workflow.MACHINES[machine_name]
    edge = machine.edge(edge_name)
    world = _world(policy)
    obj = BUILD[machine_name](world, sorted(edge.sources)[0])
    for role in ROLES:
        user = world.users[role]
        if role in edge.roles:
            assert workflow.refusal(machine, edge, obj, user) != (edge.role_refusal or machine.role_refusal), role
            continue
        before = snapshot()
        with pytest.raises((ActionRefused, machine.model_class().DoesNotExist)) as refused:
            with transaction.atomic():
                workflow.perform(machine, obj.pk, edge.name, actor=user, note="理由", params={
                    "assessed_amount": 1, "kept_amount": 0, "completion_deadline": timezone.localdate(),
                    "paid_on": timezone.localdate(), "size": 1})
        if isinstance(refused.value, ActionRefused):
            assert str(refused.value) == (edge.role_refusal or machine.role_refusal), role
            assert isinstance(refused.value, machine.error)
        assert snapshot() == before, role
