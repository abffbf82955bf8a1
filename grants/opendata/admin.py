"""The administrator decides what the open data publishes of each organisation kind (audited)."""
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin

from .models import KindPolicy


@admin.register(KindPolicy)
class KindPolicyAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """One row per organisation kind: 個別に公表, 地域ごとの合計のみ or 公表しない, with the reason shown on the public
    page. Never deleted (a kind without a row would quietly stop being published); every save is on the audit
    trail and makes a new version of every open-data file (Last-Modified)."""

    list_display = ("kind", "mode", "updated_at")
    fields = ("kind", "mode", "reason")
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The kind of a stored row stays: change its mode instead.
        return ("kind", "updated_at") if obj is not None else ("updated_at",)
