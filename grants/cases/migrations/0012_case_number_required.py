"""Every case has its number (filled by 0011): required from now on, and unique within its programme-year."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_case_number'),
    ]

    operations = [
        migrations.AlterField(
            model_name='grantcase',
            name='number',
            field=models.PositiveIntegerField(
                editable=False, verbose_name='番号',
                help_text='事業・年度ごとの通し番号です。案件番号（令和8年度 活動支援 第128号）に印字します。',
            ),
        ),
        migrations.AddConstraint(
            model_name='grantcase',
            constraint=models.UniqueConstraint(
                fields=('programme_year', 'number'), name='one_number_per_programme_year',
            ),
        ),
    ]
