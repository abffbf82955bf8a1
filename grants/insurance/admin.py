from django.contrib import admin

from .models import BenefitBand, InsurancePolicy


class BenefitBandInline(admin.TabularInline):
    model = BenefitBand
    extra = 0


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(admin.ModelAdmin):
    """The yearly policy: every amount, limit, window and deadline of the cover is edited here."""

    list_display = ("fiscal_year", "insurer", "policy_number", "period_start", "period_end", "benefit_mode", "label")
    inlines = [BenefitBandInline]
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
        ("期限", {"fields": ("report_due_days", "claim_after_days")}),
    )
