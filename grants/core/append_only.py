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


def create_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRES_FUNCTION, params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change_of_append_only();"
        )
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {op} is not allowed'); END;"
            )


def drop_triggers(schema_editor: BaseDatabaseSchemaEditor, table: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{op};")
