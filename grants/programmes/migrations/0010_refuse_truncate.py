"""On PostgreSQL, refuse TRUNCATE of the append-only table as well (a statement-level trigger; the row triggers do not
see TRUNCATE). The row triggers are installed again idempotently."""
from django.db import migrations

from grants.core.append_only import install_triggers


class Migration(migrations.Migration):
    dependencies = [("programmes", "0009_day_counting_of_deadlines"), ("core", "0005_refuse_truncate")]
    operations = [install_triggers("programmes_ruleversion", earlier_row_triggers=True)]
