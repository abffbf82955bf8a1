from django.db import migrations

# Where each model of this app went; its content type follows it, so the audit trail's rows about it still
# point at it.
MOVED = {
    "organizations": ["communityplan", "planitem", "planattachment", "secretariatstaff"],
    "programmes": ["expensecategory", "expenserule", "activitypurpose"],
    "cases": ["changerequest", "budgetline", "performancereport", "reportline", "receipt", "refundorder",
              "refundreceipt"],
}


def move_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, names in MOVED.items():
        content_type.objects.filter(app_label="councils", model__in=names).update(app_label=app_label)


def return_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_type = apps.get_model("contenttypes", "ContentType")
    for app_label, names in MOVED.items():
        content_type.objects.filter(app_label=app_label, model__in=names).update(app_label="councils")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('organizations', '0002_plans_and_staff_from_councils'),
        ('programmes', '0003_expense_rules_from_councils'),
        ('cases', '0004_full_lifecycle_parts_from_councils'),
        ('councils', '0002_refund_submission_key'),
    ]

    operations = [
        # The tables now belong to the apps the models moved to (their migrations renamed them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='budgetline',
                name='purpose',
            ),
            migrations.RemoveField(
                model_name='reportline',
                name='purpose',
            ),
            migrations.RemoveField(
                model_name='budgetline',
                name='case',
            ),
            migrations.RemoveField(
                model_name='budgetline',
                name='category',
            ),
            migrations.RemoveField(
                model_name='budgetline',
                name='change_request',
            ),
            migrations.RemoveField(
                model_name='budgetline',
                name='plan_item',
            ),
            migrations.RemoveField(
                model_name='budgetline',
                name='staff',
            ),
            migrations.RemoveField(
                model_name='changerequest',
                name='case',
            ),
            migrations.RemoveField(
                model_name='changerequest',
                name='decided_by',
            ),
            migrations.RemoveField(
                model_name='changerequest',
                name='requested_by',
            ),
            migrations.RemoveField(
                model_name='communityplan',
                name='approved_by',
            ),
            migrations.RemoveField(
                model_name='communityplan',
                name='created_by',
            ),
            migrations.RemoveField(
                model_name='communityplan',
                name='organization',
            ),
            migrations.RemoveField(
                model_name='communityplan',
                name='revises',
            ),
            migrations.RemoveField(
                model_name='communityplan',
                name='submitted_by',
            ),
            migrations.RemoveField(
                model_name='planattachment',
                name='plan',
            ),
            migrations.RemoveField(
                model_name='planitem',
                name='plan',
            ),
            migrations.RemoveField(
                model_name='expenserule',
                name='category',
            ),
            migrations.RemoveField(
                model_name='reportline',
                name='category',
            ),
            migrations.RemoveField(
                model_name='expenserule',
                name='programme_year',
            ),
            migrations.RemoveField(
                model_name='performancereport',
                name='case',
            ),
            migrations.RemoveField(
                model_name='performancereport',
                name='updated_by',
            ),
            migrations.RemoveField(
                model_name='reportline',
                name='report',
            ),
            migrations.RemoveField(
                model_name='receipt',
                name='report',
            ),
            migrations.RemoveField(
                model_name='planattachment',
                name='uploaded_by',
            ),
            migrations.RemoveField(
                model_name='planitem',
                name='parent',
            ),
            migrations.RemoveField(
                model_name='reportline',
                name='plan_item',
            ),
            migrations.RemoveField(
                model_name='receipt',
                name='line',
            ),
            migrations.RemoveField(
                model_name='receipt',
                name='uploaded_by',
            ),
            migrations.RemoveField(
                model_name='refundorder',
                name='case',
            ),
            migrations.RemoveField(
                model_name='refundorder',
                name='ordered_by',
            ),
            migrations.RemoveField(
                model_name='refundreceipt',
                name='order',
            ),
            migrations.RemoveField(
                model_name='refundreceipt',
                name='ledger_entry',
            ),
            migrations.RemoveField(
                model_name='refundreceipt',
                name='recorded_by',
            ),
            migrations.RemoveField(
                model_name='reportline',
                name='staff',
            ),
            migrations.RemoveField(
                model_name='secretariatstaff',
                name='organization',
            ),
            migrations.RemoveField(
                model_name='secretariatstaff',
                name='recorded_by',
            ),
            migrations.DeleteModel(
                name='ActivityPurpose',
            ),
            migrations.DeleteModel(
                name='BudgetLine',
            ),
            migrations.DeleteModel(
                name='ChangeRequest',
            ),
            migrations.DeleteModel(
                name='CommunityPlan',
            ),
            migrations.DeleteModel(
                name='ExpenseCategory',
            ),
            migrations.DeleteModel(
                name='ExpenseRule',
            ),
            migrations.DeleteModel(
                name='PerformanceReport',
            ),
            migrations.DeleteModel(
                name='PlanAttachment',
            ),
            migrations.DeleteModel(
                name='PlanItem',
            ),
            migrations.DeleteModel(
                name='Receipt',
            ),
            migrations.DeleteModel(
                name='RefundOrder',
            ),
            migrations.DeleteModel(
                name='RefundReceipt',
            ),
            migrations.DeleteModel(
                name='ReportLine',
            ),
            migrations.DeleteModel(
                name='SecretariatStaff',
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, return_content_types),
    ]
