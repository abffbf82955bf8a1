"""Issued notices are append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so that a
document number is never reused nor left a gap."""
from django.db import migrations

from grants.core.append_only import create_triggers, drop_triggers

TABLES = ["notices_notice"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        create_triggers(schema_editor, table)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        drop_triggers(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_selection_notices"), ("core", "0005_refuse_truncate")]
    operations = [migrations.RunPython(forwards, backwards)]
