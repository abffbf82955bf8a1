from typing import Any

from django.contrib import admin
from django.db.models import Field
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin

from .kana import ACCOUNT_NAME_INPUT_MAX_CHARS
from .models import (
    Area,
    BankAccount,
    CityFigure,
    HouseholdCount,
    Invitation,
    Measure,
    Organization,
    OrganizationFigure,
    Representative,
    measure_uses,
)

#: Under the 口座名義 field: how to type it and what is kept.
HOLDER_KANA_HELP = (
    "通帳のとおりにカタカナで入力してください（全角・半角のどちらでも、法人の種類は「特定非営利活動法人」のように"
    "書いても構いません）。半角カナに直し、法人の種類は略語（ﾄｸﾋ など）にして30バイト以内で保存します。"
)


@admin.register(Area)
class AreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "centre_name", "named_in_public_source", "population", "households")


@admin.register(CityFigure)
class CityFigureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("item", "value", "as_of", "source")


class RepresentativeInline(admin.TabularInline):
    """The terms of office (代表者・会計・担当者), read-only: members are invited, and a head handed over, on the
    organisation's page (団体の利用者 → 招待 / 代表者の交代), which ends the former head's term the day before the
    handover day and opens the new one in one act."""

    model = Representative
    extra = 0
    fields = ("name", "role", "title", "user", "started_on", "ended_on")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "代表者・会計・担当者（招待と交代は団体のページの「団体の利用者」で行います）"

    def has_add_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return False


class OrganizationFigureInline(admin.TabularInline):
    """The organisation's figures (人口, 面積 …), read-only: a correction is a new row (数値の追加)."""

    model = OrganizationFigure
    extra = 0
    fields = ("measure", "base_date", "value", "source", "note", "recorded_by", "recorded_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Organization | None = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "area", "is_active", "is_demo")
    list_filter = ("kind", "area", "is_active", "is_demo")
    search_fields = ("code", "name", "name_kana")
    inlines = [RepresentativeInline, OrganizationFigureInline]


@admin.register(BankAccount)
class BankAccountAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """振込先口座. The 口座名義 is typed as on the passbook, up to 100 characters in any width or with the
    corporate word written out; the model keeps it normalised and checks the 30 bytes on that (kana.py)."""

    list_display = ("organization", "bank_name", "branch_name", "account_number", "is_current")
    search_fields = ("organization__name", "organization__code")

    def formfield_for_dbfield(self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "holder_kana":
            kwargs.update(max_length=ACCOUNT_NAME_INPUT_MAX_CHARS, help_text=HOLDER_KANA_HELP)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(HouseholdCount)
class HouseholdCountAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """Household counts, append-only: a row is added (by who is logged in, audited), never changed nor deleted."""

    list_display = ("organization", "base_date", "households", "source", "recorded_by", "recorded_at")
    list_filter = ("source", "base_date")
    search_fields = ("organization__code", "organization__name")
    fields = ("organization", "base_date", "households", "source", "reason")

    def save_model(self, request: HttpRequest, obj: HouseholdCount, form: Any, change: bool) -> None:
        obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: HouseholdCount | None = None) -> bool:
        return False  # append-only: a correction is a new row with a reason


@admin.register(Measure)
class MeasureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The figures a formula may use besides the households (人口, 面積 km², 広報紙の年間発行回数 …): code, name,
    unit and decimal places, editable by the administrator. A measure in use by a figure or a component cannot
    be deleted (PROTECT)."""

    list_display = ("order", "code", "name", "unit", "decimal_places")
    list_display_links = ("code", "name")
    ordering = ("order", "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Measure | None = None) -> tuple[str, ...]:
        # Components' conditions name a measure by its code, and its figures were typed with its decimal places.
        return ("code", "decimal_places") if obj is not None else ()

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django's deletion summary, with a measure that a rule names by its code (a condition: no foreign key
        protects it) listed as protected, so that neither its page nor the list's action deletes it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for measure in objs:
            protected = [*protected, *(f"{measure.name}：{use}" for use in measure_uses(measure))]
        return deleted, counts, perms_needed, protected


@admin.register(OrganizationFigure)
class OrganizationFigureAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """Figures of organisations on a base date, append-only like the household counts: a correction is a new
    row (source 訂正, with its reason in 備考); the latest row recorded for a base date is in force."""

    list_display = ("organization", "measure", "base_date", "value", "source", "recorded_by", "recorded_at")
    list_filter = ("measure", "source", "base_date")
    search_fields = ("organization__code", "organization__name")
    fields = ("organization", "measure", "base_date", "value", "source", "note")
    autocomplete_fields = ("organization",)

    def save_model(self, request: HttpRequest, obj: OrganizationFigure, form: Any, change: bool) -> None:
        obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: OrganizationFigure | None = None) -> bool:
        return False  # append-only: a correction is a new row with a reason


@admin.register(Invitation)
class InvitationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: invitations are made, revoked and accepted on the organisation's 団体の利用者 page
    (``grants.organizations.invitations``); the link itself is never stored, only its hash (not shown)."""

    list_display = ("invited_at", "organization", "name", "role", "email", "status", "expires_at", "invited_by",
                    "accepted_by")
    list_filter = ("status", "role")
    search_fields = ("organization__name", "organization__code", "name", "email")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False
