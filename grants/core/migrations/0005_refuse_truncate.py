"""On PostgreSQL, refuse TRUNCATE of the append-only table as well (a statement-level trigger; the row triggers do not
see TRUNCATE). The row triggers are installed again idempotently."""
from django.db import migrations

from grants.core.append_only import create_triggers, drop_truncate_trigger

TABLES = ["core_auditevent"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        create_triggers(schema_editor, table)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        drop_truncate_trigger(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_submitted_form")]
    operations = [migrations.RunPython(forwards, backwards)]
