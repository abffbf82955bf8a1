from django.db import migrations

from grants.core.append_only import create_triggers, drop_triggers

TABLE = "ledger_ledgerentry"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    create_triggers(schema_editor, TABLE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    drop_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
