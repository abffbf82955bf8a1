"""Programmes and their per-fiscal-year rules, held as data (GRANTS.md §2, §4).

Nothing about an amount is in code: unit amounts, bands, floor, cap, rounding, base date and the application
window are rows of a ``ProgrammeYear`` and its ``FormulaComponent`` rows, edited in the admin.
"""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label
from grants.core.money import RoundingMode


class Programme(models.Model):
    """A grant programme (交付金・補助金の種類), e.g. ``jichi_shinko`` 自治会等自治振興交付金."""

    code = models.SlugField("事業コード", max_length=40, unique=True)
    name = models.CharField("事業名", max_length=100)
    recipient_kind = models.CharField("交付対象の団体種別", max_length=20)
    description = models.TextField("概要", blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "事業"
        verbose_name_plural = "事業"

    def __str__(self) -> str:
        return self.name


class ProgrammeYear(models.Model):
    """One programme in one 年度, with the rule that computes its amounts.

    amount = rounding(max(floor, min(cap, Σ components))) — floor (下限額) and cap (上限額) are optional,
    whole yen; rounding is unit (1 or 1,000 yen) and mode (切捨て by default). ``base_date`` (基準日) is the
    date on which counts such as member households are taken. ``label`` marks sample rules (サンプル).
    """

    programme = models.ForeignKey(Programme, verbose_name="事業", on_delete=models.PROTECT, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField("年度")
    label = models.CharField("表示ラベル", max_length=40, blank=True, help_text="例: サンプル")
    base_date = models.DateField("基準日")
    application_opens = models.DateField("申請受付開始日")
    application_closes = models.DateField("申請受付終了日")
    floor_amount = models.PositiveBigIntegerField("下限額（円）", null=True, blank=True)
    cap_amount = models.PositiveBigIntegerField("上限額（円）", null=True, blank=True)
    rounding_unit = models.PositiveIntegerField("端数処理の単位（円）", default=1)
    rounding_mode = models.CharField(
        "端数処理の方法", max_length=10, choices=RoundingMode.choices, default=RoundingMode.FLOOR
    )
    rule_source = models.CharField("根拠（要綱の条項など）", max_length=200, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "programme"]
        verbose_name = "年度別の交付基準"
        verbose_name_plural = "年度別の交付基準"
        constraints = [
            models.UniqueConstraint(fields=["programme", "fiscal_year"], name="one_rule_per_programme_year"),
            models.CheckConstraint(condition=Q(rounding_unit__gte=1), name="rounding_unit_positive"),
            models.CheckConstraint(
                condition=Q(floor_amount__isnull=True)
                | Q(cap_amount__isnull=True)
                | Q(floor_amount__lte=models.F("cap_amount")),
                name="floor_not_above_cap",
            ),
            models.CheckConstraint(
                condition=Q(application_opens__lte=models.F("application_closes")),
                name="application_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.label}）" if self.label else ""
        return f"{self.fiscal_year_label} {self.programme.name}{suffix}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    def clean(self) -> None:
        start, end = fiscal_year_bounds(self.fiscal_year)
        errors = {}
        if self.application_opens and self.application_closes and self.application_opens > self.application_closes:
            errors["application_closes"] = "申請受付終了日は開始日より後にしてください。"
        if self.floor_amount is not None and self.cap_amount is not None and self.floor_amount > self.cap_amount:
            errors["floor_amount"] = "下限額が上限額を超えています。"
        if self.base_date and not (dt.date(self.fiscal_year - 1, 4, 1) <= self.base_date <= end):
            errors["base_date"] = f"基準日は前年度または当年度（{start}〜{end}）の日付にしてください。"
        if errors:
            raise ValidationError(errors)


class ComponentKind(models.TextChoices):
    """Formula components (GRANTS.md §4)."""

    FLAT = "flat", "均等割（基本額）"
    PER_HOUSEHOLD = "per_household", "世帯割"
    PER_CAPITA = "per_capita", "人口割"


# Which input each component multiplies; FLAT multiplies nothing.
COMPONENT_INPUT = {
    ComponentKind.PER_HOUSEHOLD: "households",
    ComponentKind.PER_CAPITA: "population",
}

# Inputs a condition may test, with the Japanese name shown to users.
CONDITION_INPUTS = {
    "households": "世帯数",
    "population": "人口",
    "newsletters": "広報紙の年間発行回数",
}


class FormulaComponent(models.Model):
    """One term of a programme-year's formula (均等割, 世帯割 …), in whole yen.

    FLAT adds ``unit_amount`` once. PER_HOUSEHOLD / PER_CAPITA multiply ``unit_amount`` by the count, or,
    when the component has bands, apply each band's unit amount to the part of the count inside the band
    (marginal bands). An optional condition (``condition_input`` ≥ ``condition_min``) switches the term off
    when unmet, e.g. 長浜市: 世帯割 only with at least 2 newsletters a year.
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField("順序", default=0)
    kind = models.CharField("種類", max_length=20, choices=ComponentKind.choices)
    label = models.CharField("名称", max_length=40, help_text="例: 均等割、世帯割")
    unit_amount = models.PositiveBigIntegerField("単価（円）", default=0)
    condition_input = models.CharField(
        "適用条件の項目", max_length=20, blank=True, choices=sorted(CONDITION_INPUTS.items())
    )
    condition_min = models.PositiveIntegerField("適用条件の下限", null=True, blank=True)

    class Meta:
        ordering = ["programme_year", "order", "pk"]
        verbose_name = "算定項目"
        verbose_name_plural = "算定項目"
        constraints = [
            models.CheckConstraint(
                condition=(Q(condition_input="") & Q(condition_min__isnull=True))
                | (~Q(condition_input="") & Q(condition_min__isnull=False)),
                name="condition_complete_or_absent",
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if bool(self.condition_input) != (self.condition_min is not None):
            raise ValidationError("適用条件は項目と下限の両方を入力するか、両方とも空欄にしてください。")


class ComponentBand(models.Model):
    """A marginal band of a per-count component: counts above ``lower`` up to ``upper`` (inclusive; no
    upper = no limit) are paid ``unit_amount`` yen each. Bands of one component must not overlap."""

    component = models.ForeignKey(
        FormulaComponent, verbose_name="算定項目", on_delete=models.CASCADE, related_name="bands"
    )
    lower = models.PositiveIntegerField("超（この数を超える部分）", default=0)
    upper = models.PositiveIntegerField("以下（空欄は上限なし）", null=True, blank=True)
    unit_amount = models.PositiveBigIntegerField("単価（円）")

    class Meta:
        ordering = ["component", "lower"]
        verbose_name = "段階区分"
        verbose_name_plural = "段階区分"
        constraints = [
            models.CheckConstraint(
                condition=Q(upper__isnull=True) | Q(upper__gt=models.F("lower")), name="band_upper_above_lower"
            )
        ]

    def __str__(self) -> str:
        upper = "" if self.upper is None else f"{self.upper:,}"
        return f"{self.lower + 1:,}〜{upper}：1件あたり{self.unit_amount:,}円"
