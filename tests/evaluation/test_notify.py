"""The お知らせ to a 評価委員 on assignment (grants.notify.rail.evaluation_assigned, registered on
``grants.evaluation.assignments.on_assign``): written in the assignment's transaction, mailed after its commit, with
the link to the assignment's page; nothing when the assignment is refused."""
import pytest
from django.core import mail

from grants.evaluation.machines import EvaluationError
from grants.notify.models import Notification, NotificationStatus
from tests.evaluation.cast import assign, cast

pytestmark = pytest.mark.django_db


def test_an_assignment_tells_the_evaluator_after_the_commit(run_worker, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    c = cast()
    c.evaluator.email = "hyoka1@example.jp"
    c.evaluator.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a = assign(c)
    assert mail.outbox == [] and len(callbacks) == 1  # the mail waits for the commit
    for callback in callbacks:
        callback()
    run_worker()
    note = Notification.objects.get()
    assert (note.event, note.recipient, note.status) == ("evaluation_assignment", c.evaluator, NotificationStatus.SENT)
    assert c.case.reference in note.subject and note.url == f"/evaluation/{a.pk}/"
    assert "利益相反の有無を申告" in note.body
    assert [m.to for m in mail.outbox] == [["hyoka1@example.jp"]]


def test_a_refused_assignment_tells_nobody(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    c = cast()
    assign(c)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EvaluationError):
        assign(c)
    assert Notification.objects.count() == 1
