"""Programmes and their per-fiscal-year rules, held as data (GRANTS.md §2, §4).

Nothing about an amount is in code: unit amounts, bands, floor, cap, rounding, base date and the application
window are rows of a ``ProgrammeYear`` and its ``FormulaComponent`` rows, edited in the admin.
"""
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from grants.core.deadlines import DayCounting, deadline_wording, due_on
from grants.core.fiscal import fiscal_year_bounds, fiscal_year_label
from grants.core.models import AppendOnlyModel
from grants.core.money import RoundingMode
from grants.core.workflow import variant_choices
from grants.organizations.models import Measure, register_measure_uses

# The checks of a formula grant to 自治会 (GRANTS.md §5): the programme a new row describes unless told otherwise.
FORMULA_CHECKS = ("organization", "household_count", "not_already_paid")


def default_checks() -> list[str]:
    return list(FORMULA_CHECKS)


def workflow_choices() -> list[tuple[str, str]]:
    """The workflows a programme's cases may follow: those registered for cases (``grants.cases.workflows``)."""
    return variant_choices("cases.GrantCase")


class Programme(models.Model):
    """A grant programme (交付金・補助金の種類), e.g. ``jichi_shinko`` 自治会等自治振興交付金.

    A programme is data: the workflow its cases follow (``workflow``: ``formula`` for a formula grant's
    申請書兼請求書, ``full`` for 交付申請 … 額の確定, or any workflow registered as data) and the eligibility checks
    it enables (``checks``: codes of the check providers, ``grants.core.checks``), next to its rules per 年度.
    """

    code = models.SlugField("事業コード", max_length=40, unique=True)
    name = models.CharField("事業名", max_length=100)
    short_name = models.CharField(
        "略称", max_length=20, blank=True,
        help_text="案件番号に用いる短い名称です（例: 活動支援 →「令和8年度 活動支援 第128号」）。"
                  "空欄なら事業名を用います。変えると、これまでの案件の番号の表示も変わります。",
    )
    recipient_kind = models.CharField("交付対象の団体種別", max_length=20)
    description = models.TextField("概要", blank=True)
    workflow = models.CharField("手続の流れ", max_length=40, choices=workflow_choices, default="formula")
    checks = models.JSONField(
        "要件の確認", default=default_checks, blank=True,
        help_text="この事業で行う要件確認の種類（例: 地域づくり計画の取組との関連付けは活動支援交付金のみ）",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "事業"
        verbose_name_plural = "事業"

    def __str__(self) -> str:
        return self.name

    @property
    def number_name(self) -> str:
        """The name a case number carries: the 略称 (活動支援), else the 事業名."""
        return self.short_name or self.name


class AmountBasis(models.TextChoices):
    FORMULA = "formula", "算定式の額"
    COST = "cost", "対象経費 × 補助率（算定式の額を限度）"
    COST_PLUS = "cost_plus", "算定項目の額 ＋ 対象経費 × 補助率"


class ProgrammeYear(models.Model):
    """One programme in one 年度, with the rule that computes its amounts.

    FORMULA basis: amount = rounding(max(floor, min(cap, Σ components))). COST basis (block and competitive
    grants): amount = rounding(min(eligible cost × rate, Σ components when there are any, cap, and eligible
    cost − project income when ``deduct_income``)). COST_PLUS basis (a base amount plus a share of the cost):
    amount = rounding(min(Σ components + eligible cost × rate, cap, eligible cost − income when
    ``deduct_income``)). The rate product is eligible cost × rate, or, when the rule has ``cost_bands``
    (``CostBand``, marginal rate bands: 「100,000円までの部分 × 10/10 ＋ 100,000円を超える部分 × 2/3」), the sum of
    each band's part × its rate; it is brought to whole yen by ``rate_rounding_mode`` (円未満切捨て by default,
    四捨五入 or 切上げ when the 要綱 says so) before the cap. Floor (下限額) and cap (上限額) are optional, whole yen;
    rounding is unit (1 or 1,000 yen) and mode (切捨て by default). When the rule has ``repeat_steps``
    (``RepeatYearStep``), the rate and cap of the project's n-th year (何年目) come from its step instead;
    ``max_project_years`` (同一事業の補助の上限年数, empty = no limit) is the last year a project may be funded.
    ``base_date`` (基準日) is the date on which
    counts such as member households are taken. ``label`` marks sample rules (サンプル).

    The full lifecycle's deadlines and rates are data too: the 実績報告 is due at the earlier of
    ``report_due_days`` days from completion, counted as ``report_due_counting`` says (翌日起算 by default:
    「事業が完了した日の翌日から起算して30日以内」 = completion + 30 days; 初日算入 = completion + 29), and
    ``report_due_fixed``; a 返還命令 is due ``refund_due_days`` days from the day it is issued, counted by
    ``refund_due_counting`` (翌日起算 by default; ``grants.core.deadlines``); 加算金 and 延滞金 are yearly
    percentages on a 365-day year (適正化法第19条 and its 施行令), rounded down to ``penalty_rounding_unit`` yen.
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
    amount_basis = models.CharField("交付額の算定方法", max_length=10, choices=AmountBasis.choices,
                                    default=AmountBasis.FORMULA)
    rate_numerator = models.PositiveIntegerField("補助率（分子）", default=1)
    rate_denominator = models.PositiveIntegerField("補助率（分母）", default=1)
    deduct_income = models.BooleanField("事業収入を控除する", default=False)
    rate_rounding_mode = models.CharField(
        "補助率を掛けた額の円未満の端数", max_length=10, choices=RoundingMode.choices, default=RoundingMode.FLOOR,
        help_text="対象経費に補助率を掛けた額に1円未満の端数が出たときの処理です（要綱に定めがなければ切捨て）。",
    )
    report_due_days = models.PositiveSmallIntegerField(
        "実績報告の期限（完了日から日数）", null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="要綱の日数をそのまま入力し、数え方を選んでください。固定日と両方あるときは早い方が期限です。",
    )
    report_due_counting = models.CharField(
        "実績報告の期限の数え方", max_length=10, choices=DayCounting.choices, default=DayCounting.NEXT_DAY,
        help_text="「完了した日の翌日から起算して…日以内」なら翌日起算、「完了した日を含めて…日以内」なら初日算入です。",
    )
    report_due_fixed = models.DateField("実績報告の期限（固定日）", null=True, blank=True)
    refund_due_days = models.PositiveSmallIntegerField("返還の納期限（返還命令の日から日数）", default=20,
                                                       validators=[MinValueValidator(1)])
    refund_due_counting = models.CharField(
        "返還の納期限の数え方", max_length=10, choices=DayCounting.choices, default=DayCounting.NEXT_DAY,
        help_text="「返還命令の日の翌日から起算して…日以内」なら翌日起算、「…の日を含めて…日以内」なら初日算入です。",
    )
    surcharge_rate = models.DecimalField(
        "加算金の年率（％、交付決定の取消による返還）", max_digits=6, decimal_places=3, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    late_rate = models.DecimalField(
        "延滞金の年率（％）", max_digits=6, decimal_places=3, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    penalty_rounding_unit = models.PositiveIntegerField("加算金・延滞金の端数処理の単位（円、切捨て）", default=1)
    allow_costs_before_decision = models.BooleanField(
        "交付決定前の経費を対象とする", default=False,
        help_text="事務局員の4月分の給与のように、年度当初から交付決定までの経費を対象とする場合に印を付けます。",
    )
    max_project_years = models.PositiveSmallIntegerField(
        "同一事業の補助の上限年数", null=True, blank=True,
        help_text="同じ事業に補助する年数の上限です（例: 3 なら3年目まで）。空欄は制限なしです。",
    )

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
            models.CheckConstraint(condition=Q(rate_denominator__gte=1), name="rate_denominator_positive"),
            models.CheckConstraint(
                condition=Q(rate_numerator__lte=models.F("rate_denominator")), name="rate_at_most_one"
            ),
            models.CheckConstraint(condition=Q(penalty_rounding_unit__gte=1), name="penalty_rounding_unit_positive"),
            models.CheckConstraint(condition=Q(max_project_years__isnull=True) | Q(max_project_years__gte=1),
                                   name="max_project_years_positive"),
        ]

    def __str__(self) -> str:
        suffix = f"（{self.label}）" if self.label else ""
        return f"{self.fiscal_year_label} {self.programme.name}{suffix}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def report_due_wording(self) -> str:
        """The 実績報告's deadline in days as the 要綱 words it, e.g. 「事業が完了した日の翌日から起算して30日以内」;
        empty when the rule has no ``report_due_days``."""
        if not self.report_due_days:
            return ""
        return deadline_wording("事業が完了した日", self.report_due_days, self.report_due_counting)

    def refund_due_on(self, ordered_on: dt.date) -> dt.date:
        """納期限 of a 返還命令 issued on ``ordered_on``: ``refund_due_days`` days counted by
        ``refund_due_counting`` (``grants.core.deadlines.due_on``; ValueError when the days are 0)."""
        return due_on(ordered_on, self.refund_due_days, self.refund_due_counting)

    @property
    def refund_due_wording(self) -> str:
        """The 納期限 as the 要綱 words it, e.g. 「返還命令の日の翌日から起算して20日以内」."""
        return deadline_wording("返還命令の日", self.refund_due_days, self.refund_due_counting)

    def step_for(self, year_no: int) -> "RepeatYearStep | None":
        """The repeat-year step that applies to the project's ``year_no``-th year (何年目, ≥ 1): the step with
        the largest ``from_year`` ≤ ``year_no``, or None when the rule has no step for that year (its own rate
        and cap apply). Reads ``repeat_steps`` (prefetched by ``engine.load_rule``)."""
        found = None
        for step in sorted(self.repeat_steps.all(), key=lambda s: s.from_year):
            if step.from_year <= year_no:
                found = step
        return found

    def clean(self) -> None:
        start, end = fiscal_year_bounds(self.fiscal_year)
        errors = {}
        if self.application_opens and self.application_closes and self.application_opens > self.application_closes:
            errors["application_closes"] = "申請受付終了日は開始日より後にしてください。"
        if self.floor_amount is not None and self.cap_amount is not None and self.floor_amount > self.cap_amount:
            errors["floor_amount"] = "下限額が上限額を超えています。"
        if self.rate_denominator is not None and self.rate_numerator is not None:
            if self.rate_denominator < 1 or self.rate_numerator > self.rate_denominator:
                # on the field the database refuses, so that the form shows no constraint's internal name
                errors["rate_denominator" if self.rate_denominator < 1 else "rate_numerator"] = (
                    "補助率は分母1以上、分子は分母以下にしてください（例: 1/2、10/10）。")
        for name in ("rounding_unit", "penalty_rounding_unit"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                errors[name] = "端数処理の単位は1円以上にしてください（円未満の処理だけなら 1）。"
        if self.max_project_years is not None and self.max_project_years < 1:
            errors["max_project_years"] = "同一事業の補助の上限年数は1年以上にしてください（制限しないときは空欄）。"
        if self.base_date and not (dt.date(self.fiscal_year - 1, 4, 1) <= self.base_date <= end):
            errors["base_date"] = f"基準日は前年度または当年度（{start}〜{end}）の日付にしてください。"
        if errors:
            raise ValidationError(errors)


class RepeatYearStep(models.Model):
    """The rate and cap of a programme-year's rule for the n-th year (何年目) of the same project, e.g. 大和高田市:
    ⅔ with a cap of ¥150,000 in year 1 and ¥100,000 from year 2 (GRANTS.md §4).

    A step applies from ``from_year`` until the year before the next step's ``from_year``; the last one applies
    to every later year (up to the rule's ``max_project_years``). The rate is the exact fraction
    ``rate_numerator``/``rate_denominator`` (≤ 1); the cap is whole yen, empty = no cap for those years. Years
    before the first step take the rule's own rate and cap.
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE, related_name="repeat_steps"
    )
    from_year = models.PositiveSmallIntegerField(
        "適用する年目（から）", default=1,
        help_text="同一事業として何年目から適用するか（例: 2 なら2年目から、次の段階の前の年まで）。",
    )
    rate_numerator = models.PositiveIntegerField("補助率（分子）", default=1)
    rate_denominator = models.PositiveIntegerField("補助率（分母）", default=1)
    cap_amount = models.PositiveBigIntegerField("上限額（円）", null=True, blank=True, help_text="空欄は上限なしです。")

    class Meta:
        ordering = ["programme_year", "from_year"]
        verbose_name = "年目ごとの補助率・上限額"
        verbose_name_plural = "年目ごとの補助率・上限額"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "from_year"], name="one_step_per_repeat_year"),
            models.CheckConstraint(condition=Q(from_year__gte=1), name="repeat_step_from_year_positive"),
            models.CheckConstraint(condition=Q(rate_denominator__gte=1), name="repeat_step_denominator_positive"),
            models.CheckConstraint(
                condition=Q(rate_numerator__lte=models.F("rate_denominator")), name="repeat_step_rate_at_most_one"
            ),
        ]

    def __str__(self) -> str:
        cap = "上限なし" if self.cap_amount is None else f"上限額 {self.cap_amount:,}円"
        return f"{self.from_year}年目から：補助率 {self.rate_numerator}/{self.rate_denominator}、{cap}"

    def clean(self) -> None:
        errors = {}
        if self.from_year is not None and self.from_year < 1:
            errors["from_year"] = "適用する年目は1以上にしてください（1年目からなら 1）。"
        if self.rate_denominator is not None and self.rate_numerator is not None:
            if self.rate_denominator < 1 or self.rate_numerator > self.rate_denominator:
                errors["rate_denominator" if self.rate_denominator < 1 else "rate_numerator"] = (
                    "補助率は分母1以上、分子は分母以下にしてください（例: 2/3、10/10）。")
        if self.programme_year_id and self.from_year:
            limit = self.programme_year.max_project_years
            if limit is not None and self.from_year > limit:
                errors["from_year"] = (f"適用する年目（{self.from_year}年目）が同一事業の補助の上限年数（{limit}年）を"
                                       "超えています。")
        if errors:
            raise ValidationError(errors)


class ComponentKind(models.TextChoices):
    """Formula components (GRANTS.md §4)."""

    FLAT = "flat", "均等割（基本額）"
    PER_HOUSEHOLD = "per_household", "世帯割"
    PER_CAPITA = "per_capita", "人口割"
    PER_UNIT = "per_unit", "数量割（人口・面積など）"
    STAFF_COST = "staff_cost", "事務局員人件費（1人あたり標準額と実支出額の低い方）"
    ACTUAL_COST = "actual_cost", "運営経費（実支出額、単価を限度）"


# Which input each component multiplies (keyed by the kind stored in the field); FLAT multiplies nothing and
# PER_UNIT multiplies its measure (``FormulaComponent.input_code``).
COMPONENT_INPUT: dict[str, str] = {
    ComponentKind.PER_HOUSEHOLD: "households",
    ComponentKind.PER_CAPITA: "population",
}

# Inputs a condition may test besides the measures (``Measure``: 人口, 広報紙の年間発行回数 …), with the Japanese
# name shown to users.
CONDITION_INPUTS = {
    "households": "世帯数",
}

# Inputs of the cost components: a list of yen amounts per staff member, and a yen total.
COST_INPUTS = {
    "staff_costs": "事務局員ごとの人件費",
    "running_costs": "運営経費",
    "eligible_cost": "補助対象経費",
    "income": "事業収入",
}


class FormulaComponent(models.Model):
    """One term of a programme-year's formula (均等割, 世帯割 …), in whole yen.

    FLAT adds ``unit_amount`` once. PER_HOUSEHOLD / PER_CAPITA / PER_UNIT multiply ``unit_amount`` by the
    count (households, population, or the figure of the component's ``measure``: 面積 in km² …), or, when the
    component has bands, apply each band's unit amount to the part of the count inside the band (marginal
    bands); a figure with decimals (12.34 km²) gives an amount rounded down to the yen. An optional condition
    (``condition_input`` ≥ ``condition_min``, where the input is ``households`` or a measure's code) switches
    the term off when unmet, e.g. 長浜市: 世帯割 only with at least 2 newsletters a year.
    """

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField("順序", default=0)
    kind = models.CharField("種類", max_length=20, choices=ComponentKind.choices)
    label = models.CharField("名称", max_length=40, help_text="例: 均等割、世帯割")
    unit_amount = models.PositiveBigIntegerField("単価（円）", default=0)
    measure = models.ForeignKey(
        Measure, verbose_name="数量の項目", null=True, blank=True, on_delete=models.PROTECT, related_name="components",
        help_text="数量割のときに、単価を掛ける数値の項目（人口、面積など）を選びます。",
    )
    condition_input = models.CharField(
        "適用条件の項目", max_length=30, blank=True,
        help_text="世帯数、または算定に使う数値の項目のコード（例: newsletters）。",
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
            ),
            models.CheckConstraint(condition=Q(kind="per_unit", measure__isnull=False) | (
                ~Q(kind="per_unit") & Q(measure__isnull=True)), name="measure_only_for_per_unit"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def input_code(self) -> str | None:
        """The engine input this component multiplies (``households``, ``population``, a measure's code), or
        None for a component that multiplies no count."""
        if self.kind == ComponentKind.PER_UNIT:
            return self.measure.code if self.measure is not None else None
        return COMPONENT_INPUT.get(self.kind)

    @property
    def condition_label(self) -> str:
        """The Japanese name of the input the condition tests (世帯数, 広報紙の年間発行回数 …); empty without one."""
        return input_label(self.condition_input) if self.condition_input else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if bool(self.condition_input) != (self.condition_min is not None):
            errors["condition_min"] = "適用条件は項目と下限の両方を入力するか、両方とも空欄にしてください。"
        if self.condition_input and self.condition_input not in condition_input_codes():
            errors["condition_input"] = (f"適用条件の項目「{self.condition_input}」は、世帯数または登録されている"
                                         "数値の項目ではありません。")
        if self.kind == ComponentKind.PER_UNIT and not self.measure_id:
            errors["measure"] = "数量割には、単価を掛ける数値の項目（人口、面積など）を選んでください。"
        if self.kind != ComponentKind.PER_UNIT and self.measure_id:
            errors["measure"] = "数値の項目は数量割のときだけ選びます。"
        if errors:
            raise ValidationError(errors)


def _condition_uses(measure: Measure) -> list[str]:
    """The components whose condition tests ``measure`` (by its code, which no foreign key protects), in words."""
    found = FormulaComponent.objects.filter(condition_input=measure.code).select_related("programme_year__programme")
    return [f"{c.programme_year}の算定項目「{c.label}」の適用条件" for c in found]


register_measure_uses(_condition_uses)


def condition_input_codes() -> list[str]:
    """The inputs a condition may test: the households and every measure (人口, 面積 …), in order."""
    return [*CONDITION_INPUTS, *Measure.objects.values_list("code", flat=True)]


def condition_input_choices() -> list[tuple[str, str]]:
    """(code, Japanese name) of the inputs a condition may test, for the admin's choice."""
    return [*CONDITION_INPUTS.items(), *Measure.objects.values_list("code", "name")]


def input_label(code: str) -> str:
    """The Japanese name of an engine input: 世帯数, a cost input (補助対象経費 …) or a measure's name (人口, 面積);
    the code itself when it names nothing known."""
    known = CONDITION_INPUTS.get(code) or COST_INPUTS.get(code)
    if known:
        return known
    return Measure.objects.filter(code=code).values_list("name", flat=True).first() or code


class ComponentBand(models.Model):
    """A band of a per-count component, entered as the 要綱 writes it: counts from ``from_count`` to
    ``to_count`` (both inclusive; no ``to_count`` = and above) are paid ``unit_amount`` yen each, for the part of
    the count inside the band (marginal bands: 1〜100世帯 600円, 101世帯以上 400円 → 150 households =
    100 × 600 + 50 × 400). The bands of one component start at 1 and follow one another without gap or overlap
    (checked in the admin, ``check_bands``)."""

    component = models.ForeignKey(
        FormulaComponent, verbose_name="算定項目", on_delete=models.CASCADE, related_name="bands"
    )
    from_count = models.PositiveIntegerField("から（以上）", default=1, help_text="例: 101世帯から → 101")
    to_count = models.PositiveIntegerField("まで（以下、空欄は上限なし）", null=True, blank=True,
                                           help_text="例: 200世帯まで → 200。最後の区分は空欄にします。")
    unit_amount = models.PositiveBigIntegerField("単価（円）")

    class Meta:
        ordering = ["component", "from_count"]
        verbose_name = "段階区分"
        verbose_name_plural = "段階区分"
        constraints = [
            models.CheckConstraint(condition=Q(from_count__gte=1), name="band_from_at_least_one"),
            models.CheckConstraint(
                condition=Q(to_count__isnull=True) | Q(to_count__gte=models.F("from_count")),
                name="band_to_not_below_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.range_label}：1件あたり{self.unit_amount:,}円"

    @property
    def range_label(self) -> str:
        """「1〜100」「101以上」, as the 要綱 writes it."""
        if self.to_count is None:
            return f"{self.from_count:,}以上"
        return f"{self.from_count:,}〜{self.to_count:,}"

    def clean(self) -> None:
        """「から」 at least 1 and 「まで」 not below it, refused on the field (the database's checks name no row)."""
        errors = {}
        if self.from_count is not None and self.from_count < 1:
            errors["from_count"] = "「から」は1以上にしてください（例: 1世帯から → 1）。"
        elif self.from_count is not None and self.to_count is not None and self.to_count < self.from_count:
            errors["to_count"] = (f"「まで」（{self.to_count:,}）が「から」（{self.from_count:,}）より"
                                  "小さくなっています。上限のない区分は空欄にしてください。")
        if errors:
            raise ValidationError(errors)

    def count_within(self, count: int | Decimal) -> int | Decimal:
        """How many of ``count`` fall inside this band (0 when the count does not reach it)."""
        top = count if self.to_count is None else min(count, self.to_count)
        return max(0, top - self.from_count + 1)


class CostBand(models.Model):
    """A marginal rate band on eligible cost (段階的な補助率), as the 要綱 writes it: the part of the eligible cost
    up to ``up_to`` yen (above the previous band's ``up_to``) is paid at ``rate_numerator``/``rate_denominator``;
    the last band has no ``up_to`` (the rest). E.g. 「100,000円までの部分の10/10、100,000円を超える部分の1/2」 is
    two bands: up_to 100,000 at 1/1 and (empty) at 1/2. When a rule has cost bands they give its rate in place of
    the rule's single rate (GRANTS.md §4: "100 % of the first part + 50 % of the rest")."""

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE, related_name="cost_bands"
    )
    up_to = models.PositiveBigIntegerField(
        "この額までの部分（円）", null=True, blank=True,
        help_text="例: 「100,000円までの部分」→ 100000。最後の区分（それを超える部分）は空欄にします。",
    )
    rate_numerator = models.PositiveIntegerField("補助率（分子）", default=1)
    rate_denominator = models.PositiveIntegerField("補助率（分母）", default=1)

    class Meta:
        ordering = [models.F("up_to").asc(nulls_last=True)]
        verbose_name = "対象経費の段階別の補助率"
        verbose_name_plural = "対象経費の段階別の補助率"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "up_to"], name="one_cost_band_per_bound"),
            models.UniqueConstraint(fields=["programme_year"], condition=Q(up_to__isnull=True),
                                    name="one_open_cost_band"),
            models.CheckConstraint(condition=Q(up_to__isnull=True) | Q(up_to__gte=1), name="cost_band_up_to_positive"),
            models.CheckConstraint(condition=Q(rate_denominator__gte=1), name="cost_band_denominator_positive"),
            models.CheckConstraint(
                condition=Q(rate_numerator__lte=models.F("rate_denominator")), name="cost_band_rate_at_most_one"
            ),
        ]

    def __str__(self) -> str:
        part = "それを超える部分" if self.up_to is None else f"{self.up_to:,}円までの部分"
        return f"{part}：補助率 {self.rate_numerator}/{self.rate_denominator}"

    def clean(self) -> None:
        errors = {}
        if self.up_to is not None and self.up_to < 1:
            errors["up_to"] = "この額までの部分は1円以上にしてください（それを超える部分の行は空欄）。"
        if self.rate_denominator is not None and self.rate_numerator is not None:
            if self.rate_denominator < 1 or self.rate_numerator > self.rate_denominator:
                errors["rate_denominator" if self.rate_denominator < 1 else "rate_numerator"] = (
                    "補助率は分母1以上、分子は分母以下にしてください（例: 1/2、10/10）。")
        if errors:
            raise ValidationError(errors)


class Instalment(models.Model):
    """One instalment of the 概算払 plan of a programme-year (e.g. 第1回 4月 50%): when it is paid and its share
    of the decided amount as an exact fraction. Shares of a plan add up to at most 1; what the plan leaves
    is paid at the 精算払 after 額の確定. Amounts are rounded down to whole yen per instalment and the last
    instalment takes the remainder of the planned total (rule: 各回円未満切捨て、端数は最終回で調整)."""

    programme_year = models.ForeignKey(
        ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE, related_name="instalments"
    )
    order = models.PositiveSmallIntegerField("回")
    label = models.CharField("名称", max_length=40, help_text="例: 第1回（4月）")
    share_numerator = models.PositiveIntegerField("割合（分子）")
    share_denominator = models.PositiveIntegerField("割合（分母）")
    pay_on = models.DateField("支払予定日")

    class Meta:
        ordering = ["programme_year", "order"]
        verbose_name = "概算払の計画"
        verbose_name_plural = "概算払の計画"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "order"], name="one_instalment_per_order"),
            models.CheckConstraint(condition=Q(share_denominator__gte=1), name="instalment_denominator_positive"),
            models.CheckConstraint(
                condition=Q(share_numerator__gte=1) & Q(share_numerator__lte=models.F("share_denominator")),
                name="instalment_share_within_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.share_numerator}/{self.share_denominator}）"

    def clean(self) -> None:
        errors = {}
        if self.share_denominator is not None and self.share_numerator is not None:
            if self.share_denominator < 1 or not 1 <= self.share_numerator <= self.share_denominator:
                errors["share_denominator" if self.share_denominator < 1 else "share_numerator"] = (
                    "割合は0より大きく1以下にしてください（例: 1/4）。")
        if self.programme_year_id and self.pay_on:
            start, end = fiscal_year_bounds(self.programme_year.fiscal_year)
            if not start <= self.pay_on <= dt.date(end.year, 5, 31):
                errors["pay_on"] = "支払予定日は当該年度内（出納整理期間を含む）の日付にしてください。"
        if errors:
            raise ValidationError(errors)


# -- 費目 and activity purposes, judged per programme-year (GRANTS.md §5) ------------------------------

class ExpenseCategory(models.Model):
    """An expense category (費目) of 収支予算書 and 収支決算書, e.g. 報償費, 食糧費 (GRANTS.md §5)."""

    code = models.SlugField("費目コード", max_length=30, unique=True)
    name = models.CharField("費目", max_length=40)
    order = models.PositiveSmallIntegerField("順序", default=0)
    is_staff_cost = models.BooleanField("人件費（事務局員の雇用経費）", default=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "費目"
        verbose_name_plural = "費目"

    def __str__(self) -> str:
        return self.name


class Treatment(models.TextChoices):
    ALLOWED = "allowed", "対象"
    CONDITIONAL = "conditional", "条件付きで対象"
    EXCLUDED = "excluded", "対象外"


class ExpenseRule(models.Model):
    """How a programme-year treats one 費目: allowed, excluded, or conditional with its condition in words
    (e.g. 食糧費: 作業中の飲み物は対象、弁当・酒類は対象外). A 費目 without a rule is not eligible."""

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE,
                                       related_name="expense_rules")
    category = models.ForeignKey(ExpenseCategory, verbose_name="費目", on_delete=models.PROTECT, related_name="rules")
    treatment = models.CharField("取扱い", max_length=12, choices=Treatment.choices)
    condition = models.CharField("対象となる条件", max_length=200, blank=True,
                                 help_text="条件付きの場合に、申請者が確認する条件（例: 作業中の飲み物代であること）")
    reason = models.CharField("対象外の理由・注意", max_length=200, blank=True)

    class Meta:
        ordering = ["programme_year", "category"]
        verbose_name = "費目の取扱い"
        verbose_name_plural = "費目の取扱い"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "category"], name="one_rule_per_category"),
            models.CheckConstraint(condition=~Q(treatment="conditional") | ~Q(condition=""),
                                   name="conditional_rule_has_condition"),
        ]

    def __str__(self) -> str:
        return f"{self.category}：{self.get_treatment_display()}"


class ActivityPurpose(models.Model):
    """A purpose an activity line declares (防災, 福祉, 環境 …), per programme-year. Excluded purposes
    (営利のみ, 宗教活動, 政治活動, 特定の個人の利益) make the line ineligible, with ``reason`` in words."""

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.CASCADE,
                                       related_name="purposes")
    name = models.CharField("目的", max_length=60)
    excluded = models.BooleanField("対象外の目的", default=False)
    reason = models.CharField("対象外の理由", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("順序", default=0)

    class Meta:
        ordering = ["programme_year", "order", "pk"]
        verbose_name = "活動の目的"
        verbose_name_plural = "活動の目的"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "name"], name="purpose_name_unique"),
            models.CheckConstraint(condition=Q(excluded=False) | ~Q(reason=""), name="excluded_purpose_has_reason"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleVersion(AppendOnlyModel):
    """One version (版) of a programme-year's rule: the rule's snapshot (``grants.programmes.versions.snapshot``,
    JSON) as it was when cases were decided under it, never edited (append-only).

    Version 1 is taken the first time a case is decided under the rule (or the first time a version is needed);
    a rule used by a decided case is changed only by a new version, with the reason of the change (改正の理由,
    e.g. 要綱の改正（令和8年4月1日施行）). Decided cases keep computing with their version.
    """

    programme_year = models.ForeignKey(ProgrammeYear, verbose_name="年度別の交付基準", on_delete=models.PROTECT,
                                       related_name="versions")
    number = models.PositiveIntegerField("版")
    snapshot = models.JSONField("交付基準の内容")
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    reason = models.CharField("改正の理由", max_length=200, blank=True)

    change_refused = "交付基準の版は変更できません。"
    delete_refused = "交付基準の版は削除できません。"

    class Meta:
        ordering = ["programme_year", "number"]
        verbose_name = "交付基準の版"
        verbose_name_plural = "交付基準の版"
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "number"], name="one_rule_version_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="rule_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} 第{self.number}版"
