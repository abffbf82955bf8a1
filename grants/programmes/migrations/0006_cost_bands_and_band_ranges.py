"""Marginal rate bands on eligible cost, the rounding of the rate product, the COST_PLUS basis, and count bands
entered "from … to" as the 要綱 writes them (the stored bands keep the same counts)."""

import django.db.models.deletion
from django.db import migrations, models


def bands_from_to(apps, schema_editor):
    """A band stored as 「lower を超え upper 以下」 becomes 「lower + 1 から upper まで」: the same counts."""
    ComponentBand = apps.get_model("programmes", "ComponentBand")
    for band in ComponentBand.objects.all():
        band.from_count = band.lower + 1
        band.to_count = band.upper
        band.save(update_fields=["from_count", "to_count"])


def bands_above(apps, schema_editor):
    ComponentBand = apps.get_model("programmes", "ComponentBand")
    for band in ComponentBand.objects.all():
        band.lower = band.from_count - 1
        band.upper = band.to_count
        band.save(update_fields=["lower", "upper"])


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0005_repeat_year_steps'),
    ]

    operations = [
        migrations.CreateModel(
            name='CostBand',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('up_to', models.PositiveBigIntegerField(blank=True, help_text='例: 「100,000円までの部分」→ 100000。最後の区分（それを超える部分）は空欄にします。', null=True, verbose_name='この額までの部分（円）')),
                ('rate_numerator', models.PositiveIntegerField(default=1, verbose_name='補助率（分子）')),
                ('rate_denominator', models.PositiveIntegerField(default=1, verbose_name='補助率（分母）')),
            ],
            options={
                'verbose_name': '対象経費の段階別の補助率',
                'verbose_name_plural': '対象経費の段階別の補助率',
                'ordering': [models.OrderBy(models.F('up_to'), nulls_last=True)],
            },
        ),
        migrations.AlterModelOptions(
            name='componentband',
            options={'ordering': ['component', 'from_count'], 'verbose_name': '段階区分', 'verbose_name_plural': '段階区分'},
        ),
        migrations.RemoveConstraint(
            model_name='componentband',
            name='band_upper_above_lower',
        ),
        migrations.AddField(
            model_name='componentband',
            name='from_count',
            field=models.PositiveIntegerField(default=1, help_text='例: 101世帯から → 101', verbose_name='から（以上）'),
        ),
        migrations.AddField(
            model_name='componentband',
            name='to_count',
            field=models.PositiveIntegerField(blank=True, help_text='例: 200世帯まで → 200。最後の区分は空欄にします。', null=True, verbose_name='まで（以下、空欄は上限なし）'),
        ),
        migrations.RunPython(bands_from_to, bands_above, elidable=False),
        migrations.RemoveField(
            model_name='componentband',
            name='lower',
        ),
        migrations.RemoveField(
            model_name='componentband',
            name='upper',
        ),
        migrations.AddField(
            model_name='programmeyear',
            name='rate_rounding_mode',
            field=models.CharField(choices=[('floor', '切捨て'), ('ceil', '切上げ'), ('half_up', '四捨五入')], default='floor', help_text='対象経費に補助率を掛けた額に1円未満の端数が出たときの処理です（要綱に定めがなければ切捨て）。', max_length=10, verbose_name='補助率を掛けた額の円未満の端数'),
        ),
        migrations.AlterField(
            model_name='programmeyear',
            name='amount_basis',
            field=models.CharField(choices=[('formula', '算定式の額'), ('cost', '対象経費 × 補助率（算定式の額を限度）'), ('cost_plus', '算定項目の額 ＋ 対象経費 × 補助率')], default='formula', max_length=10, verbose_name='交付額の算定方法'),
        ),
        migrations.AddConstraint(
            model_name='componentband',
            constraint=models.CheckConstraint(condition=models.Q(('from_count__gte', 1)), name='band_from_at_least_one'),
        ),
        migrations.AddConstraint(
            model_name='componentband',
            constraint=models.CheckConstraint(condition=models.Q(('to_count__isnull', True), ('to_count__gte', models.F('from_count')), _connector='OR'), name='band_to_not_below_from'),
        ),
        migrations.AddField(
            model_name='costband',
            name='programme_year',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cost_bands', to='programmes.programmeyear', verbose_name='年度別の交付基準'),
        ),
        migrations.AddConstraint(
            model_name='costband',
            constraint=models.UniqueConstraint(fields=('programme_year', 'up_to'), name='one_cost_band_per_bound'),
        ),
        migrations.AddConstraint(
            model_name='costband',
            constraint=models.UniqueConstraint(condition=models.Q(('up_to__isnull', True)), fields=('programme_year',), name='one_open_cost_band'),
        ),
        migrations.AddConstraint(
            model_name='costband',
            constraint=models.CheckConstraint(condition=models.Q(('up_to__isnull', True), ('up_to__gte', 1), _connector='OR'), name='cost_band_up_to_positive'),
        ),
        migrations.AddConstraint(
            model_name='costband',
            constraint=models.CheckConstraint(condition=models.Q(('rate_denominator__gte', 1)), name='cost_band_denominator_positive'),
        ),
        migrations.AddConstraint(
            model_name='costband',
            constraint=models.CheckConstraint(condition=models.Q(('rate_numerator__lte', models.F('rate_denominator'))), name='cost_band_rate_at_most_one'),
        ),
    ]
