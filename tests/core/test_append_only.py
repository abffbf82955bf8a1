"""Attacks on the append-only tables (grants.core.append_only): household counts, organisations' figures and issued
notices refuse every change and deletion — model, queryset and raw SQL — on SQLite and PostgreSQL; on PostgreSQL no
append-only table can be emptied by TRUNCATE; Django's ``flush`` alone empties them and leaves the triggers on."""
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection, models, transaction

from grants.core.append_only import append_only_tables
from grants.core.management.commands import flush
from grants.core.models import AuditEvent, record_event
from grants.notices.models import Notice
from grants.organizations.models import HouseholdCount, OrganizationFigure
from tests import factories
from tests.conftest import APPEND_ONLY_TABLES
from tests.organizations import builders

only_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")


def test_every_append_only_model_has_its_table_in_the_list() -> None:
    assert append_only_tables() == sorted(APPEND_ONLY_TABLES)


def _count(association: Any) -> HouseholdCount:
    return factories.count(association, factories.BASE_DATE, 120)


def _figure(association: Any) -> OrganizationFigure:
    return builders.figure(association, "population", factories.BASE_DATE, 340)


def _notice(decided_case: Any) -> Notice:
    return Notice.objects.filter(case=decided_case).earliest("number")


def _attempts(model: type[models.Model], row: models.Model, column: str) -> list[Callable[[], object]]:
    table = model._meta.db_table
    return [
        lambda: model._default_manager.filter(pk=row.pk).update(**{column: 1}),
        lambda: model._default_manager.filter(pk=row.pk).delete(),
        lambda: model._default_manager.all()._raw_delete(model._default_manager.db),  # type: ignore[attr-defined]
        lambda: connection.cursor().execute(f"UPDATE {table} SET {column} = 1 WHERE id = %s", [row.pk]),
        lambda: connection.cursor().execute(f"DELETE FROM {table} WHERE id = %s", [row.pk]),
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),
    ]


@pytest.mark.parametrize(("make", "column"), [(_count, "households"), (_figure, "value")],
                         ids=["household_count", "organization_figure"])
def test_a_count_or_figure_is_never_changed_nor_deleted(association, make, column) -> None:  # type: ignore[no-untyped-def]
    row = make(association)
    model = type(row)
    for attempt in _attempts(model, row, column):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    with pytest.raises(ValueError, match="変更できません"):
        row.save()
    with pytest.raises(ValueError, match="削除できません"):
        row.delete()
    assert model._default_manager.filter(pk=row.pk).count() == 1
    assert getattr(model._default_manager.get(pk=row.pk), column) == getattr(row, column)


def test_an_issued_notice_is_never_changed_nor_deleted(decided_case) -> None:  # type: ignore[no-untyped-def]
    notice = _notice(decided_case)
    for attempt in _attempts(Notice, notice, "amount"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    with pytest.raises(ValueError, match="削除できません"):
        notice.delete()
    assert Notice.objects.get(pk=notice.pk).amount == notice.amount


@only_postgresql
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_no_append_only_table_is_emptied_by_truncate(decided_case, table) -> None:  # type: ignore[no-untyped-def]
    """The decided case's world has rows in the ledger, the audit trail, its notice and its household count."""
    with connection.cursor() as cursor:
        # As for rows already committed: the foreign keys of the rows just written are checked now, not at the end.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _row_count(table)
    # With CASCADE, as without it where no foreign key points at the table (else PostgreSQL refuses that first).
    for sql in (f"TRUNCATE {table} CASCADE", f"TRUNCATE {table} RESTART IDENTITY CASCADE"):
        with pytest.raises(DatabaseError, match="append-only table .*TRUNCATE"), transaction.atomic():
            connection.cursor().execute(sql)
    assert _row_count(table) == before


def _row_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_append_only_tables_and_puts_the_triggers_back(association) -> None:  # type: ignore[no-untyped-def]
    _count(association)
    record_event(actor=None, subject=association, action="test")

    call_command("flush", interactive=False, verbosity=0)

    assert not HouseholdCount.objects.exists() and not AuditEvent.objects.exists()
    row = _count(factories.AssociationFactory())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HouseholdCount.objects.filter(pk=row.pk).update(households=1)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute("TRUNCATE organizations_householdcount CASCADE")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the schema table's lock is SQLite's")
def test_regression_flush_waits_for_a_schema_lock_held_by_another_thread(association, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A live-server page still polling a job held SQLite's schema table while the test's flush dropped the
    triggers (「database table is locked: sqlite_master」 at teardown): the flush tries again."""
    real, calls = flush.Command._flush, []

    def locked_once(self, **options):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database table is locked: sqlite_master")
        return real(self, **options)

    monkeypatch.setattr(flush.Command, "_flush", locked_once)
    record_event(actor=None, subject=association, action="test")
    call_command("flush", interactive=False, verbosity=0)
    assert len(calls) == 2 and not AuditEvent.objects.exists()
