"""Every allowed and every forbidden transition of the full lifecycle, built from the data (the ``full``
workflow's machine, ``grants.cases.workflows.FULL``), at the service level.

- each full-lifecycle edge is taken from each of its sources and lands on its target, with one audit row;
- from every other status of the full lifecycle it is refused with ``CaseActionError`` and nothing is written
  (case row, audit rows, ledger entries, payment orders, notices, change requests, refund orders);
- each edge is refused to every role the edge does not name, and to the person the separation of duties
  excludes;
- the simple lifecycle's payment edges are refused on a full case, and the full lifecycle's edges on a 自治会
  case.

``drive(world, status)`` brings a fresh council case to any status of the full lifecycle through the services
only; the other council test files use it too."""
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.accounts.models import Role
from grants.cases import batches, lifecycle, services
from grants.cases.models import GrantCase, RefundOrder, Status
from grants.cases.services import correct_household_count
from grants.cases.workflows import FORMULA, FULL, CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import LedgerEntry, PaymentOrder
from grants.organizations.models import HouseholdCount
from tests import factories
from tests.cases.world import (
    AMOUNT,
    CALLS,
    PATHS,
    World,
    _pay_settlement,
    _start_change,
    _write_report,
    drive,
    snapshot,
)
from tests.councils import builders
from tests.councils.helpers import line, pay_orders
from tests.councils.steps import decided, draft, fresh, login, post

FLOW = {edge.name: edge for edge in FULL.machine.edges}


TARGET = {(edge.name, source): edge.target for edge in FULL.machine.edges for source in edge.sources}


FULL_EDGES = sorted(FLOW)


FULL_ONLY_EDGES = sorted(set(FLOW) - {edge.name for edge in FORMULA.machine.edges})


SIMPLE_ONLY_EDGES = sorted({edge.name for edge in FORMULA.machine.edges} - set(FLOW))


def sources_of(action: str) -> frozenset[str]:
    return FLOW[action].sources


FULL_STATES = sorted(
    {source for action in FULL_EDGES for source in sources_of(action)}
    | {TARGET[(action, source)] for action in FULL_EDGES for source in sources_of(action)}
)


ALLOWED = [(action, source) for action in FULL_EDGES for source in sorted(sources_of(action))]


FORBIDDEN = [(action, status) for action in FULL_EDGES for status in FULL_STATES if status not in sources_of(action)]


# The roles of the grant work; the 保険担当 does not see grant cases at all (test_insurance_staff_see_no_case).
# The roles that see a council's case; the 保険担当, the 審査委員 and the 評価委員 see none (tested below as "not found").
GRANT_ROLES = [role for role in Role.values if role not in (Role.INSURANCE, Role.PANEL, Role.EVALUATOR)]


WRONG_ROLES = [(action, role) for action in FULL_EDGES for role in GRANT_ROLES if role not in FLOW[action].roles]


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{a}-{b}" for a, b in pairs]


def test_the_matrix_covers_the_whole_full_lifecycle() -> None:
    """A guard against a vacuous matrix: the statuses and edges the data gives are the ones GRANTS.md §3 names
    (the simple lifecycle's payment states are not part of the full lifecycle)."""
    assert set(FULL_STATES) == {
        Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.DECIDED, Status.NOT_GRANTED,
        Status.CHANGE_REQUESTED, Status.CHANGE_CHECKED, Status.REPORTED, Status.REPORT_VERIFIED, Status.CONFIRMED,
        Status.CANCELLED, Status.CLOSED,
    }
    assert set(CALLS) == set(FULL_EDGES)
    assert set(SIMPLE_CALLS) == set(SIMPLE_ONLY_EDGES)
    assert set(PATHS) == set(FULL_STATES)
    assert len(ALLOWED) + len(FORBIDDEN) == len(FULL_EDGES) * len(FULL_STATES)
    assert len(ALLOWED) == 23


# Who takes each edge in the drive (a role the edge names, never someone the separation of duties excludes).
ACTOR = {
    "submit": Role.ASSOCIATION_HEAD, "return_to_applicant": Role.STAFF, "verify": Role.STAFF,
    "decide": Role.APPROVER, "refuse": Role.APPROVER, "request_change": Role.ASSOCIATION_HEAD,
    "check_change": Role.STAFF, "approve_change": Role.APPROVER, "reject_change": Role.APPROVER,
    "submit_report": Role.ASSOCIATION_HEAD, "return_report": Role.STAFF, "verify_report": Role.STAFF,
    "confirm": Role.APPROVER, "cancel": Role.APPROVER, "close": Role.STAFF,
}


def prepare(w: World, case: GrantCase, action: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the council or the bank does before an edge can be taken, besides being in its source state."""
    if action == "request_change":
        _start_change(w, case)
    elif action == "submit_report":
        _write_report(w, case)
    elif action == "close":
        # Closing normally follows the last payment at once; keep the case open to take the edge by hand.
        with monkeypatch.context() as m:
            m.setattr(batches, "close_if_settled", lambda **kwargs: None)
            _pay_settlement(w, case)
    case.refresh_from_db()


def test_actors_of_the_drive_hold_the_roles_of_their_edges() -> None:
    assert set(ACTOR) == set(FULL_EDGES)
    for action, role in ACTOR.items():
        assert role in FLOW[action].roles, action


@pytest.mark.parametrize(("action", "source"), ALLOWED, ids=_ids(ALLOWED))
def test_edge_is_allowed_from_each_of_its_sources(world, monkeypatch, action, source):  # type: ignore[no-untyped-def]
    case = drive(world, source)
    prepare(world, case, action, monkeypatch)
    actor = world.user(ACTOR[action])

    CALLS[action](world, case, actor)

    case.refresh_from_db()
    target = TARGET[(action, source)]
    assert case.status == target
    event = AuditEvent.objects.for_object(case).filter(action=action).last()
    assert event is not None and event.actor == actor
    assert (event.from_state, event.to_state) == (source, target)
    if FLOW[action].records:
        assert getattr(case, f"{FLOW[action].records}_id") == actor.pk


@pytest.mark.parametrize(("action", "status"), FORBIDDEN, ids=_ids(FORBIDDEN))
def test_edge_is_refused_from_every_other_status(world, action, status):  # type: ignore[no-untyped-def]
    case = drive(world, status)
    before = snapshot(case)

    with pytest.raises(CaseActionError) as refused:
        CALLS[action](world, case, world.user(ACTOR[action]))

    assert str(refused.value) == f"この案件は「{Status(status).label}」のため、この操作はできません。"
    assert snapshot(case) == before


@pytest.mark.parametrize(("action", "role"), WRONG_ROLES, ids=_ids(WRONG_ROLES))
def test_edge_is_refused_to_every_role_it_does_not_name(world, monkeypatch, action, role):  # type: ignore[no-untyped-def]
    case = drive(world, sorted(sources_of(action))[0])
    prepare(world, case, action, monkeypatch)
    before = snapshot(case)

    with pytest.raises(CaseActionError) as refused:
        CALLS[action](world, case, world.user(role))

    assert str(refused.value) == "この操作を行う権限がありません。"
    assert snapshot(case) == before


@pytest.mark.parametrize("role", [Role.INSURANCE, Role.PANEL, Role.EVALUATOR])
@pytest.mark.parametrize("action", sorted(FULL_EDGES))
def test_insurance_staff_panel_members_and_evaluators_see_no_case(world, monkeypatch, action, role):  # type: ignore[no-untyped-def]
    """The 保険担当 handles the insurance only, a 審査委員 sees applications only through the panel's pages, and a
    評価委員 sees a closed case only through the evaluation's pages: every edge answers as for a case that does not
    exist."""
    case = drive(world, sorted(sources_of(action))[0])
    prepare(world, case, action, monkeypatch)
    before = snapshot(case)
    outsider = factories.UserFactory(username=f"outsider-{role}", role=role)
    with pytest.raises(GrantCase.DoesNotExist):
        CALLS[action](world, case, outsider)
    assert snapshot(case) == before


def test_secretary_of_another_council_does_not_see_the_case(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.DRAFT)
    _, other = builders.council(name="白石地域づくり協議会", username="other-secretary")
    before = snapshot(case)
    with pytest.raises(GrantCase.DoesNotExist):
        lifecycle.submit(case_id=case.pk, actor=other)
    assert snapshot(case) == before


def test_close_is_refused_while_money_is_owed(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.CONFIRMED)  # the 精算払 of 200,000円 is scheduled, not paid
    before = snapshot(case)
    with pytest.raises(CaseActionError, match="まだ完了にできません：支払の済んでいない支出命令があります。"):
        lifecycle.close(case_id=case.pk, actor=world.staff)
    assert snapshot(case) == before


NOT_HERE = "この事業の案件には、この手続はありません。"


def _any_entry(case: GrantCase) -> LedgerEntry:
    return LedgerEntry.objects.filter(case=case).first()  # type: ignore[return-value]


SIMPLE_CALLS: dict[str, Callable[[World, GrantCase], object]] = {
    "prepare_payment": lambda w, c: services.prepare_payment(case_id=c.pk, actor=w.staff),
    "approve_payment": lambda w, c: services.approve_payment(case_id=c.pk, actor=w.finance),
    "reject_payment": lambda w, c: services.reject_payment(case_id=c.pk, actor=w.finance, note="誤り"),
    "record_paid": lambda w, c: services.record_payment(case_id=c.pk, actor=w.finance),
    "confirm_transfer": lambda w, c: services.confirm_transfer(case_id=c.pk, actor=w.finance),
    "return_transfer": lambda w, c: services.return_transfer(case_id=c.pk, actor=w.finance, payment=_any_entry(c),
                                                             note="口座相違"),
}


@pytest.mark.parametrize("action", SIMPLE_ONLY_EDGES)
def test_simple_lifecycle_edges_are_refused_on_a_full_case(world, action):  # type: ignore[no-untyped-def]
    case = drive(world, Status.DECIDED)
    before = snapshot(case)
    with pytest.raises(CaseActionError) as refused:
        SIMPLE_CALLS[action](world, case)
    assert str(refused.value) == NOT_HERE
    assert snapshot(case) == before


@pytest.fixture
def jichikai_case(case, association_head, staff, approver):  # type: ignore[no-untyped-def]
    """A 自治会 case of the simple lifecycle, decided (70,000円)."""
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    case.refresh_from_db()
    assert case.status == Status.DECIDED
    return case


@pytest.mark.parametrize("action", FULL_ONLY_EDGES)
def test_full_lifecycle_edges_are_refused_on_a_jichikai_case(  # type: ignore[no-untyped-def]
        jichikai_case, association_head, staff, staff2, approver, finance, auditor, action):
    users = {Role.ASSOCIATION_HEAD: association_head, Role.STAFF: staff, Role.APPROVER: approver,
             Role.FINANCE: finance, Role.AUDITOR: auditor}
    world = World(org=jichikai_case.organization, secretary=association_head, staff=staff, staff2=staff2,
                  approver=approver, finance=finance, finance2=finance, auditor=auditor,
                  py=jichikai_case.programme_year, plan=None, cats={})  # type: ignore[arg-type]
    before = snapshot(jichikai_case)
    with pytest.raises(CaseActionError) as refused:
        CALLS[action](world, jichikai_case, users[ACTOR[action]])
    assert str(refused.value) == NOT_HERE
    assert snapshot(jichikai_case) == before


def test_full_lifecycle_forms_are_refused_on_a_jichikai_case(jichikai_case, association_head):  # type: ignore[no-untyped-def]
    from grants.cases import budget

    before = snapshot(jichikai_case)
    with pytest.raises(CaseActionError, match=f"^{NOT_HERE}$"):
        lifecycle.start_change(case_id=jichikai_case.pk, actor=association_head, reason="変更",
                               requested_amount=70_000)
    with pytest.raises(CaseActionError, match=f"^{NOT_HERE}$"):
        lifecycle.save_report(case_id=jichikai_case.pk, actor=association_head, narrative="実施",
                              completed_on=timezone.localdate())
    with pytest.raises(budget.LineError, match="^この事業の案件には収支の明細はありません。$"):
        budget.add_line(case_id=jichikai_case.pk, actor=association_head, where="report",
                        data={"description": "x", "amount": 1})
    assert snapshot(jichikai_case) == before


def test_full_case_is_verified_only_with_an_assessed_amount(world):  # type: ignore[no-untyped-def]
    case = drive(world, Status.SUBMITTED)
    before = snapshot(case)
    with pytest.raises(CaseActionError, match="査定額・交付の条件・完了期限を入力する審査欄から"):
        services.verify_application(case_id=case.pk, actor=world.staff)
    assert snapshot(case) == before


def test_regression_full_cancellation_of_an_unpaid_case_closes_it(world):  # type: ignore[no-untyped-def]
    """取消 with nothing paid and nothing kept leaves nothing owed either way: the case is closed in the same act.
    The closing used to run as the approver through the ``close`` edge (staff and finance only) and the whole
    取消 was refused with 「この操作を行う権限がありません。」."""
    case = drive(world, Status.DECIDED)

    returned = lifecycle.cancel(case_id=case.pk, actor=world.approver, note="事業を中止したため", kept_amount=0)

    assert returned.status == Status.CLOSED  # the object the service returns is not left behind
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.confirmed_amount == 0 and case.closed_on == timezone.localdate()
    trail = [(e.action, e.from_state, e.to_state, e.actor) for e in AuditEvent.objects.for_object(case)
             if e.action in ("cancel", "close")]
    assert trail == [("cancel", Status.DECIDED, Status.CANCELLED, world.approver),
                     ("close", Status.CANCELLED, Status.CLOSED, world.approver)]
    assert not RefundOrder.objects.filter(case=case).exists()
    assert not PaymentOrder.objects.filter(case=case, status="scheduled").exists()


def test_regression_confirm_with_nothing_owed_closes_the_case(world):  # type: ignore[no-untyped-def]
    """Advances of exactly the confirmed amount: 額の確定 closes the case at once (it used to be refused)."""
    builders.instalments(world.py, [(1, 1)])  # one 概算払 of the whole 300,000円
    case = drive(world, Status.DECIDED)
    pay_orders(case, world.staff, world.finance, world.finance2)
    lifecycle.save_report(case_id=case.pk, actor=world.secretary, narrative="実施しました。",
                          completed_on=timezone.localdate())
    line(case, world.secretary, where="report", category=world.cats["genzairyo"],
         plan_item=builders.item(world.plan, "1-1-2"), amount=AMOUNT, description="原材料（実績）")
    lifecycle.submit_report(case_id=case.pk, actor=world.secretary)
    lifecycle.verify_report(case_id=case.pk, actor=world.staff)

    returned = lifecycle.confirm(case_id=case.pk, actor=world.approver)

    assert returned.status == Status.CLOSED
    case.refresh_from_db()
    assert (case.status, case.confirmed_amount, case.paid_amount) == (Status.CLOSED, AMOUNT, AMOUNT)
    assert AuditEvent.objects.for_object(case).filter(action="close", actor=world.approver).count() == 1


# Paths of the 自治会 lifecycle taken on a council case: the simplified flow's buttons and forms posted directly
# against a full-lifecycle case. Each is refused with a message; nothing changes; never a 500.


@pytest.mark.django_db
def test_regression_household_count_posted_to_a_council_case_is_refused_not_a_500(client, katsudo, council,
                                                                                  staff) -> None:  # type: ignore[no-untyped-def]
    """The 世帯数の訂正 form is not shown on a council case, but posting it computed the council's amount from a
    household count alone and crashed (MissingInputError, a 500)."""
    case, _, _ = draft(katsudo, council, staff)
    events = AuditEvent.objects.count()
    for user in (council[1], staff):
        shown = post(login(client, user), reverse("correct_count", args=[case.pk]),
                     {"households": "100", "reason": "訂正"})
        assert shown == ["この事業の案件には、世帯数の届出はありません。"], shown
    with pytest.raises(CaseActionError, match="世帯数の届出はありません"):
        correct_household_count(case_id=case.pk, actor=staff, households=100, reason="訂正")
    case = fresh(case)
    assert (case.household_count, case.computed_amount) == (None, None)
    assert not HouseholdCount.objects.filter(organization=council[0]).exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["prepare_payment", "approve_payment", "reject_payment", "record_paid",
                                    "return_transfer", "refuse", "return_to_applicant", "verify", "cancel",
                                    "request_change", "check_change"])
def test_simple_or_form_only_edges_posted_to_a_decided_council_case(client, katsudo, council, staff, approver,
                                                                      finance, action) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = decided(katsudo, council, staff, approver)
    events = AuditEvent.objects.for_object(case).count()
    for user in (staff, approver, finance):
        response = login(client, user).post(reverse("case_action", args=[case.pk, action]), {"note": "x"},
                                            follow=True)
        assert response.status_code in (200, 404), (action, response.status_code)
    assert fresh(case).status == "decided"
    assert AuditEvent.objects.for_object(case).count() == events


@pytest.mark.django_db
def test_simple_override_form_on_a_council_case_takes_only_its_failed_checks(client, katsudo, council, staff) -> None:  # type: ignore[no-untyped-def]
    case, _, _ = draft(katsudo, council, staff)
    from grants.cases.services import submit_application

    submit_application(case_id=case.pk, actor=council[1])
    response = login(client, staff).post(reverse("override_check", args=[case.pk]),
                                         {"check_code": "household_count", "justification": "x"})
    # the case page again, as typed (issue 15): where the override form is shown, the choice's error is at its field
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="override-form"' not in body or 'id="id_check_code_error"' in body
    assert not case.overrides.exists()
