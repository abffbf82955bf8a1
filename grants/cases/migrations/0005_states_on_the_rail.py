import django_fsm
import grants.cases.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_full_lifecycle_parts_from_councils'),
    ]

    operations = [
        migrations.AlterField(
            model_name='annualrun',
            name='status',
            field=django_fsm.FSMField(choices=[('running', '処理中'), ('done', '完了')], default='running', max_length=10, protected=True, verbose_name='状態'),
        ),
        migrations.AlterField(
            model_name='changerequest',
            name='status',
            field=django_fsm.FSMField(choices=[('draft', '作成中'), ('pending', '審査中'), ('approved', '承認'), ('rejected', '不承認')], default='draft', max_length=10, protected=True, verbose_name='状態'),
        ),
        migrations.AlterField(
            model_name='grantcase',
            name='status',
            field=django_fsm.FSMField(choices=grants.cases.models.case_states, default='draft', max_length=32, protected=True, verbose_name='状態'),
        ),
        migrations.AlterField(
            model_name='refundorder',
            name='status',
            field=django_fsm.FSMField(choices=[('ordered', '納付待ち'), ('settled', '納付済')], default='ordered', max_length=10, protected=True, verbose_name='状態'),
        ),
    ]
