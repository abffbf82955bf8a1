from django.db import migrations, models

from grants.core.append_only import create_triggers, drop_triggers

TABLE = "core_auditevent"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    # SQLite rebuilds the table to add a column with a default, and its triggers go with the old table.
    create_triggers(schema_editor, TABLE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    pass


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    drop_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_append_only")]
    operations = [
        migrations.RunPython(drop, forwards),
        migrations.AddField(
            model_name="auditevent",
            name="machine",
            field=models.CharField(
                blank=True, default="", max_length=40, verbose_name="手続の種類",
                help_text="状態を変えた操作の、状態遷移の定義（grants.core.workflow の Machine）の名前",
            ),
        ),
        migrations.RunPython(forwards, drop),
    ]
