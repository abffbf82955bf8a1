from django.db import migrations

from grants.core.append_only import create_triggers, drop_triggers

TABLES = ["ledger_ledgerentry", "core_auditevent"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        create_triggers(schema_editor, table)  # adds the SQLite REPLACE guard; the others exist already


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    pass


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only"), ("core", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
