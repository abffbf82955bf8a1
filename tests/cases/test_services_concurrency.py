"""Two approvers at once: the row lock lets exactly one transition and one commitment through.

Runs on PostgreSQL only: SQLite ignores SELECT … FOR UPDATE (it locks the whole database instead).
"""

import pytest
from django.db import connection

from grants.cases import services
from grants.cases.models import GrantCase, Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from tests import factories
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_concurrent_approvals_make_one_transition_and_one_commitment(case, association_head, staff) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    first = factories.UserFactory(username="approver-a", role="approver")
    second = factories.UserFactory(username="approver-b", role="approver")
    for round_no in range(1, 6):  # repeat the race a few times on fresh cases to make a lucky pass unlikely
        outcomes = run_together(
            lambda pk=case.pk: services.decide_grant(case_id=pk, actor=first),
            lambda pk=case.pk: services.decide_grant(case_id=pk, actor=second),
        )
        successes = [o for o in outcomes if isinstance(o, GrantCase)]
        refusals = [o for o in outcomes if isinstance(o, services.CaseActionError)]
        assert (len(successes), len(refusals)) == (1, 1), outcomes
        assert "交付決定済" in str(refusals[0])
        assert GrantCase.objects.get(pk=case.pk).status == Status.DECIDED
        assert LedgerEntry.objects.filter(case=case, kind=EntryKind.COMMITMENT).count() == 1
        assert AuditEvent.objects.for_object(case).filter(action="decide").count() == 1
        assert BudgetAccount.objects.get(programme_year=case.programme_year).committed == 70_000 * round_no
        case = _next_verified_case(case, association_head, staff)


def _next_verified_case(previous, head, staff):  # type: ignore[no-untyped-def]
    org = factories.AssociationFactory()
    factories.BankAccountFactory(organization=org)
    factories.RepresentativeFactory(organization=org, user=head)
    case = GrantCase(programme_year=previous.programme_year, organization=org)
    services.apply_count(case, 120)
    case.save()
    services.submit_application(case_id=case.pk, actor=head)
    services.verify_application(case_id=case.pk, actor=staff)
    return case


def test_two_payments_of_one_case_at_once_post_one_payment(case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    services.decide_grant(case_id=case.pk, actor=approver)
    services.prepare_payment(case_id=case.pk, actor=staff)
    services.approve_payment(case_id=case.pk, actor=finance)
    outcomes = run_together(
        lambda: services.record_payment(case_id=case.pk, actor=finance),
        lambda: services.record_payment(case_id=case.pk, actor=finance2),
    )
    assert sum(isinstance(o, GrantCase) for o in outcomes) == 1
    assert LedgerEntry.objects.filter(case=case, kind=EntryKind.PAYMENT).count() == 1
    assert BudgetAccount.objects.get(programme_year=case.programme_year).paid == 70_000
