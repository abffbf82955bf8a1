"""On PostgreSQL, refuse TRUNCATE of the append-only table as well (a statement-level trigger; the row triggers do not
see TRUNCATE). The row triggers are installed again idempotently."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_transfer_early_results"), ("core", "0005_refuse_truncate")]
    operations = [install_triggers("ledger_ledgerentry", earlier_row_triggers=True)]
