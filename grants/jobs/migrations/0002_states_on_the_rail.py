import django_fsm
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='job',
            name='status',
            field=django_fsm.FSMField(choices=[('queued', '待機中'), ('running', '処理中'), ('done', '完了'), ('failed', '失敗')], default='queued', max_length=10, protected=True, verbose_name='状態'),
        ),
    ]
