import django.db.models.deletion
import grants.organizations.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('councils', '0002_refund_submission_key'),
        # Every foreign key to the moved tables exists before they are renamed (SQLite renames the references).
        ('cases', '0003_case_plan'),
        ('organizations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models move from the councils app: the state takes them over the tables as they are, then
        # each table takes this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='CommunityPlan',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveSmallIntegerField(verbose_name='版')),
                    ('term_label', models.CharField(help_text='例: 第3期', max_length=40, verbose_name='期')),
                    ('title', models.CharField(max_length=200, verbose_name='計画の名称')),
                    ('first_fiscal_year', models.PositiveSmallIntegerField(verbose_name='計画期間（初年度）')),
                    ('last_fiscal_year', models.PositiveSmallIntegerField(verbose_name='計画期間（最終年度）')),
                    ('vision', models.TextField(blank=True, verbose_name='目指す地域の姿')),
                    ('revision_reason', models.TextField(blank=True, verbose_name='改定の理由')),
                    ('status', models.CharField(choices=[('draft', '作成中'), ('submitted', '提出済（承認待ち）'), ('approved', '承認済'), ('superseded', '改定により終了')], default='draft', max_length=12, verbose_name='状態')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='作成日時')),
                    ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提出日時')),
                    ('approved_at', models.DateTimeField(blank=True, null=True, verbose_name='承認日時')),
                    ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='承認者')),
                    ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='作成者')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='organizations.organization', verbose_name='協議会')),
                    ('revises', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='organizations.communityplan', verbose_name='改定前の版')),
                    ('submitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提出者')),
                ],
                options={
                    'db_table': 'councils_communityplan',
                    'verbose_name': '地域づくり計画',
                    'verbose_name_plural': '地域づくり計画',
                    'ordering': ['organization', '-version'],
                },
            ),
            migrations.CreateModel(
                name='PlanAttachment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='資料名')),
                    ('file', models.FileField(upload_to=grants.organizations.models.plan_attachment_path, verbose_name='ファイル')),
                    ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                    ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='organizations.communityplan', verbose_name='計画')),
                    ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ],
                options={
                    'db_table': 'councils_planattachment',
                    'verbose_name': '計画の添付資料',
                    'verbose_name_plural': '計画の添付資料',
                    'ordering': ['plan', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='PlanItem',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('level', models.CharField(choices=[('field', '分野'), ('measure', '施策'), ('action', '取組')], max_length=10, verbose_name='階層')),
                    ('code', models.CharField(help_text='例: 1-2-3', max_length=20, verbose_name='番号')),
                    ('title', models.CharField(max_length=200, verbose_name='名称')),
                    ('description', models.TextField(blank=True, verbose_name='内容')),
                    ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='children', to='organizations.planitem', verbose_name='上位の項目')),
                    ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='organizations.communityplan', verbose_name='計画')),
                ],
                options={
                    'db_table': 'councils_planitem',
                    'verbose_name': '計画の項目',
                    'verbose_name_plural': '計画の項目',
                    'ordering': ['plan', 'code'],
                },
            ),
            migrations.CreateModel(
                name='SecretariatStaff',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, verbose_name='氏名')),
                    ('role', models.CharField(help_text='例: 事務局長、事務局員', max_length=40, verbose_name='職名')),
                    ('pay_basis', models.CharField(choices=[('monthly', '月給'), ('hourly', '時給')], max_length=10, verbose_name='給与の形態')),
                    ('monthly_wage', models.PositiveIntegerField(blank=True, null=True, verbose_name='月給（円）')),
                    ('hourly_rate', models.PositiveIntegerField(blank=True, null=True, verbose_name='時給（円）')),
                    ('hours_per_month', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='月間の勤務時間')),
                    ('social_insurance_monthly', models.PositiveIntegerField(default=0, verbose_name='社会保険料の事業主負担（月額・円）')),
                    ('employed_from', models.DateField(verbose_name='雇用開始日')),
                    ('employed_until', models.DateField(blank=True, null=True, verbose_name='雇用終了日')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                    ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='secretariat_staff', to='organizations.organization', verbose_name='協議会')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                ],
                options={
                    'db_table': 'councils_secretariatstaff',
                    'verbose_name': '事務局員',
                    'verbose_name_plural': '事務局員',
                    'ordering': ['organization', 'employed_from', 'pk'],
                },
            ),
            migrations.AddConstraint(
                model_name='communityplan',
                constraint=models.UniqueConstraint(fields=('organization', 'version'), name='plan_version_unique'),
            ),
            migrations.AddConstraint(
                model_name='communityplan',
                constraint=models.CheckConstraint(condition=models.Q(('first_fiscal_year__lte', models.F('last_fiscal_year'))), name='plan_term_ordered'),
            ),
            migrations.AddConstraint(
                model_name='communityplan',
                constraint=models.CheckConstraint(condition=models.Q(('approved_by__isnull', True), models.Q(('approved_by', models.F('submitted_by')), _negated=True), _connector='OR'), name='plan_approved_by_another'),
            ),
            migrations.AddConstraint(
                model_name='planitem',
                constraint=models.UniqueConstraint(fields=('plan', 'code'), name='plan_item_code_unique'),
            ),
            migrations.AddConstraint(
                model_name='planitem',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('level', 'field'), ('parent__isnull', True)), models.Q(models.Q(('level', 'field'), _negated=True), ('parent__isnull', False)), _connector='OR'), name='plan_item_parent_by_level'),
            ),
            migrations.AddConstraint(
                model_name='secretariatstaff',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('pay_basis', 'monthly'), ('monthly_wage__isnull', False)), models.Q(('pay_basis', 'hourly'), ('hourly_rate__isnull', False), ('hours_per_month__isnull', False)), _connector='OR'), name='staff_pay_complete'),
            ),
            migrations.AddConstraint(
                model_name='secretariatstaff',
                constraint=models.CheckConstraint(condition=models.Q(('employed_until__isnull', True), ('employed_until__gte', models.F('employed_from')), _connector='OR'), name='staff_period_ordered'),
            ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='communityplan', table=None),
        migrations.AlterModelTable(name='planattachment', table=None),
        migrations.AlterModelTable(name='planitem', table=None),
        migrations.AlterModelTable(name='secretariatstaff', table=None),
    ]
