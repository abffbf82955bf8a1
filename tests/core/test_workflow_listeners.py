"""workflow.listen: a listener sees every act (a part of another act too), inside its transaction, after the
audit row; what it writes is rolled back with the act, and work it defers with act.on_commit runs only on commit."""
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from grants.core import workflow
from grants.core.models import AuditEvent
from grants.jobs.machines import JOB
from grants.jobs.models import Job, JobStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[str, str, str, bool, int]]]:
    seen: list[tuple[str, str, str, bool, int]] = []

    def listener(act: workflow.Act[Any]) -> None:
        audited = AuditEvent.objects.filter(machine=act.machine.name, object_id=act.obj.pk).count()
        seen.append((act.machine.name, act.edge.name, act.before, transaction.get_connection().in_atomic_block,
                     audited))
        act.on_commit(lambda: seen.append(("committed", act.edge.name, "", False, 0)))

    workflow.listen(listener)
    workflow.listen(listener)  # once only
    try:
        yield seen
    finally:
        workflow._LISTENERS.remove(listener)
    assert listener not in workflow._LISTENERS


def _job() -> Job:
    return Job.objects.create(kind="test", title="テスト", requested_by=factories.UserFactory())


def test_a_listener_hears_each_act_once_after_its_audit_row(heard, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    job = _job()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(JOB, job.pk, "start_job", actor=None)
    assert heard == [("job", "start_job", JobStatus.QUEUED, True, 1), ("committed", "start_job", "", False, 0)]


def test_a_rolled_back_act_was_heard_but_nothing_stays(heard, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    job = _job()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.perform(JOB, job.pk, "start_job", actor=None)
            raise RuntimeError("the caller fails after the act")
    assert heard == [("job", "start_job", JobStatus.QUEUED, True, 1)]  # no commit
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and not AuditEvent.objects.filter(machine="job").exists()


def test_a_refused_act_is_not_heard(heard) -> None:  # type: ignore[no-untyped-def]
    job = _job()
    with pytest.raises(workflow.ActionRefused):
        workflow.perform(JOB, job.pk, "finish_job", actor=None)
    assert heard == []


def test_a_listener_that_raises_rolls_the_act_back() -> None:
    job = _job()

    def broken(act: workflow.Act[Any]) -> None:
        raise RuntimeError("listener failed")

    workflow.listen(broken)
    try:
        with pytest.raises(RuntimeError):
            workflow.perform(JOB, job.pk, "start_job", actor=None)
    finally:
        workflow._LISTENERS.remove(broken)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
