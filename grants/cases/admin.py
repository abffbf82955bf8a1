from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR
from django.core.paginator import Paginator
from django.db.models import Field, QuerySet
from django.http import HttpRequest

from grants.core.admin_audit import HistoryAdminMixin
from grants.programmes.models import ProgrammeYear

from .models import AnnualRun, GrantCase
from .querysets import YEARS_NEWEST_FIRST, CaseNumberOrder

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # typing only (a dev dependency)


class ProgrammeYearFilter(admin.RelatedFieldListFilter):
    """事業・年度, newest first, named with their programme read in the same query (the default choices read each
    programme-year's programme one by one, for its name)."""

    def field_choices(self, field: Field, request: HttpRequest,
                      model_admin: admin.ModelAdmin) -> list[tuple[str, str | StrPromise]]:
        years = ProgrammeYear.objects.select_related("programme").order_by(*YEARS_NEWEST_FIRST)
        return [(str(year.pk), str(year)) for year in years]


@admin.register(GrantCase)
class GrantCaseAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Read-only, never deleted: cases change only through the services (flow, permissions, audit), and their
    audit trail, ledger entries and notices point at them."""

    list_display = ("case_number", "organization", "programme_year", "status", "computed_amount", "decided_amount")
    list_select_related = ("organization", "programme_year__programme")
    list_filter = (("programme_year", ProgrammeYearFilter), "status")
    search_fields = ("organization__code", "organization__name", "=number")
    ordering = ("-programme_year__fiscal_year", "programme_year__programme__code", "number")
    show_full_result_count = False  # one count of the filtered cases, not a second one of all

    def get_paginator(self, request: HttpRequest, queryset: QuerySet[GrantCase], per_page: int, orphans: int = 0,
                      allow_empty_first_page: bool = True) -> Paginator:
        """In the default order (``ordering``, by case number), pages read each programme-year's cases through its
        index (``CaseNumberOrder``) instead of sorting all the cases across the join for every page."""
        if ORDER_VAR in request.GET:
            return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        return Paginator(CaseNumberOrder(queryset), per_page, orphans,  # type: ignore[arg-type]
                         allow_empty_first_page)

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
