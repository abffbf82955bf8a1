"""On PostgreSQL, refuse TRUNCATE of the append-only table as well (a statement-level trigger; the row triggers do not
see TRUNCATE). The row triggers are installed again idempotently."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("core", "0004_submitted_form")]
    operations = [install_triggers("core_auditevent", earlier_row_triggers=True)]
