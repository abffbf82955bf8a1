from django.contrib import admin
from django.http import HttpRequest

from .models import AnnualRun, GrantCase


@admin.register(GrantCase)
class GrantCaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the services (flow, permissions, audit)."""

    list_display = ("pk", "organization", "programme_year", "status", "computed_amount", "decided_amount")
    list_filter = ("programme_year", "status")
    search_fields = ("organization__code", "organization__name")

    def has_change_permission(self, request: HttpRequest, obj: GrantCase | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AnnualRun)
class AnnualRunAdmin(admin.ModelAdmin):
    list_display = ("programme_year", "started_at", "status", "processed", "total", "created_count")

    def has_change_permission(self, request: HttpRequest, obj: AnnualRun | None = None) -> bool:
        return False
