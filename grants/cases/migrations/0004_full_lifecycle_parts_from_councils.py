import django.db.models.deletion
import grants.cases.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('councils', '0002_refund_submission_key'),
        ('cases', '0003_case_plan'),
        ('ledger', '0005_payment_orders'),
        ('organizations', '0002_plans_and_staff_from_councils'),
        ('programmes', '0003_expense_rules_from_councils'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models move from the councils app: the state takes them over the tables as they are, then
        # each table takes this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='grantcase',
                name='plan',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='organizations.communityplan', verbose_name='審査に用いた地域づくり計画'),
            ),
            migrations.CreateModel(
                name='ChangeRequest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('reason', models.TextField(verbose_name='変更の理由')),
                    ('requested_amount', models.PositiveBigIntegerField(verbose_name='変更後の交付申請額')),
                    ('new_completion_deadline', models.DateField(blank=True, null=True, verbose_name='変更後の完了期限')),
                    ('status', models.CharField(choices=[('draft', '作成中'), ('pending', '審査中'), ('approved', '承認'), ('rejected', '不承認')], default='draft', max_length=10, verbose_name='状態')),
                    ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='申請日時')),
                    ('assessed_amount', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='査定額')),
                    ('previous_amount', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='変更前の交付決定額')),
                    ('decided_amount', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='変更後の交付決定額')),
                    ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='決裁日時')),
                    ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_requests', to='cases.grantcase', verbose_name='案件')),
                    ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='決裁者')),
                    ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申請者')),
                ],
                options={
                    'db_table': 'councils_changerequest',
                    'verbose_name': '変更承認申請',
                    'verbose_name_plural': '変更承認申請',
                    'ordering': ['case', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='BudgetLine',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('income', '収入'), ('expense', '支出')], default='expense', max_length=10, verbose_name='区分')),
                    ('description', models.CharField(max_length=200, verbose_name='内容')),
                    ('amount', models.PositiveBigIntegerField(verbose_name='金額（円）')),
                    ('spent_on', models.DateField(blank=True, null=True, verbose_name='支出（予定）日')),
                    ('condition_confirmed', models.BooleanField(default=False, verbose_name='条件を満たすことを確認した')),
                    ('order', models.PositiveSmallIntegerField(default=0, verbose_name='順序')),
                    ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budget_lines', to='cases.grantcase', verbose_name='案件')),
                    ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.expensecategory', verbose_name='費目')),
                    ('plan_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.planitem', verbose_name='計画の取組')),
                    ('purpose', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.activitypurpose', verbose_name='活動の目的')),
                    ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.secretariatstaff', verbose_name='事務局員')),
                    ('change_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='cases.changerequest', verbose_name='変更承認申請')),
                ],
                options={
                    'db_table': 'councils_budgetline',
                    'verbose_name': '収支予算の明細',
                    'verbose_name_plural': '収支予算の明細',
                    'ordering': ['kind', 'order', 'pk'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='PerformanceReport',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('narrative', models.TextField(verbose_name='事業の実施状況')),
                    ('completed_on', models.DateField(verbose_name='事業完了日')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
                    ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='提出日時')),
                    ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='report', to='cases.grantcase', verbose_name='案件')),
                    ('updated_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='記入者')),
                ],
                options={
                    'db_table': 'councils_performancereport',
                    'verbose_name': '実績報告',
                    'verbose_name_plural': '実績報告',
                },
            ),
            migrations.CreateModel(
                name='RefundOrder',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('principal', models.PositiveBigIntegerField(verbose_name='返還を命じる額（円）')),
                    ('reason', models.CharField(choices=[('confirmation', '額の確定による返還（適正化法第18条第2項の例）'), ('cancellation', '交付決定の取消による返還（適正化法第18条第1項の例）')], default='confirmation', max_length=20, verbose_name='返還の理由')),
                    ('ordered_on', models.DateField(verbose_name='返還命令日')),
                    ('due_on', models.DateField(verbose_name='納期限')),
                    ('surcharge_rate', models.DecimalField(decimal_places=3, max_digits=6, verbose_name='加算金の年率（％）')),
                    ('late_rate', models.DecimalField(decimal_places=3, max_digits=6, verbose_name='延滞金の年率（％）')),
                    ('penalty_rounding_unit', models.PositiveIntegerField(default=1, verbose_name='加算金・延滞金の端数処理の単位（円）')),
                    ('status', models.CharField(choices=[('ordered', '納付待ち'), ('settled', '納付済')], default='ordered', max_length=10, verbose_name='状態')),
                    ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='refund_order', to='cases.grantcase', verbose_name='案件')),
                    ('ordered_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='命令者')),
                ],
                options={
                    'db_table': 'councils_refundorder',
                    'verbose_name': '返還命令',
                    'verbose_name_plural': '返還命令',
                },
            ),
            migrations.CreateModel(
                name='RefundReceipt',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('received_on', models.DateField(verbose_name='納付日')),
                    ('principal_part', models.PositiveBigIntegerField(verbose_name='元金への充当額')),
                    ('surcharge_part', models.PositiveBigIntegerField(default=0, verbose_name='加算金')),
                    ('late_part', models.PositiveBigIntegerField(default=0, verbose_name='延滞金')),
                    ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='記録日時')),
                    ('submission_key', models.CharField(blank=True, help_text='同じ画面からの二重送信で同じ納付が2回記録されないための識別子（画面ごとに生成）', max_length=40, verbose_name='送信の識別子')),
                    ('ledger_entry', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='refund_receipt', to='ledger.ledgerentry', verbose_name='返還の仕訳')),
                    ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='receipts', to='cases.refundorder', verbose_name='返還命令')),
                    ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='記録者')),
                ],
                options={
                    'db_table': 'councils_refundreceipt',
                    'verbose_name': '返還金の納付',
                    'verbose_name_plural': '返還金の納付',
                    'ordering': ['order', 'received_on', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='ReportLine',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('income', '収入'), ('expense', '支出')], default='expense', max_length=10, verbose_name='区分')),
                    ('description', models.CharField(max_length=200, verbose_name='内容')),
                    ('amount', models.PositiveBigIntegerField(verbose_name='金額（円）')),
                    ('spent_on', models.DateField(blank=True, null=True, verbose_name='支出（予定）日')),
                    ('condition_confirmed', models.BooleanField(default=False, verbose_name='条件を満たすことを確認した')),
                    ('order', models.PositiveSmallIntegerField(default=0, verbose_name='順序')),
                    ('recipient', models.CharField(blank=True, max_length=120, verbose_name='再交付先（交付した団体）')),
                    ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.expensecategory', verbose_name='費目')),
                    ('plan_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.planitem', verbose_name='計画の取組')),
                    ('purpose', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='programmes.activitypurpose', verbose_name='活動の目的')),
                    ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='cases.performancereport', verbose_name='実績報告')),
                    ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.secretariatstaff', verbose_name='事務局員')),
                ],
                options={
                    'db_table': 'councils_reportline',
                    'verbose_name': '収支決算の明細',
                    'verbose_name_plural': '収支決算の明細',
                    'ordering': ['kind', 'order', 'pk'],
                    'abstract': False,
                },
            ),
            migrations.CreateModel(
                name='Receipt',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('title', models.CharField(max_length=200, verbose_name='内容')),
                    ('file', models.FileField(upload_to=grants.cases.models.receipt_path, verbose_name='ファイル')),
                    ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='登録日時')),
                    ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='receipts', to='cases.performancereport', verbose_name='実績報告')),
                    ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登録者')),
                    ('line', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='receipts', to='cases.reportline', verbose_name='明細')),
                ],
                options={
                    'db_table': 'councils_receipt',
                    'verbose_name': '領収書の写し',
                    'verbose_name_plural': '領収書の写し',
                    'ordering': ['report', 'pk'],
                },
            ),
            migrations.AddConstraint(
                model_name='changerequest',
                constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'pending'])), fields=('case',), name='one_open_change_per_case'),
            ),
            migrations.AddConstraint(
                model_name='budgetline',
                constraint=models.CheckConstraint(condition=models.Q(('kind', 'income'), ('category__isnull', False), _connector='OR'), name='budget_expense_has_category'),
            ),
            migrations.AddConstraint(
                model_name='refundorder',
                constraint=models.CheckConstraint(condition=models.Q(('principal__gt', 0)), name='refund_principal_positive'),
            ),
            migrations.AddConstraint(
                model_name='refundorder',
                constraint=models.CheckConstraint(condition=models.Q(('due_on__gte', models.F('ordered_on'))), name='refund_due_after_order'),
            ),
            migrations.AddConstraint(
                model_name='refundreceipt',
                constraint=models.UniqueConstraint(condition=models.Q(('submission_key', ''), _negated=True), fields=('order', 'submission_key'), name='refund_receipt_submitted_once'),
            ),
            migrations.AddConstraint(
                model_name='reportline',
                constraint=models.CheckConstraint(condition=models.Q(('kind', 'income'), ('category__isnull', False), _connector='OR'), name='report_expense_has_category'),
            ),
            migrations.AddConstraint(
                model_name='reportline',
                constraint=models.CheckConstraint(condition=models.Q(('kind', 'expense'), ('recipient', ''), _connector='OR'), name='subgrant_is_expense'),
            ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='changerequest', table=None),
        migrations.AlterModelTable(name='budgetline', table=None),
        migrations.AlterModelTable(name='performancereport', table=None),
        migrations.AlterModelTable(name='refundorder', table=None),
        migrations.AlterModelTable(name='refundreceipt', table=None),
        migrations.AlterModelTable(name='reportline', table=None),
        migrations.AlterModelTable(name='receipt', table=None),
    ]
