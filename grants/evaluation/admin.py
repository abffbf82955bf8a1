"""Admin of the evaluation: the criteria of each programme-year (評価項目, edited here and audited) and the
assignments (評価の割当, read-only: they are made and moved by the evaluation's services on the rail).

A criterion already answered (a 自己評価 or an evaluator's score on it) keeps its programme-year, its 満点 and its
重み, and cannot be deleted: the scores given against it must keep their meaning."""
from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from grants.core.admin_audit import AuditedAdminMixin, HistoryAdminMixin

from .models import Assignment, Criterion, Score, SelfAssessment


def _answered(criterion: Criterion | None) -> bool:
    if criterion is None or criterion.pk is None:
        return False
    return (SelfAssessment.objects.filter(criterion=criterion).exists()
            or Score.objects.filter(criterion=criterion).exists())


@admin.register(Criterion)
class CriterionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """評価項目 per 事業・年度: a programme-year without any does not evaluate (no targets are asked)."""

    list_display = ("programme_year", "order", "name", "max_score", "weight", "used_for_self")
    list_display_links = ("name",)
    list_select_related = ("programme_year__programme",)
    list_filter = ("programme_year__fiscal_year", "programme_year__programme")
    search_fields = ("name",)
    ordering = ("-programme_year__fiscal_year", "programme_year__programme__code", "order")

    def get_readonly_fields(self, request: HttpRequest, obj: Criterion | None = None) -> tuple[str, ...]:
        if _answered(obj):
            return ("programme_year", "max_score", "weight")
        return ()

    def has_delete_permission(self, request: HttpRequest, obj: Criterion | None = None) -> bool:
        if _answered(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: an assignment is made, declared on, scored and moved by the evaluation's
    pages and services (the rail, the audit trail)."""

    list_display = ("case", "evaluator", "kind", "status", "assigned_at", "submitted_at")
    list_select_related = ("case__programme_year__programme", "case__organization", "evaluator")
    list_filter = ("kind", "status", "case__programme_year__fiscal_year")
    search_fields = ("case__organization__name", "evaluator__username", "evaluator__display_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
