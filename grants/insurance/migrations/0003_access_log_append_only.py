from django.db import migrations

from grants.core.append_only import create_triggers, drop_triggers

TABLE = "insurance_personaldataaccess"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    create_triggers(schema_editor, TABLE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    drop_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    """個人情報の閲覧記録 is never edited or deleted, not even by raw SQL."""

    dependencies = [("insurance", "0002_reports_claims"), ("core", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
