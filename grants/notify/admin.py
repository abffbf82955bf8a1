from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import HistoryAdminMixin

from .daily import counts_label
from .models import DailyRun, Notification


@admin.register(Notification)
class NotificationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: messages are written by the acts that send them and their mail moved by the
    worker on the rail (``grants.notify``)."""

    list_display = ("created_at", "to_label", "subject", "event", "status", "attempts", "sent_at")
    list_filter = ("status", "event", "official")
    # Neither the text nor the link: an invitation's carries its one-time link, which is for the invitee alone.
    exclude = ("body", "url")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


@admin.register(DailyRun)
class DailyRunAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only: the daily scheduler writes one row a day (``grants.notify.daily``): when its last pass ran, what
    it wrote by kind, and what it could not send."""

    list_display = ("day", "started_at", "finished_at", "counts_label", "error")

    @admin.display(description="送ったお知らせ")
    def counts_label(self, obj: DailyRun) -> str:
        return counts_label(obj.counts or {})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DailyRun | None = None) -> bool:
        return False
