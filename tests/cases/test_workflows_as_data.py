"""A programme with a workflow of its own, declared entirely as data in this test (申請 → 審査 → 決定 → 完了): the
rail, the effects the built-in workflows name, the notices and the pages take a case through it with the same
permission, separation of duties, audit and ledger behaviour as theirs. Nothing outside this file knows it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from grants.accounts.models import Role, User
from grants.cases import services
from grants.cases.models import GrantCase, case_states
from grants.cases.workflows import (
    CASE_MACHINE,
    SEPARATION,
    CaseActionError,
    Workflow,
    register_workflow,
    unregister_workflow,
)
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.core.workflow import Activity, Edge, Machine
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import set_budget
from grants.notices.models import Notice
from grants.programmes.engine import compute, load_rule
from grants.programmes.models import ComponentKind, FormulaComponent, Programme, ProgrammeYear
from tests import factories

pytestmark = pytest.mark.django_db

HEAD, STAFF, APPROVER = Role.ASSOCIATION_HEAD, Role.STAFF, Role.APPROVER

# 申請 → 審査 → 決定 → 完了, with states of its own and the named effects of the built-in workflows.
SCREENING = Workflow(
    machine=Machine(
        name="case.screening", variant="screening", label="審査型（申請 → 審査 → 決定 → 完了）",
        states={"writing": "申請の作成中", "applied": "申請済（審査待ち）", "screened": "審査済（決定待ち）",
                "granted": "交付決定済（完了待ち）", "completed": "完了"},
        edges=(
            Edge("apply", "申請する", frozenset({"writing"}), "applied", frozenset({HEAD, STAFF}),
                 records="submitted_by", effects=("within_application_window", "stamp_submitted")),
            Edge("screen", "審査する", frozenset({"applied"}), "screened", frozenset({STAFF}), ("submitted_by",),
                 records="verified_by", effects=("require_checks",)),
            Edge("grant", "交付を決定する", frozenset({"screened"}), "granted", frozenset({APPROVER}), ("verified_by",),
                 records="decided_by", effects=("decide_at_computed", "commit_decision"), then=("notice:decision",)),
            Edge("complete", "完了にする", frozenset({"granted"}), "completed", frozenset({STAFF}),
                 effects=("stamp_closed_on",)),
        ),
        activities=(Activity("override", frozenset({"applied"}), frozenset({STAFF})),),
        **CASE_MACHINE,  # what every machine of cases shares: who sees a case, the refusals, the error
    ),
    decided=frozenset({"granted", "completed"}),
    check_stage={"writing": "application", "applied": "application"},
    sections=("computation", "checks"),
    queues={STAFF: ("applied",), APPROVER: ("screened",)},
    closed=frozenset({"completed"}),
)


@pytest.fixture
def screening() -> Iterator[Workflow]:
    register_workflow(SCREENING)
    yield SCREENING
    unregister_workflow("screening")


@pytest.fixture
def world(screening: Workflow, staff: User, staff2: User, approver: User) -> dict[str, object]:
    programme = Programme.objects.create(code="shinsa", name="審査型の補助金", recipient_kind="jichikai",
                                         workflow="screening", checks=["organization"])
    base = factories.programme_year_with_budget(budget=1_000_000)
    year = ProgrammeYear.objects.create(programme=programme, fiscal_year=base.fiscal_year, base_date=base.base_date,
                                        application_opens=base.application_opens,
                                        application_closes=base.application_closes, label="テスト")
    FormulaComponent.objects.create(programme_year=year, kind=ComponentKind.FLAT, label="定額", unit_amount=300_000)
    BudgetAccount.objects.create(programme_year=year)
    set_budget(programme_year=year, budget=500_000, actor=approver)
    org = factories.AssociationFactory()
    factories.BankAccountFactory(organization=org)
    head = factories.UserFactory(username="shinsa-head", role=HEAD)
    factories.RepresentativeFactory(organization=org, user=head)
    result = compute(load_rule(year.pk), {})
    case = GrantCase.objects.create(programme_year=year, organization=org, status="writing",
                                    computed_amount=result.amount, computation=result.as_json())
    return {"case": case, "head": head, "year": year}


def refused(case: GrantCase, edge: str, actor: User, message: str) -> None:
    before = (GrantCase.objects.get(pk=case.pk).status, AuditEvent.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(CaseActionError, match=f"^{message}$"):
        services.act(case_id=case.pk, edge=edge, actor=actor)
    assert (GrantCase.objects.get(pk=case.pk).status, AuditEvent.objects.count(),
            LedgerEntry.objects.count()) == before


def test_the_declared_workflow_is_a_workflow_like_the_others(screening: Workflow) -> None:
    assert workflow.check_machines() == []
    assert ("screening", "審査型（申請 → 審査 → 決定 → 完了）") in workflow.variant_choices("cases.GrantCase")
    assert ("screened", "審査済（決定待ち）") in case_states()


def test_a_case_goes_through_it_with_permissions_separation_audit_ledger_and_notice(
        world: dict[str, object], staff: User, staff2: User, approver: User) -> None:
    case, head = world["case"], world["head"]
    assert isinstance(case, GrantCase) and isinstance(head, User)

    refused(case, "screen", staff, "この案件は「申請の作成中」のため、この操作はできません。")
    services.act(case_id=case.pk, edge="apply", actor=staff)  # 代理で申請
    refused(case, "screen", head, "この操作を行う権限がありません。")
    refused(case, "screen", staff, SEPARATION["submitted_by"])  # who applied for the group does not screen
    refused(case, "submit", staff2, "この事業の案件には、この手続はありません。")  # the formula's edge is not here

    services.act(case_id=case.pk, edge="screen", actor=staff2)
    refused(case, "grant", staff, "この操作を行う権限がありません。")
    staff2.role = APPROVER
    staff2.save(update_fields=["role"])
    refused(case, "grant", staff2, SEPARATION["verified_by"])  # who screened does not decide

    granted = services.act(case_id=case.pk, edge="grant", actor=approver)
    assert (granted.status, granted.status_label, granted.decided_amount) == ("granted", "交付決定済（完了待ち）", 300_000)
    account = BudgetAccount.objects.get(programme_year=case.programme_year)
    assert (account.budget, account.committed) == (500_000, 300_000)
    assert LedgerEntry.objects.get(case=case, kind=EntryKind.COMMITMENT).amount == 300_000
    notice = Notice.objects.get(case=case)
    assert (notice.kind, notice.amount) == ("decision", 300_000)

    services.act(case_id=case.pk, edge="complete", actor=staff)
    trail = [(e.action, e.machine, e.from_state, e.to_state, e.actor) for e in AuditEvent.objects.for_object(case)
             if e.machine]
    assert trail == [("apply", "case.screening", "writing", "applied", staff),
                     ("screen", "case.screening", "applied", "screened", staff2),
                     ("grant", "case.screening", "screened", "granted", approver),
                     ("complete", "case.screening", "granted", "completed", staff)]
    assert [e.action for e in AuditEvent.objects.for_object(case)].count("issue_notice") == 1


def test_a_second_grant_beyond_the_budget_is_refused_by_the_ledger(world: dict[str, object], staff: User,
                                                                     staff2: User, approver: User) -> None:
    case = world["case"]
    assert isinstance(case, GrantCase)
    set_budget(programme_year=case.programme_year, budget=1, actor=approver, note="減額の例")  # 500,001円
    other = GrantCase.objects.create(programme_year=case.programme_year, organization=factories.AssociationFactory(),
                                     status="screened", computed_amount=300_000, verified_by=staff2)
    services.act(case_id=case.pk, edge="apply", actor=world["head"])
    services.act(case_id=case.pk, edge="screen", actor=staff)
    services.act(case_id=case.pk, edge="grant", actor=approver)
    refused(other, "grant", approver, "予算額を超えるため交付決定できません（予算額 500,001円、決定済 300,000円、今回 300,000円）。")


def test_its_page_offers_the_acts_the_data_gives(client, world: dict[str, object], staff: User) -> None:  # type: ignore[no-untyped-def]
    case = world["case"]
    assert isinstance(case, GrantCase)
    services.act(case_id=case.pk, edge="apply", actor=world["head"])
    client.force_login(staff)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "申請済（審査待ち）" in page and 'data-action="screen"' in page and "審査する" in page
    response = client.post(reverse("case_action", args=[case.pk, "screen"]), {"note": "書類を確認しました"},
                           follow=True)
    assert "審査しました。現在の状態: 審査済（決定待ち）" in response.content.decode()
    home = client.get(reverse("home")).content.decode()
    assert case.reference not in home  # screened: waiting for the approver now, not for staff
