"""On PostgreSQL, refuse TRUNCATE of the append-only table as well (a statement-level trigger; the row triggers do not
see TRUNCATE). The row triggers are installed again idempotently."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("insurance", "0007_band_tables_and_report_due_counting"), ("core", "0005_refuse_truncate")]
    operations = [install_triggers("insurance_personaldataaccess", earlier_row_triggers=True)]
