"""Household counts and organisations' figures are append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE
on PostgreSQL); a correction is a new row with its reason."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("organizations", "0005_plan_approved_by_other_than_drafter"), ("core", "0005_refuse_truncate")]
    operations = [install_triggers("organizations_householdcount", "organizations_organizationfigure")]
