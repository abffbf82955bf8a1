from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin

from .models import DocumentSequence, Notice


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(AuditedAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    """Staff set the 文書記号 (prefix) of a programme-year, ideally before its first notice. The last number is
    moved only by issuing notices, so it is read-only here, and a sequence is never deleted. Changes are audited."""

    list_display = ("programme", "fiscal_year", "prefix", "last_number")
    list_filter = ("programme", "fiscal_year")
    readonly_fields = ("last_number",)

    def get_readonly_fields(self, request: HttpRequest, obj: DocumentSequence | None = None) -> tuple[str, ...]:
        return ("programme", "fiscal_year", "last_number") if obj else ("last_number",)


@admin.register(Notice)
class NoticeAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only: notices are issued by ``grants.notices.services.issue_notice`` and never edited nor deleted."""

    list_display = ("document_number", "kind", "case", "issued_on", "amount", "issued_by")
    list_filter = ("kind", "fiscal_year", "sequence__programme")
    search_fields = ("document_number", "case__organization__name", "case__organization__code")
    list_select_related = ("case__organization", "case__programme_year__programme", "issued_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notice | None = None) -> bool:
        return False
