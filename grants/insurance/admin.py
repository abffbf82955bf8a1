"""The insurance in the admin: the yearly policy with its benefit bands and the items staff judge after an accident
(判定項目). Reports, claims and the access log are not registered: they hold injured people's personal data, which
only the 保険担当 and the reporting group may see (through the logged pages), and a superuser is neither."""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin
from grants.core.admin_formsets import FreshRowsFormSet
from grants.core.models import record_event

from .models import (
    BenefitBand,
    BenefitMode,
    InsurancePolicy,
    PolicyCondition,
    add_standard_conditions,
    band_table_errors,
    table_error,
)


class BenefitBandFormSet(FreshRowsFormSet):
    """The bands of one policy, entered from … to (以上 … 以下) as the 要綱 writes them. Within each of the policy's
    tables (one combined table, or separate 入院 and 通院 tables: ``InsurancePolicy.band_tables``) a band may not
    overlap another (the first by lower day would win silently) nor leave days between two bands that no band
    covers, and a banded policy needs at least one band in each table (else a claim computes to 0円
    「段階がありません」). Each error names the row as the page numbers it (``band_table_errors``); a band whose
    table is not one of the policy's (as posted with it) is refused on its row (``table_error``)."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [(number, form) for number, form in enumerate(self.forms, start=1)
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        misplaced = [(form, table_error(self.instance.band_tables, form.cleaned_data["table"])) for _, form in kept]
        for form, error in misplaced:
            if error:
                form.add_error("table", error)
        if any(error for _, error in misplaced):
            return
        rows = [(number, form.cleaned_data["table"], form.cleaned_data["lower_days"],
                 form.cleaned_data.get("upper_days")) for number, form in kept]
        errors = band_table_errors(self.instance.band_tables, rows,
                                   banded=self.instance.benefit_mode == BenefitMode.BANDED)
        if errors:
            raise ValidationError(errors)


class BenefitBandInline(admin.TabularInline):
    model = BenefitBand
    formset = BenefitBandFormSet
    extra = 0
    fields = ("table", "lower_days", "upper_days", "amount")


class PolicyConditionInline(admin.TabularInline):
    model = PolicyCondition
    extra = 0
    fields = ("kind", "order", "code", "label", "guidance")


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The yearly policy: every amount, limit, window and deadline of the cover is edited here (audited, with its
    bands and conditions); a policy is deleted only while no report uses it."""

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
                       "surgery_max_count", "banded_window_days", "band_tables"),
            "description": "定額払（段階）のときは、下の「定額払の段階」に治療日数ごとの保険金を、要綱のとおり「○日以上"
                           "○日以下」で入力してください。入院と通院で別々の表のときは、各段階の「表」を入院か通院にします。",
        }),
        ("期限", {"fields": (("report_due_days", "report_due_counting"), "claim_after_days", "claim_limit_years",
                           "reminder_interval_days", "insurer_answer_days")}),
    )

    @admin.display(description="年度", ordering="fiscal_year")
    def fiscal_year_display(self, policy: InsurancePolicy) -> str:
        """The 年度 in 和暦 with the Western year typed in the form: 令和8年度（2026）."""
        return f"{policy.fiscal_year_label}（{policy.fiscal_year}）"

    @admin.action(description="標準の判定項目を追加")
    def add_standard_conditions_action(self, request: HttpRequest, queryset: QuerySet[InsurancePolicy]) -> None:
        """Give each selected policy the city's usual conditions and exclusions it does not have yet."""
        for policy in queryset:
            before = self.audit_state(policy)
            added = add_standard_conditions(policy)
            if added:
                record_event(actor=request.user, subject=policy, action=self.audit_action,  # type: ignore[arg-type]
                             note="\n".join(self.audit_changes(before, self.audit_state(policy))))
            level = messages.SUCCESS if added else messages.INFO
            self.message_user(request, f"{policy}: 標準の判定項目を{added}件追加しました。", level)
