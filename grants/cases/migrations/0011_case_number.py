"""Each case's number within its programme-year (令和8年度 活動支援 第128号), printed where people read the case
number instead of ``2026-katsudo_shien-00128``. Cases on file are numbered in the order they were made."""
from django.db import migrations, models


def number_cases(apps, schema_editor):
    GrantCase = apps.get_model("cases", "GrantCase")
    numbers: dict[int, int] = {}
    for pk, programme_year_id in GrantCase.objects.order_by("pk").values_list("pk", "programme_year_id"):
        numbers[programme_year_id] = numbers.get(programme_year_id, 0) + 1
        GrantCase.objects.filter(pk=pk).update(number=numbers[programme_year_id])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_drop_refund_submission_key'),
        ('programmes', '0011_programme_short_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='grantcase',
            name='number',
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name='番号'),
        ),
        migrations.RunPython(number_cases, migrations.RunPython.noop),
    ]
