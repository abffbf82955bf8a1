from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "content_type", "object_id", "from_state", "to_state")
    list_filter = ("action",)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        """Without the insurance events: their notes (reasons of a return, a withdrawal, a denial) may speak of an
        injured person's health, which only the 保険担当 and the group may read, on the logged pages."""
        return super().get_queryset(request).exclude(content_type__app_label="insurance")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
