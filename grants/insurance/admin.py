"""The insurance in the admin: the yearly policy with its benefit bands and the items staff judge after an accident
(判定項目). Reports, claims and the access log are not registered: they hold injured people's personal data, which
only the 保険担当 and the reporting group may see (through the logged pages), and a superuser is neither."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from .models import BenefitBand, BenefitMode, InsurancePolicy, PolicyCondition, add_standard_conditions


class BenefitBandFormSet(BaseInlineFormSet):
    """The bands of one policy: they may not share a day count (the first by lower day would win silently), and a
    banded policy needs at least one (else every claim computes to 0円 「段階がありません」)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        bands = sorted((form.cleaned_data["lower_days"], form.cleaned_data.get("upper_days"))
                       for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE"))
        for (lower, upper), (next_lower, _) in zip(bands, bands[1:], strict=False):
            if upper is None or next_lower <= upper:
                raise ValidationError(f"定額払の段階が重なっています（{lower}日〜{'' if upper is None else upper}日と"
                                      f"{next_lower}日〜）。治療日数ごとに段階が一つになるようにしてください。")
        if self.instance.benefit_mode == BenefitMode.BANDED and not bands:
            raise ValidationError("定額払（段階）の保険契約には、定額払の段階を1つ以上入力してください。")


class BenefitBandInline(admin.TabularInline):
    model = BenefitBand
    formset = BenefitBandFormSet
    extra = 0


class PolicyConditionInline(admin.TabularInline):
    model = PolicyCondition
    extra = 0
    fields = ("kind", "order", "code", "label", "guidance")


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(admin.ModelAdmin):
    """The yearly policy: every amount, limit, window and deadline of the cover is edited here."""

    list_display = ("fiscal_year_display", "insurer", "policy_number", "period_start", "period_end", "benefit_mode",
                    "label")
    inlines = [BenefitBandInline, PolicyConditionInline]
    actions = ["add_standard_conditions_action"]
    fieldsets = (
        ("契約", {"fields": ("fiscal_year", "insurer", "policy_number", "period_start", "period_end", "label",
                           "source")}),
        ("賠償責任", {"fields": ("liability_bodily_per_person", "liability_bodily_per_accident",
                             "liability_property_per_accident", "liability_custody_per_accident",
                             "liability_deductible")}),
        ("傷害（死亡・後遺障害）", {"fields": ("death_benefit", "disability_min")}),
        ("傷害（入院・通院・手術）", {
            "fields": ("benefit_mode", "inpatient_daily", "inpatient_window_days", "inpatient_max_days",
                       "outpatient_daily", "outpatient_window_days", "outpatient_max_days",
                       "outpatient_waiting_days", "surgery_multiple_inpatient", "surgery_multiple_outpatient",
                       "surgery_max_count", "banded_window_days"),
            "description": "定額払（段階）のときは、下の「定額払の段階」に治療日数ごとの保険金を入力してください。",
        }),
        ("期限", {"fields": ("report_due_days", "claim_after_days", "claim_limit_years", "reminder_interval_days",
                           "insurer_answer_days")}),
    )

    @admin.display(description="年度", ordering="fiscal_year")
    def fiscal_year_display(self, policy: InsurancePolicy) -> str:
        """The 年度 in 和暦 with the Western year typed in the form: 令和8年度（2026）."""
        return f"{policy.fiscal_year_label}（{policy.fiscal_year}）"

    @admin.action(description="標準の判定項目を追加")
    def add_standard_conditions_action(self, request: HttpRequest, queryset: QuerySet[InsurancePolicy]) -> None:
        """Give each selected policy the city's usual conditions and exclusions it does not have yet."""
        for policy in queryset:
            added = add_standard_conditions(policy)
            level = messages.SUCCESS if added else messages.INFO
            self.message_user(request, f"{policy}: 標準の判定項目を{added}件追加しました。", level)
