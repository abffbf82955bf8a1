"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on append-only tables (ledger, audit trail …).

The models refuse it too (``grants.core.models.AppendOnlyModel``), but a trigger also stops raw SQL,
``QuerySet.update()`` and ``delete()``. On PostgreSQL, row triggers do not see TRUNCATE, so each table also has a
statement-level ``BEFORE TRUNCATE`` trigger. SQLite has no TRUNCATE (its ``DELETE FROM`` without WHERE fires the
row triggers); there, ``INSERT OR REPLACE`` deletes without firing DELETE triggers, so a used id is refused.

The one thing that may empty these tables is Django's ``flush`` (it empties the whole database, as after each
transactional test): ``grants.core``'s own ``flush`` command lifts the triggers for it and puts them back in the
same transaction.
"""
from typing import Any

from django.apps import apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from .models import AppendOnlyModel

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change_of_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def append_only_tables() -> list[str]:
    """The tables of every installed ``AppendOnlyModel``, sorted (``["core_auditevent", "ledger_ledgerentry", …]``)."""
    return sorted(model._meta.db_table for model in apps.get_models() if issubclass(model, AppendOnlyModel))


def create_statements(vendor: str, table: str) -> list[str]:
    """SQL that installs the triggers on ``table`` for the database ``vendor`` (none for others). Idempotent."""
    if vendor == "postgresql":
        return [
            _POSTGRES_FUNCTION,
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only();",
            *truncate_statements(vendor, table),
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} is not allowed'); END;"
            for op in ("UPDATE", "DELETE")
        ] + [
            # INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse a used id.
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: REPLACE is not allowed'); END;"
        ]
    return []


def truncate_statements(vendor: str, table: str) -> list[str]:
    """SQL that installs the statement-level trigger refusing TRUNCATE of ``table`` (PostgreSQL only; the function
    ``refuse_change_of_append_only`` must exist: ``create_statements`` installs it first)."""
    if vendor == "postgresql":
        return [f"CREATE OR REPLACE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_of_append_only();"]
    return []


def drop_statements(vendor: str, table: str) -> list[str]:
    """SQL that removes the triggers of ``table``."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", *drop_truncate_statements(vendor, table)]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only_{op};" for op in ("update", "delete", "replace")]
    return []


def drop_truncate_statements(vendor: str, table: str) -> list[str]:
    """SQL that removes the trigger refusing TRUNCATE of ``table`` (the row triggers stay)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only_truncate ON {table};"]
    return []


def create_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for sql in create_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for sql in drop_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)


def drop_truncate_trigger(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for sql in drop_truncate_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)


def install_triggers(*tables: str, earlier_row_triggers: bool = False) -> migrations.RunPython:
    """The migration operation that installs the triggers of ``tables`` (idempotently). Reversed, it removes them —
    only the TRUNCATE trigger when ``earlier_row_triggers`` (an earlier migration installed the row triggers, and
    its own reversal removes them)."""
    undo = drop_truncate_trigger if earlier_row_triggers else drop_triggers

    def forwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table in tables:
            create_triggers(schema_editor, table)

    def backwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table in tables:
            undo(schema_editor, table)

    return migrations.RunPython(forwards, backwards)
