from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import HistoryAdminMixin

from .models import AnnualRun, GrantCase


@admin.register(GrantCase)
class GrantCaseAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: cases change only through the services (flow, permissions, audit), and their
    audit trail, ledger entries and notices point at them."""

    list_display = ("case_number", "organization", "programme_year", "status", "computed_amount", "decided_amount")
    list_select_related = ("organization", "programme_year__programme")
    list_filter = ("programme_year", "status")
    search_fields = ("organization__code", "organization__name", "=number")
    ordering = ("-programme_year__fiscal_year", "programme_year__programme__code", "number")

    @admin.display(description="案件番号", ordering="number")
    def case_number(self, case: GrantCase) -> str:
        return case.reference

    def has_change_permission(self, request: HttpRequest, obj: GrantCase | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AnnualRun)
class AnnualRunAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: a run is started and moved by ``grants.cases.annual_run``; it is the record of
    which cases it created."""

    list_display = ("programme_year", "started_at", "status", "processed", "total", "created_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AnnualRun | None = None) -> bool:
        return False
