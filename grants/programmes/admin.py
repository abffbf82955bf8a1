from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin
from grants.core.admin_formsets import FreshRowsFormSet
from grants.core.checks import provider_choices
from grants.programmes.models import ActivityPurpose, ExpenseRule

from .admin_versions import ComponentRuleAdminMixin, RuleAdminMixin
from .bands import CostRow, CountRow, cost_band_errors, count_band_errors
from .inputs import unfed_needs
from .models import (
    AmountBasis,
    ComponentBand,
    ComponentKind,
    CostBand,
    FormulaComponent,
    Instalment,
    Programme,
    ProgrammeYear,
    RepeatYearStep,
    condition_input_choices,
)


class FormulaComponentForm(forms.ModelForm):
    """A component, its condition's input chosen among the households and the measures on file (人口, 面積 …)."""

    condition_input = forms.ChoiceField(
        label="適用条件の項目", required=False, choices=lambda: [("", "（条件なし）"), *condition_input_choices()],
    )

    class Meta:
        model = FormulaComponent
        fields: tuple[str, ...] = ("order", "kind", "label", "unit_amount", "measure", "condition_input",
                                   "condition_min")


#: The kinds whose count a band table divides (世帯割, 人口割, 数量割); the engine ignores bands on any other kind.
BANDED_KINDS = (ComponentKind.PER_HOUSEHOLD, ComponentKind.PER_CAPITA, ComponentKind.PER_UNIT)
BANDS_UNUSED = ("算定項目「{label}」：段階区分は世帯割・人口割・数量割のときだけ使います。この種類では段階区分が"
                "使われないため、種類を選び直すか、算定項目の画面で段階区分を削除してください。")


class FormulaComponentFormSet(FreshRowsFormSet):
    """The components of a rule, refused when the programme's flow cannot supply an input they use (a 面積割 in a
    flow that receives no area): the reason names the component and the input (``inputs.unfed_needs``)."""

    siblings: list[forms.BaseInlineFormSet] = []

    def clean(self) -> None:
        super().clean()
        rule = self.instance
        if not rule.programme_id or any(form.errors for form in self.forms):
            return
        components = [form.instance for form in self.forms
                      if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")]
        reasons = [BANDS_UNUSED.format(label=c.label) for c in components
                   if c.pk and c.kind not in BANDED_KINDS and c.bands.exists()]
        reasons += unfed_needs(rule, components, rule.programme.workflow, has_steps=self._has_steps())
        if reasons:
            raise ValidationError(reasons)

    def _has_steps(self) -> bool:
        """Whether the rule has repeat-year steps: the rows of the steps' table on the same page, or those saved."""
        for sibling in self.siblings:
            if sibling.model is RepeatYearStep and sibling.is_valid():
                return any(getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
                           for form in sibling.forms)
        return bool(self.instance.pk) and self.instance.repeat_steps.exists()


class FormulaComponentInline(admin.TabularInline):
    model = FormulaComponent
    form = FormulaComponentForm
    formset = FormulaComponentFormSet
    extra = 0
    show_change_link = True


class RepeatYearStepInline(admin.TabularInline):
    """The rate and cap by repeat year (何年目) of the same project; each step applies until the next one."""

    model = RepeatYearStep
    formset = FreshRowsFormSet
    extra = 0
    fields = ("from_year", "rate_numerator", "rate_denominator", "cap_amount")


def kept_rows(formset: forms.BaseInlineFormSet) -> list[tuple[int, dict[str, Any]]]:
    """(row number on the form, 1-based; cleaned data) of the rows that are filled in and not marked for deletion."""
    rows = []
    for number, form in enumerate(formset.forms, start=1):
        data = getattr(form, "cleaned_data", None) or {}
        if data and not data.get("DELETE"):
            rows.append((number, data))
    return rows


class CostBandFormSet(FreshRowsFormSet):
    """Cost bands as a table: one row per bound, one open row at most, and, when there are bands, the rule's own
    rate and the repeat-year steps' rates left at 10/10 (the bands give the rate; two rates for one part would
    contradict each other). ``siblings`` are the other inline formsets of the same page (``ProgrammeYearAdmin``)."""

    siblings: list[forms.BaseInlineFormSet] = []

    def clean(self) -> None:
        # Before the formset's own uniqueness check, whose message names no row.
        rows = kept_rows(self)
        readable = not any(form.errors for form in self.forms)  # a bound refused at its field is not 「空欄」
        errors = cost_band_errors([CostRow(number, data.get("up_to")) for number, data in rows]) if readable else []
        rule = self.instance
        if rows and rule.amount_basis == AmountBasis.FORMULA:
            errors.append("段階別の補助率は、算定方法が「対象経費 × 補助率」または「算定項目の額 ＋ 対象経費 × 補助率」"
                          "のときに使います。算定方法を選び直すか、段階別の補助率を削除してください。")
        if rows and rule.rate_numerator != rule.rate_denominator:
            errors.append(f"段階別の補助率を定めたときは、上の補助率（{rule.rate_numerator}/{rule.rate_denominator}）は"
                          "10/10（分子・分母とも同じ数）のままにしてください。補助率は各段階の欄で定めます。")
        if rows:
            for sibling in self.siblings:
                if sibling.model is not RepeatYearStep or not sibling.is_valid():
                    continue
                for number, data in kept_rows(sibling):
                    if data.get("rate_numerator") != data.get("rate_denominator"):
                        errors.append(f"年目ごとの補助率・上限額の{number}行目の補助率"
                                      f"（{data.get('rate_numerator')}/{data.get('rate_denominator')}）：段階別の補助率を"
                                      "定めたときは、年目ごとには上限額だけを定め、補助率は10/10のままにしてください。")
        if errors:
            raise ValidationError(errors)
        super().clean()


class CostBandInline(admin.TabularInline):
    """「100,000円までの部分は10/10、それを超える部分は2/3」: one row per part, the last one without a bound."""

    model = CostBand
    formset = CostBandFormSet
    extra = 0
    fields = ("up_to", "rate_numerator", "rate_denominator")


class InstalmentFormSet(FreshRowsFormSet):
    """The shares of a 概算払 plan add up to at most 1: what they leave is paid at the 精算払."""

    def clean(self) -> None:
        super().clean()
        total = Fraction(0)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            numerator, denominator = data.get("share_numerator"), data.get("share_denominator")
            if numerator is not None and denominator:
                total += Fraction(numerator, denominator)
        if total > 1:
            raise ValidationError(
                f"概算払の計画の割合の合計が1を超えています（合計 {total.numerator}/{total.denominator}）。"
                "各回の割合の合計を1以下にしてください。残りは額の確定後に精算払で支払います。"
            )


class InstalmentInline(admin.TabularInline):
    model = Instalment
    formset = InstalmentFormSet
    extra = 0
    fields = ("order", "label", "share_numerator", "share_denominator", "pay_on")


class ExpenseRuleInline(admin.TabularInline):
    model = ExpenseRule
    formset = FreshRowsFormSet
    extra = 0
    fields = ("category", "treatment", "condition", "reason")


class ActivityPurposeInline(admin.TabularInline):
    model = ActivityPurpose
    formset = FreshRowsFormSet
    extra = 0
    fields = ("order", "name", "excluded", "reason")


class ProgrammeForm(forms.ModelForm):
    """The checks a programme enables, as boxes to tick among the registered check providers."""

    checks = forms.MultipleChoiceField(
        label="要件の確認", choices=provider_choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="この事業の申請で行う要件確認です。地域づくり計画の取組との関連付けは、計画に基づく事業だけに付けます。",
    )

    class Meta:
        model = Programme
        fields = ("code", "name", "short_name", "recipient_kind", "description", "workflow", "checks")

    def clean(self) -> dict[str, Any]:
        """A programme whose flow changes keeps rules the new flow can feed (``inputs.unfed_needs``)."""
        data = super().clean() or {}
        variant = data.get("workflow")
        if variant and self.instance.pk:
            reasons = []
            for year in self.instance.years.prefetch_related("components__measure", "repeat_steps"):
                reasons += [f"{year.fiscal_year_label}の交付基準：{reason}" for reason in unfed_needs(
                    year, year.components.all(), variant, has_steps=bool(year.repeat_steps.all()))]
            if reasons:
                self.add_error("workflow", reasons)
        return data


@admin.register(Programme)
class ProgrammeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ProgrammeForm
    list_display = ("code", "name", "short_name", "recipient_kind", "workflow", "enabled_checks")
    list_filter = ("workflow",)

    @admin.display(description="要件の確認")
    def enabled_checks(self, programme: Programme) -> str:
        names = dict(provider_choices())
        return "、".join(names.get(code, code) for code in programme.checks or [])


# Help for the fields of the full lifecycle (GRANTS.md §3–§4), in the words of the 要綱.
RULE_HELP = {
    "amount_basis": (
        "「算定式の額」は算定項目の合計です（例: 事務局員人件費＋運営経費）。「対象経費 × 補助率」は対象経費に"
        "補助率を掛けた額で、算定項目があるときはその合計を限度とします（例: 均等割＋世帯割）。「算定項目の額 ＋ "
        "対象経費 × 補助率」は基本額などの算定項目に、対象経費に補助率を掛けた額を加えます（例: 基本額5万円＋対象経費の"
        "1/2）。「100,000円までの部分は10/10、それを超える部分は2/3」のように段階で補助率が変わるときは、下の"
        "「対象経費の段階別の補助率」に定めます。"
    ),
    "rate_rounding_mode": (
        "対象経費に補助率を掛けた額（段階別のときはその合計）の1円未満の端数の処理です。要綱に「1円未満の端数は"
        "切り捨てる」とあれば切捨て、「四捨五入する」とあれば四捨五入を選びます。千円未満などの処理は下の端数処理です。"
    ),
    "rate_numerator": "補助率の分子。10/10 は対象経費の全額、1/2 は半額です。",
    "rate_denominator": "補助率の分母（1以上）。",
    "deduct_income": "参加費などの事業収入を対象経費から差し引いた額を限度とする場合に印を付けます。",
    "max_project_years": (
        "同じ事業に補助する年数の上限です（例: 3 なら3年目まで、4年目の申請は対象外）。空欄は制限なしです。"
        "年目ごとに補助率・上限額が変わるときは、下の「年目ごとの補助率・上限額」に定めます。"
    ),
    "refund_due_days": (
        "返還命令の日から納期限までの日数です。要綱の日数をそのまま入力し、数え方を選んでください（例: 20日）。"
    ),
    "surcharge_rate": (
        "交付決定の取消による返還に付ける加算金の年率（365日あたり）。国の補助金適正化法では10.95％です。"
        "額の確定による返還には付けません。"
    ),
    "late_rate": "納期限までに返還されなかった額に付ける延滞金の年率（365日あたり）。例: 10.95％。",
    "penalty_rounding_unit": "加算金・延滞金の端数を切り捨てる単位（円）。例: 100 なら100円未満を切り捨てます。",
    "report_due_fixed": (
        "年度ごとの固定の期限（例: 翌年度の4月10日）。完了日からの日数と両方あるときは早い方が期限です。"
    ),
}


class ProgrammeYearForm(forms.ModelForm):
    class Meta:
        model = ProgrammeYear
        fields = [
            "programme", "fiscal_year", "label", "rule_source", "base_date", "application_opens",
            "application_closes", "amount_basis", "rate_numerator", "rate_denominator", "rate_rounding_mode",
            "deduct_income",
            "floor_amount", "cap_amount", "rounding_unit", "rounding_mode", "max_project_years",
            "allow_costs_before_decision",
            "report_due_days", "report_due_fixed", "refund_due_days", "surcharge_rate", "late_rate",
            "penalty_rounding_unit", "report_due_counting", "refund_due_counting",
        ]
        help_texts = RULE_HELP


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(RuleAdminMixin, admin.ModelAdmin):
    """A programme-year's rule; every save is audited, and a rule used by decided cases changes by a new version."""

    form = ProgrammeYearForm
    list_display = ("__str__", "fiscal_year", "label", "amount_basis", "base_date", "application_opens",
                    "application_closes")
    list_filter = ("programme", "fiscal_year")
    inlines = [FormulaComponentInline, CostBandInline, RepeatYearStepInline, InstalmentInline, ExpenseRuleInline,
               ActivityPurposeInline]
    fieldsets = (
        (None, {"fields": ("programme", "fiscal_year", "label", "rule_source")}),
        ("基準日と申請の受付", {"fields": ("base_date", ("application_opens", "application_closes"))}),
        ("交付額の算定", {
            "description": "交付額は下の「算定項目」と、ここで定める算定方法・補助率・下限額・上限額・端数処理から"
                           "求めます。金額はすべて円単位の整数です。",
            "fields": ("amount_basis", ("rate_numerator", "rate_denominator"), "rate_rounding_mode", "deduct_income",
                       ("floor_amount", "cap_amount"), ("rounding_unit", "rounding_mode")),
        }),
        ("同一事業の継続（何年目）", {
            "description": "同じ事業への補助が何年目かによって補助率・上限額が変わるときは、下の「年目ごとの補助率・"
                           "上限額」に年目ごとに定めます。定めた年目では、上の補助率・上限額に代わってそれを使います。",
            "fields": ("max_project_years",),
        }),
        ("対象となる経費の期間", {"fields": ("allow_costs_before_decision",)}),
        ("実績報告と返還（通常の手続の事業）", {
            "description": "交付申請から額の確定までの手続を行う事業（地域づくり協議会の交付金など）で使います。"
                           "概算払の計画、費目の取扱い、活動の目的は下の表で定めます。",
            "fields": (("report_due_days", "report_due_counting", "report_due_fixed"),
                       ("refund_due_days", "refund_due_counting"), ("surcharge_rate", "late_rate"),
                       "penalty_rounding_unit"),
        }),
    )

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        """The inline formsets, each told of the others: the cost bands check the repeat-year steps' rates."""
        formsets, inline_instances = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        for formset in formsets:
            formset.siblings = formsets
        return formsets, inline_instances


class ComponentBandFormSet(FreshRowsFormSet):
    """Count bands as the 要綱 writes them (「1〜100世帯」「101〜200世帯」「201世帯以上」): from 1, no gap, no overlap.
    """

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return  # a row refused at its field: the table is checked once every row is readable
        rows = [CountRow(number, data["from_count"], data.get("to_count"))
                for number, data in kept_rows(self) if data.get("from_count") is not None]
        errors = count_band_errors(rows)
        if rows and self.instance.kind not in BANDED_KINDS:
            errors.append(BANDS_UNUSED.format(label=self.instance.label).replace("算定項目の画面で", ""))
        if errors:
            raise ValidationError(errors)


class ComponentBandInline(admin.TabularInline):
    """The bands of a per-count component: each row from (以上) … to (以下); the last row may be open."""

    model = ComponentBand
    formset = ComponentBandFormSet
    extra = 0
    fields = ("from_count", "to_count", "unit_amount")


class FormulaComponentAdminForm(FormulaComponentForm):
    """A component edited on its own page: refused, like in the rule's table, when the programme's flow cannot
    supply its input."""

    class Meta(FormulaComponentForm.Meta):
        fields = ("programme_year", *FormulaComponentForm.Meta.fields)

    def _post_clean(self) -> None:
        # After the instance takes the typed values (``clean`` runs before), so that the check sees them.
        super()._post_clean()  # type: ignore[misc]  # not in the stubs; Django calls it after clean()
        rule = self.instance.programme_year if self.instance.programme_year_id else None
        if rule is not None and not self.errors:
            others = [c for c in rule.components.all() if c.pk != self.instance.pk]
            if any(c.label == self.instance.label for c in others):
                # Also what a double click on 保存 would add: the same component twice, its amount counted twice.
                label = self.instance.label
                self.add_error("label", f"この交付基準には、同じ名称の算定項目「{label}」がすでにあります。")
                return
            reasons = unfed_needs(rule, [*others, self.instance], rule.programme.workflow,
                                  has_steps=rule.repeat_steps.exists())
            if reasons:
                self.add_error(None, reasons)


@admin.register(FormulaComponent)
class FormulaComponentAdmin(ComponentRuleAdminMixin, admin.ModelAdmin):
    form = FormulaComponentAdminForm
    list_display = ("programme_year", "order", "kind", "label", "unit_amount", "measure")
    inlines = [ComponentBandInline]
