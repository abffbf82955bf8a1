from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .admin_audit import HistoryAdminMixin
from .models import ACTION_NAMES, AuditEvent
from .workflow import MACHINES

# The admin's own titles, in Japanese like the rest (it read 「Django 管理サイト」).
admin.site.site_header = "山口市 補助金・交付金事務システム 管理画面"
admin.site.site_title = "管理画面"
admin.site.index_title = "管理メニュー"


def state_name(state: str, machine: str) -> str:
    """A state in the words of the machine that reached it, else of the first machine that has it."""
    known = MACHINES.get(machine)
    if known is not None and state in known.states:
        return known.states[state]
    return next((m.states[state] for m in MACHINES.values() if state in m.states), state)


class ActionFilter(admin.SimpleListFilter):
    """The 操作 to filter by, each by its name in words (it listed the codes: decide, admin_change …)."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        actions = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        return sorted(((a, ACTION_NAMES.get(a, a)) for a in actions), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(HistoryAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "action_name", "content_type", "object_id", "from_state_name", "to_state_name")
    list_filter = (ActionFilter,)

    @admin.display(description="操作", ordering="action")
    def action_name(self, event: AuditEvent) -> str:
        return ACTION_NAMES.get(event.action, event.action)

    @admin.display(description="変更前")
    def from_state_name(self, event: AuditEvent) -> str:
        return state_name(event.from_state, event.machine) if event.from_state else ""

    @admin.display(description="変更後")
    def to_state_name(self, event: AuditEvent) -> str:
        return state_name(event.to_state, event.machine) if event.to_state else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        """Without the insurance events: their notes (reasons of a return, a withdrawal, a denial) may speak of an
        injured person's health, which only the 保険担当 and the group may read, on the logged pages."""
        return super().get_queryset(request).exclude(content_type__app_label="insurance")

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
