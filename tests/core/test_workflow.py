"""The one rail (``grants.core.workflow``): ``perform`` checks visibility, role, separation of duties, state, a
required reason, required input and guards, in that order; runs the effects; moves the protected state field;
records the actor and the time; writes the audit row named after the machine and the edge; and then what
follows the act, all in one transaction, so a refusal anywhere writes nothing. The system check verifies every
machine against its model.

The machine here is declared in the test over the background job (``jobs.Job``), whose state field rides the
rail like every other: nothing about it is registered."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.db.models import QuerySet

from grants.accounts.models import Role, User
from grants.core import workflow
from grants.core.models import AuditEvent
from grants.core.workflow import SYSTEM, Act, ActionRefused, Activity, Edge, Machine
from grants.jobs.models import Job, JobStatus
from tests import factories

pytestmark = pytest.mark.django_db


class ToyError(ActionRefused):
    """The refusal of the toy machine."""


def _visible(user: Any) -> QuerySet[Job]:
    """Each user sees the jobs they requested (city staff: every job)."""
    return Job.objects.all() if user.is_city_user else Job.objects.filter(requested_by=user)


CALLS: list[str] = []


def _guard(job: Job, user: Any) -> str | None:
    return "題名に「保留」がある処理は開始できません。" if "保留" in job.title else None


def _effect(act: Act[Job]) -> None:
    CALLS.append(f"effect:{act.params.get('size')}")
    act.obj.message = f"開始 {act.params.get('size')}"
    if act.params.get("size") == "too big":
        Job.objects.filter(pk=act.obj.pk).update(done=99)  # written, then rolled back with the refusal
        raise ActionRefused("大きすぎます。")


def _then(act: Act[Job]) -> None:
    CALLS.append(f"then:{AuditEvent.objects.filter(action='start').count()}")


START = Edge("start", "開始する", frozenset({JobStatus.QUEUED}), JobStatus.RUNNING, frozenset({Role.STAFF}),
             differs_from=("requested_by",), note_required=True, stamps="started_at", needs=("size",),
             needs_refusal="大きさを入力してください。", state_refusal="この処理は「{state}」です（{obj.title}）。")
TOY: Machine[Job] = Machine(
    name="toy", label="処理", model="jobs.Job", states=dict(JobStatus.choices), visible=_visible,
    edges=(
        START,
        Edge("finish", "終える", frozenset({JobStatus.RUNNING}), JobStatus.DONE, frozenset({Role.STAFF, SYSTEM})),
        Edge("fail", "失敗にする", frozenset({JobStatus.RUNNING}), JobStatus.FAILED, frozenset({SYSTEM}), page=""),
    ),
    separation={"requested_by": "依頼した方は、同じ処理を開始できません。"},
    activities=(Activity("rename", frozenset({JobStatus.QUEUED}), frozenset({Role.STAFF}), "待機中だけ改名できます。"),),
    error=ToyError,
    note=lambda job, note: f"{job.title}: {note}",
)


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(workflow.GUARDS, "toy_guard", _guard)
    monkeypatch.setitem(workflow.EFFECTS, "toy_effect", _effect)
    monkeypatch.setitem(workflow.EFFECTS, "toy_then", _then)
    CALLS.clear()


def machine(**edge_changes: Any) -> Machine[Job]:
    """TOY with the start edge changed (guards, effects …)."""
    return TOY.with_edges(dataclasses.replace(START, **edge_changes))


@pytest.fixture
def requester(db: None) -> User:
    return factories.UserFactory(username="requester", role=Role.STAFF)


@pytest.fixture
def job(requester: User) -> Job:
    return Job.objects.create(kind="toy", title="台帳の出力", requested_by=requester)


def written() -> tuple[int, list[tuple[str, str, str, int]]]:
    return AuditEvent.objects.count(), list(Job.objects.values_list("status", "message", "title", "done"))


def refused(machine_: Machine[Job], job: Job, user: User | None, message: str, **kwargs: Any) -> None:
    """``perform`` refuses with ``message`` and writes nothing."""
    before = written()
    with pytest.raises(ToyError) as error:
        workflow.perform(machine_, job.pk, "start", actor=user, **kwargs)
    assert str(error.value) == message
    assert written() == before


# -- the refusals, in order ------------------------------------------------------------------------------------

def test_a_job_the_user_may_not_see_is_not_found_and_nothing_is_written(job: Job) -> None:
    stranger = factories.UserFactory(username="stranger", role=Role.ASSOCIATION_HEAD)
    before = written()
    with pytest.raises(Job.DoesNotExist):
        workflow.perform(TOY, job.pk, "start", actor=stranger, note="x", params={"size": 1})
    assert written() == before


def test_a_role_the_edge_does_not_name_is_refused(job: Job) -> None:
    refused(TOY, job, factories.UserFactory(username="auditor", role=Role.AUDITOR), TOY.role_refusal,
            note="x", params={"size": 1})


def test_the_person_the_separation_names_is_refused(job: Job, requester: User) -> None:
    refused(TOY, job, requester, "依頼した方は、同じ処理を開始できません。", note="x", params={"size": 1})


def test_a_state_the_edge_does_not_leave_is_refused_in_the_edges_words(job: Job, staff: User) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    refused(TOY, job, staff, "この処理は「完了」です（台帳の出力）。", note="x", params={"size": 1})


def test_a_missing_reason_and_a_missing_input_are_refused(job: Job, staff: User) -> None:
    refused(TOY, job, staff, "理由を入力してください。", note="  ", params={"size": 1})
    refused(TOY, job, staff, "大きさを入力してください。", note="x")


def test_a_guard_refuses_and_disables_the_button(job: Job, staff: User) -> None:
    guarded = machine(guards=("toy_guard",))
    Job.objects.filter(pk=job.pk).update(title="保留中の出力")
    job.refresh_from_db()
    refused(guarded, job, staff, "題名に「保留」がある処理は開始できません。", note="x", params={"size": 1})
    offer = workflow.open_edges(guarded, job, staff)["start"]
    assert (offer.enabled, offer.refusal) == (False, "題名に「保留」がある処理は開始できません。")


def test_a_refusal_inside_an_effect_rolls_back_what_the_effect_wrote(job: Job, staff: User) -> None:
    """Another app's refusal (a ledger's, a notice's) reaches the caller as the machine's error."""
    refused(machine(effects=("toy_effect",)), job, staff, "大きすぎます。", note="x", params={"size": "too big"})
    assert Job.objects.get(pk=job.pk).done == 0


# -- the act --------------------------------------------------------------------------------------------------

def test_the_act_moves_records_stamps_audits_then_follows(job: Job, staff: User) -> None:
    moved = workflow.perform(machine(effects=("toy_effect",), then=("toy_then",), records="requested_by",
                                     differs_from=()),
                             job.pk, "start", actor=staff, note="夜間に実行", params={"size": 3})
    assert (moved.status, moved.message, moved.requested_by) == (JobStatus.RUNNING, "開始 3", staff)
    assert moved.started_at is not None
    event = AuditEvent.objects.for_object(moved).get()
    assert (event.action, event.machine, event.actor, event.from_state, event.to_state, event.note) == (
        "start", "toy", staff, JobStatus.QUEUED, JobStatus.RUNNING, "台帳の出力: 夜間に実行")
    # the effect ran before the audit row, what follows after it, in the same transaction
    assert CALLS == ["effect:3", "then:1"]


def test_a_notice_named_by_an_edge_is_issued_through_the_installed_issuer(job: Job, staff: User,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    issued: list[tuple[Any, ...]] = []
    monkeypatch.setitem(workflow._NOTICES, "notice", lambda subject, kind, actor, **details: issued.append(
        (subject.pk, kind, actor, details)))
    toy = machine(then=("notice:decision",))
    workflow.perform(toy, job.pk, "start", actor=staff, note="x", params={"size": 1})
    assert issued == [(job.pk, "decision", staff, {})]


def test_without_a_notice_issuer_an_edge_naming_a_notice_is_refused(job: Job, staff: User,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(workflow._NOTICES, "notice")
    refused(machine(then=("notice:decision",)), job, staff, "通知書を発行できません（通知書の機能が有効になっていません）。",
            note="x", params={"size": 1})


def test_a_system_edge_is_taken_within_another_act_or_by_the_worker_only(job: Job, staff: User) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    with pytest.raises(ToyError, match=TOY.role_refusal):
        workflow.perform(TOY, job.pk, "fail", actor=staff)
    assert workflow.perform(TOY, job.pk, "fail", actor=None).status == JobStatus.FAILED  # the worker
    assert AuditEvent.objects.for_object(job).get().actor is None


def test_a_part_that_mirrors_its_act_leaves_the_record_to_it_and_only_it(job: Job, staff: User) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    with pytest.raises(ValueError, match="only a transition within another act"):
        workflow.perform(TOY, job.pk, "finish", actor=staff, record=False)
    parent = Act(TOY, TOY.edge("finish"), job, staff, "", {})
    workflow.perform(TOY, job.pk, "fail", actor=staff, part_of=parent, record=False)  # SYSTEM, within an act
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert not AuditEvent.objects.exists()


def test_the_state_field_cannot_be_set_by_hand(job: Job) -> None:
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        job.status = JobStatus.DONE


# -- what pages ask -------------------------------------------------------------------------------------------

def test_offers_are_the_edges_of_the_state_the_users_role_may_take(job: Job, staff: User, requester: User) -> None:
    assert [(o.name, o.refusal) for o in workflow.offers(TOY, job, staff)] == [("start", None)]
    assert [(o.name, o.enabled) for o in workflow.offers(TOY, job, requester)] == [("start", False)]
    head = factories.UserFactory(username="head-x", role=Role.ASSOCIATION_HEAD)
    assert workflow.offers(TOY, job, head) == []
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    assert [o.name for o in workflow.offers(TOY, job, staff)] == ["finish"]  # ``fail`` is no page's
    assert workflow.leaves(TOY, job, "fail") and not workflow.leaves(TOY, job, "start")


def test_an_activity_is_open_in_its_states_to_its_roles(job: Job, staff: User, auditor: User) -> None:
    assert workflow.may(TOY, job, staff, "rename") and not workflow.may(TOY, job, auditor, "rename")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job.refresh_from_db()
    with pytest.raises(ToyError, match="^待機中だけ改名できます。$"):
        workflow.require(TOY, job, staff, "rename")


# -- the system check -----------------------------------------------------------------------------------------

def test_every_registered_machine_passes_the_system_check() -> None:
    assert workflow.check_machines() == []
    assert {m.model for m in workflow.MACHINES.values()} >= {
        "cases.GrantCase", "cases.ChangeRequest", "cases.RefundOrder", "cases.AnnualRun", "ledger.PaymentOrder",
        "ledger.PaymentBatch", "ledger.BatchItem", "organizations.CommunityPlan", "insurance.AccidentReport",
        "insurance.Claim", "jobs.Job"}


def test_the_system_check_names_what_is_wrong_with_a_machine() -> None:
    broken = TOY.with_edges(
        Edge("start", "開始する", frozenset({"nowhere"}), JobStatus.RUNNING, frozenset({"mayor"}),
             differs_from=("title",), records="kind", stamps="title", effects=("no_such_effect",),
             guards=("no_such_guard",), page="popup"),
        separation={},
    )
    errors = list(workflow._machine_errors(broken, {r.value for r in Role}))
    assert errors == [
        "edge 'start' leaves or reaches a state the machine does not have",
        "edge 'start' names an unknown role: ['mayor']",
        "edge 'start' names 'kind', which is not a user field of jobs.Job",
        "edge 'start' names 'title', which is not a user field of jobs.Job",
        "edge 'start' stamps 'title', which is not a datetime field",
        "edge 'start': no refusal message for the separation 'title'",
        "edge 'start' names the unregistered effect 'no_such_effect'",
        "edge 'start' names the unregistered guard 'no_such_guard'",
        "edge 'start': page must be 'button', 'form' or ''",
    ]


def test_a_model_with_a_state_field_and_no_machine_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(workflow.MACHINES, "job")
    assert [e.msg for e in workflow.check_machines()] == ["jobs.Job.status has no machine"]


def test_no_application_code_changes_a_state_behind_the_rails_back() -> None:
    """``QuerySet.update`` does not go through the protected field: no application code may use it on a state
    field (tests may, to arrange a state)."""
    root = Path(__file__).resolve().parents[2]
    fields = {"status", "result"}
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for package in ("grants", "reports", "pages") for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(f"update({name}=" in line or f".{name} = " in line for name in fields)
    ]
    assert offenders == []
