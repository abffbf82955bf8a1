"""Indexes matching the order of the ledger page and the admin list (計上日, then entry number, newest first), alone
and after a programme-year's account or an entry kind, so that a page of 1,000,000 rows is read from an index."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0010_order_sent_transfer_pending'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['entry_date', 'id'], name='ledger_entry_date_id'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['account', 'entry_date', 'id'], name='ledger_entry_account_date'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['kind', 'entry_date', 'id'], name='ledger_entry_kind_date'),
        ),
    ]
