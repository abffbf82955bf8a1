import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0006_whole_payment_orders'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='paymentorder',
            options={'ordering': ['case', 'number'], 'verbose_name': '支出命令', 'verbose_name_plural': '支出命令'},
        ),
        migrations.RemoveConstraint(
            model_name='batchitem',
            name='case_in_one_live_batch',
        ),
        migrations.RemoveConstraint(
            model_name='batchitem',
            name='order_in_one_live_batch',
        ),
        migrations.AlterField(
            model_name='batchitem',
            name='payment_order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='batch_items', to='ledger.paymentorder', verbose_name='支出命令'),
        ),
        migrations.AlterField(
            model_name='batchitem',
            name='result',
            field=django_fsm.FSMField(choices=[('pending', '未送金'), ('sent', '送金済（結果待ち）'), ('paid', '振込完了'), ('returned', '返却（組戻し・不能）')], default='pending', max_length=10, protected=True, verbose_name='結果'),
        ),
        migrations.AlterField(
            model_name='paymentbatch',
            name='status',
            field=django_fsm.FSMField(choices=[('draft', '作成中（承認待ち）'), ('approved', '承認済（振込ファイル作成済）'), ('discarded', '取消済')], default='draft', max_length=10, protected=True, verbose_name='状態'),
        ),
        migrations.AlterField(
            model_name='paymentorder',
            name='kind',
            field=models.CharField(choices=[('advance', '概算払'), ('settlement', '精算払'), ('whole', '交付金')], max_length=12, verbose_name='区分'),
        ),
        migrations.AlterField(
            model_name='paymentorder',
            name='status',
            field=django_fsm.FSMField(choices=[('scheduled', '予定'), ('prepared', '支出命令起票済（承認待ち）'), ('approved', '支出承認済'), ('paid', '支払済'), ('cancelled', '取りやめ')], default='scheduled', max_length=12, protected=True, verbose_name='状態'),
        ),
        migrations.AddConstraint(
            model_name='batchitem',
            constraint=models.UniqueConstraint(condition=models.Q(('result', 'returned'), _negated=True), fields=('payment_order',), name='order_in_one_live_batch'),
        ),
    ]
