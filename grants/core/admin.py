from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .admin_audit import HistoryAdminMixin
from .models import AuditEvent

# The admin's own titles, in Japanese like the rest (it read 「Django 管理サイト」).
admin.site.site_header = "山口市 補助金・交付金事務システム 管理画面"
admin.site.site_title = "管理画面"
admin.site.index_title = "管理メニュー"


@admin.register(AuditEvent)
class AuditEventAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "content_type", "object_id", "from_state", "to_state")
    list_filter = ("action",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        """Without the insurance events: their notes (reasons of a return, a withdrawal, a denial) may speak of an
        injured person's health, which only the 保険担当 and the group may read, on the logged pages."""
        return super().get_queryset(request).exclude(content_type__app_label="insurance")

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
