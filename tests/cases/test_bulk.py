"""Bulk acts on cases (grants/cases/bulk.py): each case taken through the rail as if one by one — its own audit
row, ledger posting and notice —, separation of duties judged per case, a refused case set aside with the rail's
reason and nothing written for it; an applicant, a role without the edge and an edge that needs typed input are
refused as a whole, nothing done."""
import pytest

from grants.accounts.models import Role
from grants.cases.bulk import (
    CITY_ONLY,
    INACTIVE,
    NOT_BULK,
    NOT_FOUND,
    BulkResult,
    SetAside,
    bulk_edges,
    bulk_perform,
    queue_bulk_act,
)
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import SEPARATION, CaseActionError
from grants.core.models import AuditEvent
from grants.jobs.models import JobStatus
from grants.ledger.models import LedgerEntry
from grants.notices.models import Notice
from tests import factories
from tests.cases.steps import association_case, to_verified

pytestmark = pytest.mark.django_db


def _verified(year, head, staff, n: int) -> list[GrantCase]:  # type: ignore[no-untyped-def]
    return [to_verified(association_case(year), head, staff) for _ in range(n)]


def _written(case: GrantCase) -> tuple[int, int, int]:
    return (AuditEvent.objects.for_object(case).count(), LedgerEntry.objects.filter(case=case).count(),
            Notice.objects.filter(case=case).count())


def test_a_case_the_decider_verified_is_set_aside_with_its_reason_and_the_others_are_decided(  # type: ignore[no-untyped-def]
        programme_year, staff, approver) -> None:
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    others = _verified(programme_year, head, staff, 3)
    # Verified by a member of staff who has since become a 決裁者: they may decide the others, never this one.
    mover = factories.UserFactory(username="moved", role=Role.STAFF)
    own = to_verified(association_case(programme_year), head, mover)
    mover.role = Role.APPROVER
    mover.save()
    before = _written(own)

    result = bulk_perform(edge="decide", case_ids=[c.pk for c in [*others, own]], actor=mover)

    assert result.done == sorted(c.pk for c in others)
    assert result.set_aside == [SetAside(own.pk, SEPARATION["verified_by"])]
    assert result.message() == "3件を交付決定しました。1件は対象外にしました。"
    own.refresh_from_db()
    assert own.status == Status.VERIFIED and own.decided_by is None
    assert _written(own) == before  # the refusal wrote nothing for that case
    for case in others:
        case.refresh_from_db()
        assert case.status == Status.DECIDED and case.decided_by == mover
        assert AuditEvent.objects.for_object(case).filter(action="decide").count() == 1
        assert Notice.objects.filter(case=case, kind="decision").count() == 1
        assert LedgerEntry.objects.filter(case=case, kind="commitment").count() == 1


def test_each_case_is_its_own_act_when_the_budget_runs_out_midway(staff, approver) -> None:  # type: ignore[no-untyped-def]
    year = factories.programme_year_with_budget(budget=150_000)  # room for two cases of 70,000円
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    cases = _verified(year, head, staff, 3)
    result = bulk_perform(edge="decide", case_ids=[c.pk for c in cases], actor=approver)
    assert result.done == [cases[0].pk, cases[1].pk]
    [(pk, reason)] = [(s.case_id, s.reason) for s in result.set_aside]
    assert pk == cases[2].pk and "予算" in reason
    assert _written(cases[2])[1:] == (0, 0)


def test_a_case_in_another_state_or_not_found_is_set_aside_and_each_id_is_taken_once(  # type: ignore[no-untyped-def]
        programme_year, staff, approver) -> None:
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    [verified] = _verified(programme_year, head, staff, 1)
    draft = association_case(programme_year)
    result = bulk_perform(edge="decide", case_ids=[verified.pk, verified.pk, draft.pk, 999_999], actor=approver)
    assert result.done == [verified.pk]
    assert result.set_aside == [SetAside(draft.pk, "この案件は「申請前」のため、この操作はできません。"),
                                SetAside(999_999, NOT_FOUND)]
    assert AuditEvent.objects.for_object(verified).filter(action="decide").count() == 1


def test_bulk_verify_sets_aside_a_case_its_verifier_submitted_by_proxy(programme_year, staff, staff2) -> None:  # type: ignore[no-untyped-def]
    from grants.cases import services
    own, other = association_case(programme_year), association_case(programme_year)
    services.submit_application(case_id=own.pk, actor=staff)  # submitted on the group's behalf by ``staff``
    services.submit_application(case_id=other.pk, actor=staff2)
    result = bulk_perform(edge="verify", case_ids=[own.pk, other.pk], actor=staff)
    assert result.done == [other.pk]
    assert result.set_aside == [SetAside(own.pk, SEPARATION["submitted_by"])]
    assert result.message() == "1件を審査済にしました。1件は対象外にしました。"


def test_payment_orders_are_drafted_and_approved_in_bulk_by_two_people(  # type: ignore[no-untyped-def]
        programme_year, staff, approver, finance, finance2) -> None:
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    cases = _verified(programme_year, head, staff, 2)
    bulk_perform(edge="decide", case_ids=[c.pk for c in cases], actor=approver)
    drafted = bulk_perform(edge="prepare_payment", case_ids=[c.pk for c in cases], actor=finance)
    assert drafted.done == [c.pk for c in cases] and drafted.message() == "支出命令を起票しました（2件）。"
    refused = bulk_perform(edge="approve_payment", case_ids=[c.pk for c in cases], actor=finance)
    assert refused.done == [] and {s.reason for s in refused.set_aside} == {SEPARATION["payment_prepared_by"]}
    assert refused.message() == "「支出を承認する」を行った案件はありません。2件は対象外にしました。"
    approved = bulk_perform(edge="approve_payment", case_ids=[c.pk for c in cases], actor=finance2)
    assert approved.done == [c.pk for c in cases]
    assert set(GrantCase.objects.filter(pk__in=approved.done).values_list("status", flat=True)) == {
        Status.PAYMENT_APPROVED}


def test_an_applicant_cannot_bulk_act(programme_year, staff, association_head) -> None:  # type: ignore[no-untyped-def]
    case = association_case(programme_year)
    assert bulk_edges(association_head) == {}
    with pytest.raises(CaseActionError, match="市の職員のみ"):
        bulk_perform(edge="submit", case_ids=[case.pk], actor=association_head)
    case.refresh_from_db()
    assert case.status == Status.DRAFT


@pytest.mark.parametrize("edge", ["refuse", "return_to_applicant", "record_paid", "submit", "no_such_edge"])
def test_an_edge_that_needs_a_note_or_input_or_is_the_applicants_is_refused_as_a_whole(  # type: ignore[no-untyped-def]
        programme_year, staff, approver, edge) -> None:
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    [case] = _verified(programme_year, head, staff, 1)
    actor = staff if edge in ("return_to_applicant", "submit") else approver
    with pytest.raises(CaseActionError) as refused:
        bulk_perform(edge=edge, case_ids=[case.pk], actor=actor)
    assert str(refused.value) == NOT_BULK
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


def test_a_role_without_the_edge_is_refused_as_a_whole(programme_year, staff, auditor) -> None:  # type: ignore[no-untyped-def]
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    [case] = _verified(programme_year, head, staff, 1)
    with pytest.raises(CaseActionError, match="権限がありません"):
        bulk_perform(edge="decide", case_ids=[case.pk], actor=staff)
    assert bulk_edges(auditor) == {}


def test_each_role_is_offered_the_bulk_edges_it_may_take(staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    assert set(bulk_edges(approver)) >= {"decide", "approve_change", "confirm"}
    assert "refuse" not in bulk_edges(approver) and "verify" not in bulk_edges(approver)
    assert set(bulk_edges(staff)) >= {"verify", "prepare_payment", "verify_report"}
    assert "submit" not in bulk_edges(staff) and "return_to_applicant" not in bulk_edges(staff)
    assert set(bulk_edges(finance)) >= {"prepare_payment", "approve_payment"}
    assert "reject_payment" not in bulk_edges(finance)


def test_a_result_survives_its_json_round_trip() -> None:
    result = BulkResult(edge="decide", label="交付決定する", done=[1, 2], set_aside=[SetAside(3, "理由")])
    assert BulkResult.from_json(result.as_json()) == result


def test_a_job_whose_requester_is_no_longer_city_staff_fails_with_the_reason_and_does_nothing(  # type: ignore[no-untyped-def]
        programme_year, staff, approver, run_worker, django_capture_on_commit_callbacks) -> None:
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    cases = _verified(programme_year, head, staff, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_bulk_act(edge="decide", case_ids=[c.pk for c in cases], actor=approver)
    approver.role = ""  # left the city's roles before the worker took the job
    approver.save()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, CITY_ONLY)
    assert set(GrantCase.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)) == {
        Status.VERIFIED}


def test_attack_a_job_whose_requester_was_deactivated_does_nothing(  # type: ignore[no-untyped-def]
        programme_year, staff, approver, run_worker, django_capture_on_commit_callbacks) -> None:
    """The 決裁者's account closed (is_active off, the role left as it was) after the request: the worker took the
    job and decided every case in the closed account's name."""
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    cases = _verified(programme_year, head, staff, 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = queue_bulk_act(edge="decide", case_ids=[c.pk for c in cases], actor=approver)
    approver.is_active = False
    approver.save()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, INACTIVE)
    assert set(GrantCase.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)) == {
        Status.VERIFIED}


@pytest.mark.parametrize("change", ["role", "account"])
def test_attack_an_actor_whose_role_or_account_ends_midway_acts_on_no_further_case(  # type: ignore[no-untyped-def]
        programme_year, staff, approver, change) -> None:
    """A job of many cases runs for minutes: the 決裁者 moved to another post (or whose account was closed) after
    the first case decides nothing more; the rest are set aside with the reason, nothing written for them."""
    head = factories.UserFactory(username="proxy", role=Role.STAFF)
    cases = _verified(programme_year, head, staff, 3)
    User = type(approver)

    def after_each(done: int, total: int) -> None:
        if done == 1:  # another session changes the account while the act goes on
            User.objects.filter(pk=approver.pk).update(
                **({"role": Role.STAFF} if change == "role" else {"is_active": False}))

    result = bulk_perform(edge="decide", case_ids=[c.pk for c in cases], actor=approver, progress=after_each)

    assert result.done == [cases[0].pk]
    assert [s.case_id for s in result.set_aside] == [cases[1].pk, cases[2].pk]
    if change == "account":
        assert {s.reason for s in result.set_aside} == {INACTIVE}
    for case in cases[1:]:
        case.refresh_from_db()
        assert case.status == Status.VERIFIED and _written(case)[1:] == (0, 0)
