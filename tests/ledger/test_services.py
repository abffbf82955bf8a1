"""The ledger is append-only and its totals keep committed ≤ budget, paid ≤ committed."""
import pytest
from django.db import IntegrityError, connection, transaction

from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import LedgerError, post_entry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(programme_year, association):  # type: ignore[no-untyped-def]
    from grants.cases.models import GrantCase

    return GrantCase.objects.create(programme_year=programme_year, organization=association)


def test_commitment_beyond_budget_is_refused_and_nothing_written(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=4_000_000, actor=finance, case=case)
    with pytest.raises(LedgerError, match="予算額を超える"):
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=1_000_001, actor=finance, case=case)
    account = BudgetAccount.objects.get(programme_year=programme_year)
    assert (account.budget, account.committed) == (5_000_000, 4_000_000)
    assert LedgerEntry.objects.filter(kind=EntryKind.COMMITMENT).count() == 1


def test_database_constraint_guards_committed_within_budget(programme_year) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetAccount.objects.filter(programme_year=programme_year).update(committed=5_000_001)


def test_payment_beyond_commitment_is_refused(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=100_000, actor=finance, case=case)
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=100_001, actor=finance, case=case)


def test_reversal_points_at_entry_and_moves_total_back(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    entry = post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=300_000, actor=finance,
                       case=case)
    with pytest.raises(LedgerError, match="案件の手続"):
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=entry)
    reversal = post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance,
                          reverses=entry, note="誤入力の取消", case_reversal=True)
    assert (reversal.amount, reversal.reverses_id, reversal.case_id) == (300_000, entry.pk, case.pk)
    assert BudgetAccount.objects.get(programme_year=programme_year).committed == 0
    with pytest.raises(LedgerError, match="すでに取り消されています"):
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance, reverses=entry,
                   case_reversal=True)


def test_reversing_a_commitment_that_was_paid_is_refused(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    commitment = post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=1_000, actor=finance,
                            case=case)
    post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=1_000, actor=finance, case=case)
    with pytest.raises(LedgerError, match="矛盾"):
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance,
                   reverses=commitment, case_reversal=True)


def test_entries_cannot_be_edited_or_deleted(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    entry = LedgerEntry.objects.get(kind=EntryKind.BUDGET)
    entry.amount = 1
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_ledgerentry WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 5_000_000


def test_constraint_reversal_needs_target(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    account = BudgetAccount.objects.get(programme_year=programme_year)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(account=account, kind=EntryKind.REVERSAL, amount=5, entry_date="2026-04-01",
                                   actor=finance)


def test_budget_is_data_per_year(finance) -> None:  # type: ignore[no-untyped-def]
    factories.programme_year_with_budget(budget=1_000, fiscal_year=2025)
    factories.programme_year_with_budget(budget=2_000, fiscal_year=2026)
    assert sorted(BudgetAccount.objects.values_list("programme_year__fiscal_year", "budget")) == [
        (2025, 1_000), (2026, 2_000)
    ]
