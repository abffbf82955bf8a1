"""A payment posted by its batch's approval is 振込予定 until the bank's result (振込完了), no longer 支払済 at once:
the orders (and formula grant cases) already posted whose transfer still waits for its result move to the new
state, so that the result recorded after the upgrade finds them where the machine expects them."""
import django_fsm
from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    order_model = apps.get_model("ledger", "PaymentOrder")
    case_model = apps.get_model("cases", "GrantCase")
    waiting = apps.get_model("ledger", "BatchItem").objects.filter(result="sent")
    order_model.objects.filter(status="paid", pk__in=waiting.values("payment_order_id")).update(status="sent")
    case_model.objects.filter(status="paid", pk__in=waiting.values("case_id")).update(status="transfer_sent")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("ledger", "PaymentOrder").objects.filter(status="sent").update(status="paid")
    apps.get_model("cases", "GrantCase").objects.filter(status="transfer_sent").update(status="paid")


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0009_refuse_truncate'),
        ('cases', '0010_drop_refund_submission_key'),
    ]

    operations = [
        migrations.AlterField(
            model_name='batchitem',
            name='result',
            field=django_fsm.FSMField(choices=[('pending', '未送金'), ('sent', '振込予定（銀行の結果待ち）'), ('paid', '振込完了'), ('returned', '返却（組戻し・不能）')], default='pending', max_length=10, protected=True, verbose_name='結果'),
        ),
        migrations.AlterField(
            model_name='paymentorder',
            name='status',
            field=django_fsm.FSMField(choices=[('scheduled', '予定'), ('prepared', '支出命令起票済（承認待ち）'), ('approved', '支出承認済'), ('sent', '振込予定'), ('paid', '支払済'), ('cancelled', '取りやめ')], default='scheduled', max_length=12, protected=True, verbose_name='状態'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
