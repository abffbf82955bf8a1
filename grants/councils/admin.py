"""Admin of the 地域づくり協議会 data: 費目, plans, secretariat staff, and 返還命令 (read-only).

A plan's state (提出・承認・改定) changes only through ``grants.councils.plans``, so its status and who
submitted or approved it are read-only here, and an approved or superseded version cannot be edited: cases
keep pointing at the version they were judged against. 返還命令 are issued by 額の確定 or 取消 and settled by
recording receipts, never edited.
"""
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, Model
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from grants.accounts.models import User
from grants.cases.models import RefundOrder, RefundReceipt
from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin
from grants.organizations.models import (
    PARENT_LEVEL,
    CommunityPlan,
    ItemLevel,
    Organization,
    OrganizationKind,
    PlanAttachment,
    PlanItem,
    PlanStatus,
    SecretariatStaff,
)
from grants.programmes.models import ExpenseCategory


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("order", "code", "name", "is_staff_cost")
    list_display_links = ("code", "name")
    search_fields = ("code", "name")

    def has_delete_permission(self, request: HttpRequest, obj: ExpenseCategory | None = None) -> bool:
        if obj is not None and obj.rules.exists():
            return False  # a 費目 in use by a year's rules stays
        return super().has_delete_permission(request, obj)


def _draft(obj: CommunityPlan | None) -> bool:
    return obj is None or obj.status == PlanStatus.DRAFT


class _PlanPartInline(admin.TabularInline):
    """Items and files of a plan: editable while the plan is a draft, read-only once submitted."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: CommunityPlan | None = None) -> bool:
        return _draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: CommunityPlan | None = None) -> bool:
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: CommunityPlan | None = None) -> bool:
        return _draft(obj) and super().has_delete_permission(request, obj)


class PlanItemForm(forms.ModelForm):
    """分野 have no upper item; a 施策 sits under a 分野 and a 取組 under a 施策 (the model checks the level of
    the chosen item; this checks that one is chosen)."""

    class Meta:
        model = PlanItem
        fields = ("code", "level", "parent", "title", "description")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        level, parent = data.get("level", ""), data.get("parent")
        expected = PARENT_LEVEL.get(ItemLevel(level)) if level in ItemLevel.values else None
        if level == ItemLevel.FIELD and parent is not None:
            self.add_error("parent", "分野には上位の項目はありません。空欄にしてください。")
        elif expected is not None and parent is None:
            above = ItemLevel(expected).label
            self.add_error("parent", f"{ItemLevel(level).label}の上位の項目（{above}）を選んでください。")
        return data


class PlanItemInline(_PlanPartInline):
    model = PlanItem
    form = PlanItemForm
    ordering = ("code",)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest,
                                 **kwargs: Any) -> forms.ModelChoiceField | None:
        if db_field.name == "parent":
            # Only 分野 and 施策 of the same plan (a 取組 has nothing under it).
            plan_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = PlanItem.objects.filter(plan_id=plan_id).exclude(level=ItemLevel.ACTION)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PlanAttachmentInline(_PlanPartInline):
    model = PlanAttachment
    fields = ("title", "file", "uploaded_by", "uploaded_at")
    readonly_fields = ("uploaded_by", "uploaded_at")


@admin.register(CommunityPlan)
class CommunityPlanAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """Plans are created on the council pages (``plans.create_plan`` and ``start_revision`` number the versions);
    here a draft's fields, items and files may be corrected (audited). Submission, approval and revision are
    services. A plan is never deleted: even a draft has its history (who created it, its audit trail)."""

    list_display = ("organization", "title", "term_label", "version", "first_fiscal_year", "last_fiscal_year",
                    "status")
    list_filter = ("status", "first_fiscal_year")
    search_fields = ("organization__name", "organization__code", "title")
    list_select_related = ("organization",)
    inlines = [PlanItemInline, PlanAttachmentInline]
    fields = ("organization", "version", "term_label", "title", "first_fiscal_year", "last_fiscal_year", "vision",
              "revision_reason", "revises", "status", "created_by", "created_at", "submitted_by", "submitted_at",
              "approved_by", "approved_at")
    # State and who moved it are the services' to write (plans.submit_plan, approve_plan, start_revision).
    readonly_fields = ("organization", "version", "status", "revises", "created_by", "created_at", "submitted_by",
                       "submitted_at", "approved_by", "approved_at")

    def get_readonly_fields(self, request: HttpRequest, obj: CommunityPlan | None = None) -> tuple[str, ...]:
        if _draft(obj):
            return self.readonly_fields
        return tuple(self.fields)  # a submitted, approved or superseded version is on record as it is

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_formset(self, request: HttpRequest, form: forms.ModelForm,
                     formset: "BaseInlineFormSet[Model, CommunityPlan, forms.ModelForm]", change: bool) -> None:
        for instance in formset.save(commit=False):
            if isinstance(instance, PlanAttachment) and instance.uploaded_by_id is None:
                assert isinstance(request.user, User)  # the admin site lets only logged-in staff in
                instance.uploaded_by = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
        formset.save_m2m()


@admin.register(SecretariatStaff)
class SecretariatStaffAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("organization", "name", "role", "pay_basis", "monthly_cost_display", "employed_from",
                    "employed_until")
    list_filter = ("pay_basis", "role")
    search_fields = ("organization__name", "organization__code", "name")
    list_select_related = ("organization",)
    readonly_fields = ("recorded_by", "recorded_at")

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest,
                                 **kwargs: Any) -> forms.ModelChoiceField | None:
        if db_field.name == "organization":
            kwargs["queryset"] = Organization.objects.filter(kind=OrganizationKind.KYOGIKAI)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="月額の経費（円）")
    def monthly_cost_display(self, obj: SecretariatStaff) -> str:
        return f"{obj.monthly_cost:,}"

    def save_model(self, request: HttpRequest, obj: SecretariatStaff, form: forms.ModelForm, change: bool) -> None:
        if not change:
            assert isinstance(request.user, User)  # the admin site lets only logged-in staff in
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class RefundReceiptInline(admin.TabularInline):
    model = RefundReceipt
    extra = 0
    fields = ("received_on", "principal_part", "surcharge_part", "late_part", "recorded_by", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: RefundOrder | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RefundOrder | None = None) -> bool:
        return False


@admin.register(RefundOrder)
class RefundOrderAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only: a 返還命令 is issued by 額の確定 or 取消 (grants.councils.lifecycle) and settled by recording
    its receipts (grants.councils.refunds), which also post the refund to the ledger."""

    list_display = ("case", "reason", "principal", "ordered_on", "due_on", "status")
    list_filter = ("status", "reason")
    search_fields = ("case__organization__name", "case__organization__code")
    list_select_related = ("case__organization", "case__programme_year__programme")
    inlines = [RefundReceiptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RefundOrder | None = None) -> bool:
        return False
