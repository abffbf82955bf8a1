from django.db import migrations, models

import grants.programmes.models

# The checks each kind of programme ran before they were data: a formula grant's (自治会), and the full
# lifecycle's (地域づくり協議会), with the plan linkage of the programmes marked plan-linked.
FORMULA_CHECKS = ["organization", "household_count", "not_already_paid"]
FULL_CHECKS = ["organization", "recipient_kind", "plan_in_force", "staff_costs", "expense_lines"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    programme = apps.get_model("programmes", "Programme")
    for row in programme.objects.all():
        if row.lifecycle == "full":
            row.workflow = "full"
            row.checks = FULL_CHECKS + (["plan_linkage"] if row.plan_linked else [])
        else:
            row.workflow, row.checks = "formula", list(FORMULA_CHECKS)
        row.save(update_fields=["workflow", "checks"])


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    programme = apps.get_model("programmes", "Programme")
    for row in programme.objects.all():
        row.lifecycle = "full" if row.workflow == "full" else "simple"
        row.plan_linked = "plan_linkage" in (row.checks or [])
        row.save(update_fields=["lifecycle", "plan_linked"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0003_expense_rules_from_councils")]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="workflow",
            field=models.CharField(choices=grants.programmes.models.workflow_choices, default="formula",
                                   max_length=40, verbose_name="手続の流れ"),
        ),
        migrations.AddField(
            model_name="programme",
            name="checks",
            field=models.JSONField(
                blank=True, default=grants.programmes.models.default_checks, verbose_name="要件の確認",
                help_text="この事業で行う要件確認の種類（例: 地域づくり計画の取組との関連付けは活動支援交付金のみ）",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="programme", name="lifecycle"),
        migrations.RemoveField(model_name="programme", name="plan_linked"),
    ]
