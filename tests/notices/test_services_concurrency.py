"""Notices issued at the same time take consecutive, distinct numbers: the sequence row is locked.

Runs on PostgreSQL only: SQLite ignores SELECT … FOR UPDATE (it locks the whole database instead).
"""
import pytest
from django.db import connection

from grants.core.models import AuditEvent
from grants.notices.models import DocumentSequence, Notice, NoticeKind
from grants.notices.services import issue_notice
from tests.cases.steps import to_decided
from tests.concurrency import run_together
from tests.notices.builders import new_case, with_relations

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def decided_cases(n, programme_year, head, staff, approver):  # type: ignore[no-untyped-def]
    return [with_relations(to_decided(new_case(programme_year, head_user=head), head, staff, approver))
            for _ in range(n)]


def test_two_notices_at_once_get_consecutive_distinct_numbers(programme_year, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    cases = decided_cases(10, programme_year, association_head, staff, approver)
    for round_no in range(5):  # repeat the race, so that a lucky interleaving does not pass alone
        first, second = cases[2 * round_no], cases[2 * round_no + 1]
        outcomes = run_together(
            lambda c=first: issue_notice(case=c, kind=NoticeKind.CONFIRMATION, actor=approver),
            lambda c=second: issue_notice(case=c, kind=NoticeKind.CONFIRMATION, actor=approver),
        )
        # numbers 1–10 went to the decision notices issued by 交付決定
        assert all(isinstance(o, Notice) for o in outcomes), outcomes
        assert sorted(o.number for o in outcomes) == [10 + 2 * round_no + 1, 10 + 2 * round_no + 2]
        assert DocumentSequence.objects.get().last_number == 10 + 2 * round_no + 2


def test_twenty_at_once_make_one_to_twenty_without_a_gap(programme_year, association_head, staff, approver) -> None:  # type: ignore[no-untyped-def]
    cases = decided_cases(20, programme_year, association_head, staff, approver)  # decisions take 1–20
    outcomes = run_together(*[
        lambda c=c: issue_notice(case=c, kind=NoticeKind.CONFIRMATION, actor=approver) for c in cases
    ])
    assert all(isinstance(o, Notice) for o in outcomes), outcomes
    assert sorted(Notice.objects.values_list("number", flat=True)) == list(range(1, 41))
    assert len(set(Notice.objects.values_list("document_number", flat=True))) == 40
    assert DocumentSequence.objects.get().last_number == 40


def test_the_same_notice_twice_at_once_is_issued_once(programme_year, association_head, staff, approver, finance) -> None:  # type: ignore[no-untyped-def]
    (case,) = decided_cases(1, programme_year, association_head, staff, approver)
    outcomes = run_together(
        lambda: issue_notice(case=case, kind=NoticeKind.CONFIRMATION, actor=approver),
        lambda: issue_notice(case=case, kind=NoticeKind.CONFIRMATION, actor=staff),
    )
    assert all(isinstance(o, Notice) for o in outcomes), outcomes
    assert outcomes[0].pk == outcomes[1].pk and outcomes[0].number == 2  # 1 is the decision notice
    assert DocumentSequence.objects.get().last_number == 2
    assert AuditEvent.objects.for_object(case).filter(action="issue_notice").count() == 2
