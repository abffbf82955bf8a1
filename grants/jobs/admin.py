from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import HistoryAdminMixin

from .models import Job


@admin.register(Job)
class JobAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: a job is requested on the pages and moved by the worker (``grants.jobs``), its
    states on the rail with their audit trail."""

    list_display = ("title", "kind", "requested_by", "requested_at", "status", "done", "total")
    list_filter = ("kind", "status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Job | None = None) -> bool:
        return False
