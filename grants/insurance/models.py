"""コミュニティ活動保険 (山口市社会貢献活動保険制度): the yearly policy as data (GRANTS.md §6).

The city pays the premium and groups do not enrol beforehand; what an accident is worth depends on the policy of
the year it happened in. Every amount, limit, window and deadline below is a field, edited in the admin; nothing
about cover is in code. Amounts are whole yen; windows and deadlines are days.
"""
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class BenefitMode(models.TextChoices):
    PER_DAY = "per_day", "日額（入院・通院の日数 × 日額）"
    BANDED = "banded", "治療日数に応じた定額（段階）"


class InsurancePolicy(models.Model):
    """The city's policy for one period (保険期間): insurer, liability limits and injury benefits.

    Liability (賠償責任): bodily injury per person and per accident, property per accident, goods in custody, and
    the deductible (免責金額) per accident. Injury (傷害): death, disability (a percentage of the death benefit by
    grade, kept between a floor and the death benefit), and either per-day benefits (inpatient and outpatient,
    each counted within a window from the accident day — the accident day is day 1 — up to a maximum number of
    days, outpatient after waiting days; surgery as a multiple of the inpatient day) or banded lump sums by the
    number of treatment days. The 事故報告書 is due ``report_due_days`` days counting the accident day (20 →
    accident + 19 days); a claim is filed after recovery, or at ``claim_after_days`` days from the accident when
    treatment goes on.
    """

    fiscal_year = models.PositiveSmallIntegerField("年度")
    insurer = models.CharField("保険会社", max_length=100)
    policy_number = models.CharField("証券番号", max_length=40)
    period_start = models.DateField("保険期間（始期）")
    period_end = models.DateField("保険期間（終期）")
    label = models.CharField("表示ラベル", max_length=40, blank=True, help_text="例: サンプル")
    # 賠償責任
    liability_bodily_per_person = models.PositiveBigIntegerField("身体賠償（1名あたり・円）", default=0)
    liability_bodily_per_accident = models.PositiveBigIntegerField("身体賠償（1事故あたり・円）", default=0)
    liability_property_per_accident = models.PositiveBigIntegerField("財物賠償（1事故あたり・円）", default=0)
    liability_custody_per_accident = models.PositiveBigIntegerField("受託物賠償（1事故あたり・円）", default=0)
    liability_deductible = models.PositiveBigIntegerField("免責金額（1事故あたり・円）", default=0)
    # 傷害
    death_benefit = models.PositiveBigIntegerField("死亡保険金（円）", default=0)
    disability_min = models.PositiveBigIntegerField("後遺障害保険金の最低額（円）", default=0)
    benefit_mode = models.CharField("入院・通院の支払方法", max_length=10, choices=BenefitMode.choices,
                                    default=BenefitMode.PER_DAY)
    inpatient_daily = models.PositiveBigIntegerField("入院保険金日額（円）", default=0)
    inpatient_window_days = models.PositiveSmallIntegerField("入院の対象期間（事故の日を含む日数）", default=180)
    inpatient_max_days = models.PositiveSmallIntegerField("入院の支払限度日数", null=True, blank=True)
    outpatient_daily = models.PositiveBigIntegerField("通院保険金日額（円）", default=0)
    outpatient_window_days = models.PositiveSmallIntegerField("通院の対象期間（事故の日を含む日数）", default=180)
    outpatient_max_days = models.PositiveSmallIntegerField("通院の支払限度日数", null=True, blank=True)
    outpatient_waiting_days = models.PositiveSmallIntegerField("通院の免責日数（最初の何日を支払わないか）", default=0)
    surgery_multiple_inpatient = models.PositiveSmallIntegerField("入院中の手術（入院日額の倍数）", default=0)
    surgery_multiple_outpatient = models.PositiveSmallIntegerField("外来の手術（入院日額の倍数）", default=0)
    surgery_max_count = models.PositiveSmallIntegerField("手術保険金を支払う回数（1事故あたり）", default=1)
    banded_window_days = models.PositiveSmallIntegerField("定額払の治療日数の対象期間（事故の日を含む日数）",
                                                          default=180)
    # 期限
    report_due_days = models.PositiveSmallIntegerField("事故報告の期限（事故の日を含む日数）", default=20)
    claim_after_days = models.PositiveSmallIntegerField("治療中でも請求できる日数（事故の日から）", default=180)
    source = models.CharField("根拠（契約・要綱）", max_length=200, blank=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = "保険契約（年度別の補償内容）"
        verbose_name_plural = "保険契約（年度別の補償内容）"
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year"], name="one_policy_per_fiscal_year"),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="policy_period_ordered"),
            models.CheckConstraint(condition=Q(disability_min__lte=models.F("death_benefit")),
                                   name="disability_floor_within_death_benefit"),
            models.CheckConstraint(condition=Q(report_due_days__gte=1), name="report_due_days_positive"),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.label}）" if self.label else ""
        return f"{self.insurer} {self.policy_number}{suffix}"

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_start > self.period_end:
            errors["period_end"] = "保険期間の終期は始期より後にしてください。"
        if self.disability_min > self.death_benefit:
            errors["disability_min"] = "後遺障害保険金の最低額は死亡保険金以下にしてください。"
        if errors:
            raise ValidationError(errors)

    def covers(self, day: dt.date) -> bool:
        return self.period_start <= day <= self.period_end


class BenefitBand(models.Model):
    """A lump sum paid when the treatment days (inpatient + outpatient, within the window) fall in the band
    (``lower`` … ``upper`` days inclusive; no upper = no limit). Bands of a policy must not overlap."""

    policy = models.ForeignKey(InsurancePolicy, verbose_name="保険契約", on_delete=models.CASCADE, related_name="bands")
    lower_days = models.PositiveSmallIntegerField("治療日数（以上）")
    upper_days = models.PositiveSmallIntegerField("治療日数（以下、空欄は上限なし）", null=True, blank=True)
    amount = models.PositiveBigIntegerField("保険金（円）")

    class Meta:
        ordering = ["policy", "lower_days"]
        verbose_name = "定額払の段階"
        verbose_name_plural = "定額払の段階"
        constraints = [
            models.CheckConstraint(condition=Q(lower_days__gte=1), name="band_lower_at_least_one_day"),
            models.CheckConstraint(condition=Q(upper_days__isnull=True) | Q(upper_days__gte=models.F("lower_days")),
                                   name="band_days_ordered"),
        ]

    def __str__(self) -> str:
        upper = "" if self.upper_days is None else f"{self.upper_days}"
        return f"{self.lower_days}〜{upper}日：{self.amount:,}円"

    def contains(self, days: int) -> bool:
        return self.lower_days <= days and (self.upper_days is None or days <= self.upper_days)
