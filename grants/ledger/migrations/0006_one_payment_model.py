import django.db.models.deletion
import django_fsm
from django.conf import settings
from django.db import migrations, models

# What a formula grant case's state says of its payment, now an order of its own (one payment model).
ORDER_STATE = {"decided": "scheduled", "payment_prepared": "prepared", "payment_approved": "approved",
               "paid": "paid"}


def whole_orders(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Every decided formula-grant case gets its payment order for the whole decided amount, in the state its
    own state says, and every batch item of such a case points at that order."""
    case_model = apps.get_model("cases", "GrantCase")
    order_model = apps.get_model("ledger", "PaymentOrder")
    item_model = apps.get_model("ledger", "BatchItem")
    cases = case_model.objects.filter(programme_year__programme__workflow="formula", status__in=ORDER_STATE,
                                      decided_amount__gt=0)
    for case in cases.iterator():
        if order_model.objects.filter(case=case).exists():
            continue
        order = order_model.objects.create(
            case=case, kind="whole", number=1, label="交付金", amount=case.decided_amount,
            pay_on=case.decided_on or case.paid_on, status=ORDER_STATE[case.status],
            prepared_by_id=case.payment_prepared_by_id if case.status != "decided" else None,
            approved_by_id=case.payment_approved_by_id if case.status in ("payment_approved", "paid") else None,
            paid_on=case.paid_on if case.status == "paid" else None,
        )
        item_model.objects.filter(case=case, payment_order__isnull=True).update(payment_order=order)
    orphans = item_model.objects.filter(payment_order__isnull=True).count()
    if orphans:
        raise RuntimeError(f"{orphans} batch items have no payment order: their cases are not formula grants")



class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_states_on_the_rail'),
        ('programmes', '0004_workflow_and_checks'),
        ('ledger', '0005_payment_orders'),
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
        migrations.RunPython(whole_orders, migrations.RunPython.noop),
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
