"""The programme's 略称, printed in its cases' numbers (令和8年度 活動支援 第128号), filled for the city's four
programmes already on file; any other keeps its 事業名 until staff give it one in the admin."""
from django.db import migrations, models

# The city's programmes by 事業コード, as setup_demo and the demos of councils and the competitive grant make them.
SHORT_NAMES = {
    "jichi_shinko": "自治振興",
    "unei_shien": "運営支援",
    "katsudo_shien": "活動支援",
    "shimin_katsudo": "市民活動",
}


def fill_short_names(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for code, short_name in SHORT_NAMES.items():
        Programme.objects.filter(code=code, short_name="").update(short_name=short_name)


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0010_refuse_truncate'),
    ]

    operations = [
        migrations.AddField(
            model_name='programme',
            name='short_name',
            field=models.CharField(blank=True, help_text='案件番号に用いる短い名称です（例: 活動支援 →「令和8年度 活動支援 第128号」）。空欄なら事業名を用います。変えると、これまでの案件の番号の表示も変わります。', max_length=20, verbose_name='略称'),
        ),
        migrations.RunPython(fill_short_names, migrations.RunPython.noop),
    ]
