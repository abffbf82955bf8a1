"""The budget raced on PostgreSQL (SQLite has no row locks): many 交付決定 at once against one programme-year's
budget never commit above it."""
import pytest
from django.db import connection

from grants.cases import lifecycle, services
from grants.cases.models import GrantCase, Status
from grants.cases.workflows import CaseActionError
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import case_totals
from grants.notices.models import Notice
from reports.exporters import ledger_totals
from tests import factories
from tests.cases.steps import association_case
from tests.concurrency import MAX_THREADS, run_in_waves

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

AMOUNT = 70_000  # each case: 120 households → 10,000 + 120 × 500 = 70,000円
ROOM = 37  # the budget holds 37 decisions: 37 × 70,000 = 2,590,000円
CASES = 100


def test_a_hundred_decisions_against_a_budget_with_room_for_37_commit_exactly_37(staff, staff2) -> None:  # type: ignore[no-untyped-def]
    """100 verified cases decided at once by four approvers. They run ``MAX_THREADS`` (25) at a time, each wave
    released by a barrier, because 100 connections at once would exceed PostgreSQL's limit; every wave still
    contends on the one budget row, and the 37th decision falls in the middle of the second wave. Exactly 37
    are committed, the 63 others are refused with the budget's message and leave their case as it was, and the
    ledger, the budget's totals and the cases agree."""
    py = factories.programme_year_with_budget(budget=ROOM * AMOUNT)
    approvers = [factories.UserFactory(username=f"approver-{i}", role="approver") for i in range(4)]
    cases = []
    for _ in range(CASES):
        case = association_case(py)
        services.submit_application(case_id=case.pk, actor=staff2)  # 代理提出: the verifier is someone else
        cases.append(services.verify_application(case_id=case.pk, actor=staff))

    outcomes = run_in_waves([lambda c=case.pk, a=approvers[i % 4]: lifecycle.decide(case_id=c, actor=a)
                             for i, case in enumerate(cases)], width=MAX_THREADS)

    wins = [o for o in outcomes if isinstance(o, GrantCase)]
    refusals = [o for o in outcomes if isinstance(o, CaseActionError)]
    assert (len(wins), len(refusals)) == (ROOM, CASES - ROOM), outcomes
    assert all(str(r).startswith("予算額を超えるため交付決定できません（予算額 2,590,000円") for r in refusals), refusals
    account = BudgetAccount.objects.get(programme_year=py)
    assert account.committed == ROOM * AMOUNT <= account.budget
    decided = GrantCase.objects.filter(programme_year=py, status=Status.DECIDED)
    assert sorted(decided.values_list("pk", flat=True)) == sorted(w.pk for w in wins)
    assert sum(decided.values_list("decided_amount", flat=True)) == account.committed
    assert sum(case_totals(c)[EntryKind.COMMITMENT] for c in cases) == account.committed
    assert LedgerEntry.objects.filter(account=account, kind=EntryKind.COMMITMENT).count() == ROOM
    assert ledger_totals(py) == {"budget": account.budget, "committed": account.committed, "paid": 0, "refunded": 0}
    refused = GrantCase.objects.filter(programme_year=py).exclude(pk__in=[w.pk for w in wins])
    assert set(refused.values_list("status", "decided_amount", "decided_by")) == {(Status.VERIFIED, None, None)}
    assert AuditEvent.objects.filter(action="decide").count() == ROOM
    assert Notice.objects.filter(kind="decision").count() == ROOM
