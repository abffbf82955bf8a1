import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('councils', '0002_refund_submission_key'),
        ('programmes', '0002_full_lifecycle_rules'),
    ]

    operations = [
        # The models move from the councils app: the state takes them over the tables as they are, then
        # each table takes this app's name.
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='ExpenseCategory',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('code', models.SlugField(max_length=30, unique=True, verbose_name='費目コード')),
                    ('name', models.CharField(max_length=40, verbose_name='費目')),
                    ('order', models.PositiveSmallIntegerField(default=0, verbose_name='順序')),
                    ('is_staff_cost', models.BooleanField(default=False, verbose_name='人件費（事務局員の雇用経費）')),
                ],
                options={
                    'db_table': 'councils_expensecategory',
                    'verbose_name': '費目',
                    'verbose_name_plural': '費目',
                    'ordering': ['order', 'code'],
                },
            ),
            migrations.CreateModel(
                name='ActivityPurpose',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=60, verbose_name='目的')),
                    ('excluded', models.BooleanField(default=False, verbose_name='対象外の目的')),
                    ('reason', models.CharField(blank=True, max_length=200, verbose_name='対象外の理由')),
                    ('order', models.PositiveSmallIntegerField(default=0, verbose_name='順序')),
                    ('programme_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='purposes', to='programmes.programmeyear', verbose_name='年度別の交付基準')),
                ],
                options={
                    'db_table': 'councils_activitypurpose',
                    'verbose_name': '活動の目的',
                    'verbose_name_plural': '活動の目的',
                    'ordering': ['programme_year', 'order', 'pk'],
                    'constraints': [models.UniqueConstraint(fields=('programme_year', 'name'), name='purpose_name_unique'), models.CheckConstraint(condition=models.Q(('excluded', False), models.Q(('reason', ''), _negated=True), _connector='OR'), name='excluded_purpose_has_reason')],
                },
            ),
            migrations.CreateModel(
                name='ExpenseRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('treatment', models.CharField(choices=[('allowed', '対象'), ('conditional', '条件付きで対象'), ('excluded', '対象外')], max_length=12, verbose_name='取扱い')),
                    ('condition', models.CharField(blank=True, help_text='条件付きの場合に、申請者が確認する条件（例: 作業中の飲み物代であること）', max_length=200, verbose_name='対象となる条件')),
                    ('reason', models.CharField(blank=True, max_length=200, verbose_name='対象外の理由・注意')),
                    ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rules', to='programmes.expensecategory', verbose_name='費目')),
                    ('programme_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='expense_rules', to='programmes.programmeyear', verbose_name='年度別の交付基準')),
                ],
                options={
                    'db_table': 'councils_expenserule',
                    'verbose_name': '費目の取扱い',
                    'verbose_name_plural': '費目の取扱い',
                    'ordering': ['programme_year', 'category'],
                    'constraints': [models.UniqueConstraint(fields=('programme_year', 'category'), name='one_rule_per_category'), models.CheckConstraint(condition=models.Q(models.Q(('treatment', 'conditional'), _negated=True), models.Q(('condition', ''), _negated=True), _connector='OR'), name='conditional_rule_has_condition')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='expensecategory', table=None),
        migrations.AlterModelTable(name='activitypurpose', table=None),
        migrations.AlterModelTable(name='expenserule', table=None),
    ]
