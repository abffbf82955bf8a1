"""Household counts and organisations' figures are append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL); a correction is a new row with its reason."""
from django.db import migrations

from grants.core.append_only import create_triggers, drop_triggers

TABLES = ["organizations_householdcount", "organizations_organizationfigure"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        create_triggers(schema_editor, table)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for table in TABLES:
        drop_triggers(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_plan_approved_by_other_than_drafter"), ("core", "0005_refuse_truncate")]
    operations = [migrations.RunPython(forwards, backwards)]
