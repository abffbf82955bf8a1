from django.db import migrations

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
    ]

    operations = [
        # Alone in its migration: on PostgreSQL the rows it writes must be committed before the tables change.
        migrations.RunPython(whole_orders, migrations.RunPython.noop),
    ]
