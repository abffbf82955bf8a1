"""Database triggers that refuse UPDATE and DELETE on append-only tables (ledger, audit trail).

The models refuse it too, but a trigger also stops raw SQL, ``QuerySet.update()`` and ``delete()``.
"""
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change_of_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'append-only table %: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def create_statements(vendor: str, table: str) -> list[str]:
    """SQL that installs the triggers on ``table`` for the database ``vendor`` (none for others)."""
    if vendor == "postgresql":
        return [
            _POSTGRES_FUNCTION,
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only();",
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


def drop_statements(vendor: str, table: str) -> list[str]:
    """SQL that removes the triggers of ``table``."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only_{op};" for op in ("update", "delete", "replace")]
    return []


def create_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for sql in create_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)


def drop_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    for sql in drop_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)
