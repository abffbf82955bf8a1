import django_fsm
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0002_plans_and_staff_from_councils'),
    ]

    operations = [
        migrations.AlterField(
            model_name='communityplan',
            name='status',
            field=django_fsm.FSMField(choices=[('draft', '作成中'), ('submitted', '提出済（承認待ち）'), ('approved', '承認済'), ('superseded', '改定により終了')], default='draft', max_length=12, protected=True, verbose_name='状態'),
        ),
    ]
