"""Issued notices are append-only: database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so that a
document number is never reused nor left a gap."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_selection_notices"), ("core", "0005_refuse_truncate")]
    operations = [install_triggers("notices_notice")]
