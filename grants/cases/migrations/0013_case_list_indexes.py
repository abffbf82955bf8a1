"""Indexes of the case list's orders and filters at 100,000 cases (pages.cases, grants.cases.querysets)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0012_case_number_required'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='grantcase',
            index=models.Index(fields=['programme_year', 'status', 'number'], name='case_year_status_number'),
        ),
        migrations.AddIndex(
            model_name='grantcase',
            index=models.Index(fields=['computed_amount'], name='case_computed_amount'),
        ),
        migrations.AddIndex(
            model_name='grantcase',
            index=models.Index(fields=['decided_amount'], name='case_decided_amount'),
        ),
        migrations.AddIndex(
            model_name='grantcase',
            index=models.Index(fields=['household_count'], name='case_household_count'),
        ),
        migrations.AddIndex(
            model_name='grantcase',
            index=models.Index(fields=['status'], name='case_status'),
        ),
    ]
