"""Attacks on the append-only ledger and the budget totals."""
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import DatabaseError, connection, transaction

from grants.cases import services
from grants.cases.batches import approve_payment_batch, create_payment_batch, record_transfer_result
from grants.cases.models import Status
from grants.core.models import AuditEvent
from grants.ledger.models import BudgetAccount, EntryKind, LedgerEntry
from grants.ledger.services import LedgerError, post_entry
from reports.zengin_batch import batch_file
from tests import factories
from tests.cases.steps import to_decided
from tests.reports.builders import assert_reconciles

pytestmark = pytest.mark.django_db


def _totals(py):  # type: ignore[no-untyped-def]
    a = BudgetAccount.objects.get(programme_year=py)
    return (a.budget, a.committed, a.paid, a.refunded)


@pytest.mark.parametrize("amount", [0, -1, -70_000, 1.0, 1.5, Decimal("1"), Decimal("1.5"), Fraction(3, 2), "100",
                                    None, float("inf"), float("nan")])
def test_non_positive_or_non_int_amounts_refused(programme_year, case, finance, amount) -> None:  # type: ignore[no-untyped-def]
    before = _totals(programme_year)
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=amount, actor=finance, case=case)
    assert _totals(programme_year) == before and LedgerEntry.objects.count() == 1


def test_regression_boolean_amount_posts_one_yen(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (ledger/services.py post_entry): ``isinstance(amount, int)`` accepts ``True`` (bool is an int), so
    amount=True posts a 1-yen commitment. reports/excel.py's _check_integer already excludes bool; the ledger
    should too (``type(amount) is int`` or ``isinstance(amount, bool)`` check)."""
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=True, actor=finance, case=case)


def test_commitments_beyond_budget_across_many_cases_refused(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    cases = []
    for _ in range(3):
        org = factories.AssociationFactory()
        from grants.cases.models import GrantCase
        cases.append(GrantCase.objects.create(programme_year=programme_year, organization=org))
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=2_500_000, actor=finance, case=cases[0])
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=2_500_000, actor=finance, case=cases[1])
    with pytest.raises(LedgerError, match="予算額を超える"):
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=1, actor=finance, case=cases[2])
    assert _totals(programme_year) == (5_000_000, 5_000_000, 0, 0)


def test_payment_and_refund_limits(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=1, actor=finance, case=case)
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=1, actor=finance, case=case)


def test_reversal_attacks(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    other_year = factories.programme_year_with_budget(budget=1_000_000, fiscal_year=factories.CURRENT_FY + 1)
    commitment = post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=70_000, actor=finance,
                            case=case)
    other_budget = LedgerEntry.objects.get(account__programme_year=other_year)
    with pytest.raises(LedgerError):  # another programme-year's entry
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance, reverses=other_budget)
    with pytest.raises(LedgerError):  # no target
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance)
    with pytest.raises(LedgerError, match="案件の手続"):  # a case's entry only through a case service
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance, reverses=commitment)
    reversal = post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=999_999, actor=finance,
                          reverses=commitment, case_reversal=True)
    assert reversal.amount == 70_000  # the amount given is ignored
    with pytest.raises(LedgerError):  # twice
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance, reverses=commitment)
    with pytest.raises(LedgerError):  # a reversal of a reversal
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance, reverses=reversal)
    budget_entry = LedgerEntry.objects.get(account__programme_year=programme_year, kind=EntryKind.BUDGET)
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=10, actor=finance, case=case)
    with pytest.raises(LedgerError):  # the budget below what is committed
        post_entry(programme_year=programme_year, kind=EntryKind.REVERSAL, amount=1, actor=finance, reverses=budget_entry)
    assert _totals(programme_year) == (5_000_000, 10, 0, 0)
    assert _totals(other_year) == (1_000_000, 0, 0, 0)


@pytest.mark.parametrize("table, model", [("ledger_ledgerentry", LedgerEntry), ("core_auditevent", AuditEvent)])
def test_orm_and_raw_sql_cannot_update_or_delete(programme_year, finance, table, model) -> None:  # type: ignore[no-untyped-def]
    from grants.core.models import record_event

    record_event(actor=finance, subject=programme_year, action="x")
    row = model.objects.first()
    column = "amount" if model is LedgerEntry else "note"
    attempts = [
        lambda: model.objects.filter(pk=row.pk).update(**{column: 1 if model is LedgerEntry else "changed"}),
        lambda: model.objects.filter(pk=row.pk).delete(),
        lambda: model.objects.all()._raw_delete(model.objects.db),
        lambda: connection.cursor().execute(f"UPDATE {table} SET {column} = {column}"),
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),
    ]
    for attempt in attempts:
        with pytest.raises((DatabaseError, ValueError)), transaction.atomic():
            attempt()
    assert model.objects.filter(pk=row.pk).exists()
    with pytest.raises(ValueError):
        row.save()
    if model is LedgerEntry:
        with pytest.raises(ValueError):
            row.delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            LedgerEntry.objects.bulk_update([row], ["amount"])


def test_regression_sqlite_insert_or_replace_rewrites_a_ledger_entry(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (core/append_only.py): the append-only triggers cover UPDATE and DELETE only. On SQLite (the default
    database) ``INSERT OR REPLACE`` with an existing id deletes and re-inserts the row, and DELETE triggers do
    not fire for REPLACE unless PRAGMA recursive_triggers is on — so raw SQL can rewrite a ledger entry's
    amount, contrary to "a trigger also stops raw SQL". (On PostgreSQL, INSERT … ON CONFLICT DO UPDATE fires the
    UPDATE trigger and is refused.) Fix: add a BEFORE INSERT trigger refusing an id that already exists, or turn
    recursive_triggers on for every connection."""
    entry = LedgerEntry.objects.get()
    cols = "id, account_id, case_id, kind, amount, reverses_id, entry_date, recorded_at, actor_id, note"
    if connection.vendor == "sqlite":
        sql = (f"INSERT OR REPLACE INTO ledger_ledgerentry ({cols}) "
               f"SELECT id, account_id, case_id, kind, 1, reverses_id, entry_date, recorded_at, actor_id, 'tampered' "
               f"FROM ledger_ledgerentry WHERE id = %s")
    else:
        sql = (f"INSERT INTO ledger_ledgerentry ({cols}) "
               f"SELECT id, account_id, case_id, kind, 1, reverses_id, entry_date, recorded_at, actor_id, 'tampered' "
               f"FROM ledger_ledgerentry WHERE id = %s ON CONFLICT (id) DO UPDATE SET amount = 1")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    except DatabaseError:
        pass
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 5_000_000


def test_tampered_budget_totals_show_in_the_auditors_summary(programme_year, finance) -> None:  # type: ignore[no-untyped-def]
    """BudgetAccount totals are not append-only; a raw change is at least visible as 差額 in the 集計 sheet."""
    import io

    from openpyxl import load_workbook

    from reports.exporters import programme_year_workbook

    BudgetAccount.objects.filter(programme_year=programme_year).update(budget=9_000_000)
    out = io.BytesIO()
    programme_year_workbook(programme_year, out)
    rows = list(load_workbook(io.BytesIO(out.getvalue()))["集計"].iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("予算額", 9_000_000, 5_000_000, 4_000_000)


def test_case_commitment_cannot_be_reversed_behind_the_case(case, association_head, staff, approver, finance, finance2) -> None:  # type: ignore[no-untyped-def]
    """Was a bug: reversing a case's COMMITMENT directly left the case 交付決定済 and payable against other
    cases' commitments. Now post_entry refuses a reversal of a case entry unless a case service asks for it,
    and a payment may never exceed its own case's net commitment."""
    to_decided(case, association_head, staff, approver)
    commitment = LedgerEntry.objects.get(case=case, kind=EntryKind.COMMITMENT)
    with pytest.raises(LedgerError, match="案件の手続"):
        post_entry(programme_year=case.programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance,
                   reverses=commitment)
    # Even a reversal made on purpose (as a future 取消 service will) leaves the case unable to be paid.
    post_entry(programme_year=case.programme_year, kind=EntryKind.REVERSAL, amount=0, actor=finance,
               reverses=commitment, case_reversal=True)
    other = factories.AssociationFactory()
    factories.BankAccountFactory(organization=other)
    factories.RepresentativeFactory(organization=other)
    from grants.cases.models import GrantCase
    other_case = GrantCase(programme_year=case.programme_year, organization=other)
    services.apply_count(other_case, 120)
    other_case.save()
    clerk = factories.UserFactory(username="clerk", role="staff")
    to_decided(other_case, clerk, staff, approver)  # other commitments would cover the payment globally
    services.prepare_payment(case_id=case.pk, actor=finance)
    services.approve_payment(case_id=case.pk, actor=finance2)
    with pytest.raises(services.CaseActionError, match="この案件の交付決定額"):
        services.record_payment(case_id=case.pk, actor=finance)
    case.refresh_from_db()
    assert case.status == Status.PAYMENT_APPROVED and case.paid_amount == 0


def test_commitment_dated_outside_its_year_is_refused(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LedgerError, match="その年度中"):
        post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=1, actor=finance, case=case,
                   entry_date=dt.date(1999, 1, 1))


def test_payment_after_closing_period_is_refused(programme_year, case, finance) -> None:  # type: ignore[no-untyped-def]
    post_entry(programme_year=programme_year, kind=EntryKind.COMMITMENT, amount=10, actor=finance, case=case)
    late = dt.date(programme_year.fiscal_year + 1, 6, 1)
    with pytest.raises(LedgerError, match="出納整理期間"):
        post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=10, actor=finance, case=case,
                   entry_date=late)
    post_entry(programme_year=programme_year, kind=EntryKind.PAYMENT, amount=10, actor=finance, case=case,
               entry_date=dt.date(programme_year.fiscal_year + 1, 5, 31))


def test_commitment_to_a_closed_fiscal_year_is_refused(association_head, staff, approver, ready_association) -> None:  # type: ignore[no-untyped-def]
    """Was a bug, now fixed (cases/services.decide_grant, ledger/services.post_entry): nothing ties a posting's date to the
    programme-year's 年度. A 令和2年度 (FY2020) case submitted inside its (admin-set) window is decided today and
    the commitment is booked today against the FY2020 budget. CONVENTIONS.md: after 3/31 only the 出納整理期間
    (to 5/31) may settle the old year's cash, and "no new commitment for the old year may be made in that
    window" — let alone years later. decide_grant / post_entry(COMMITMENT) should refuse when today is after
    the fiscal year's last day (and payments after 5/31 of the next year)."""
    from django.utils import timezone

    from grants.cases.models import GrantCase
    from grants.core.fiscal import fiscal_year_of

    py = factories.programme_year_with_budget(budget=1_000_000, fiscal_year=2020)
    assert fiscal_year_of(timezone.localdate()) > 2021
    case = GrantCase(programme_year=py, organization=ready_association)
    services.apply_count(case, 10)
    case.save()
    services.submit_application(case_id=case.pk, actor=association_head)
    services.verify_application(case_id=case.pk, actor=staff)
    with pytest.raises(services.CaseActionError):
        services.decide_grant(case_id=case.pk, actor=approver)


# A refund and a returned transfer of the same payment: the figures must reconcile with the BudgetAccount
# (tests/reports/builders.py assert_reconciles).


def test_refund_blocks_the_reversal_of_its_payment(approved_case, finance, finance2, transfer_day, transfer_settings, programme_year) -> None:  # type: ignore[no-untyped-def]
    """A refund recorded while the transfer is still 送金済 makes the later 返却 impossible (refunded ≤ paid),
    and the totals stay consistent."""
    from grants.cases.batches import BatchError

    batch = create_payment_batch(actor=finance, case_ids=[approved_case.pk], transfer_date=transfer_day)
    approve_payment_batch(batch_id=batch.pk, actor=finance2, write_file=batch_file)
    post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=70_000, actor=finance, case=approved_case)
    with pytest.raises(BatchError):
        record_transfer_result(item_id=batch.items.get().pk, actor=finance, returned=True, reason="口座解約")
    with pytest.raises(LedgerError):
        post_entry(programme_year=programme_year, kind=EntryKind.REFUND, amount=1, actor=finance, case=approved_case)
    assert_reconciles(programme_year)
