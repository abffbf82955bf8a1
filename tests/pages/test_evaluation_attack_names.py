"""The group must not learn who evaluated its case (assign() records on the assignment for exactly this reason),
but the rail's submit/decline rows are recorded about the case with actor=the evaluator, and the case page's
処理の履歴 prints each row's actor."""
import pytest
from django.test import Client
from django.urls import reverse

from grants.evaluation import assignments
from tests.evaluation.cast import assign, cast, submitted

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_attack_group_reads_submitting_evaluators_name_in_case_history() -> None:
    c = cast()
    submitted(c, c.evaluator, (4, 3, 2))
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "評価 一郎" not in history, "the evaluator's name is shown to the group in 処理の履歴"
    assert c.evaluator.username not in history


def test_attack_group_reads_declining_evaluators_name_in_case_history() -> None:
    c = cast()
    a = assign(c)
    assignments.declare(assignment_id=a.pk, actor=c.evaluator, conflicted=True, reason="妻がこの会の会員です")
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "評価 一郎" not in history, "the declining evaluator's name is shown to the group in 処理の履歴"


def test_attack_group_reads_withdrawn_evaluators_name_in_case_history() -> None:
    c = cast()
    a = assign(c)
    assignments.withdraw(assignment_id=a.pk, actor=c.staff)
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    history = page.split('id="history"')[1]
    assert "評価 一郎" not in history


def test_attack_group_reads_staffs_withdrawal_reason_in_case_history() -> None:
    """The staff page's 取消の理由 (WithdrawForm.note) goes verbatim into the case's history, which the group reads:
    the decline's reason is kept off the case (DECLINE_NOTE) for exactly this reason, the withdrawal's is not."""
    c = cast()
    a = assign(c)
    client_of(c.staff).post(reverse("case_evaluation_withdraw", args=[c.case.pk, a.pk]),
                            {"note": "評価 一郎委員がこの会の会員と判明したため"})
    a.refresh_from_db()
    assert a.status == "withdrawn"
    page = client_of(c.head).get(reverse("case_detail", args=[c.case.pk])).content.decode()
    assert "評価 一郎委員がこの会の会員と判明したため" not in page.split('id="history"')[1]
