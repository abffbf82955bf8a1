import django_fsm
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('insurance', '0005_report_creation_token'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accidentreport',
            name='status',
            field=django_fsm.FSMField(choices=[('draft', '作成中'), ('submitted', '提出済（判定待ち）'), ('returned', '差戻し（修正待ち）'), ('covered', '補償の対象'), ('not_covered', '補償の対象外'), ('withdrawn', '取下げ')], default='draft', max_length=20, protected=True, verbose_name='状態'),
        ),
        migrations.AlterField(
            model_name='claim',
            name='status',
            field=django_fsm.FSMField(choices=[('forms_sent', '請求書類送付済（請求待ち）'), ('filed', '請求受付（保険会社への送付待ち）'), ('forwarded', '保険会社へ送付済（回答待ち）'), ('paid', '保険金支払済'), ('denied', '不支払（保険会社の判断）'), ('withdrawn', '取下げ')], default='forms_sent', max_length=20, protected=True, verbose_name='状態'),
        ),
    ]
