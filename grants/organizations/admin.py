from django.contrib import admin
from django.http import HttpRequest

from .models import Area, BankAccount, CityFigure, HouseholdCount, Organization, Representative


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "centre_name", "named_in_public_source", "population", "households")


@admin.register(CityFigure)
class CityFigureAdmin(admin.ModelAdmin):
    list_display = ("item", "value", "as_of", "source")


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    readonly_fields = ("started_on", "ended_on")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "area", "is_active", "is_demo")
    list_filter = ("kind", "area", "is_active", "is_demo")
    search_fields = ("code", "name", "name_kana")
    inlines = [RepresentativeInline]


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ("organization", "bank_name", "branch_name", "account_number", "is_current")
    search_fields = ("organization__name", "organization__code")


@admin.register(HouseholdCount)
class HouseholdCountAdmin(admin.ModelAdmin):
    list_display = ("organization", "base_date", "households", "source", "recorded_at")
    list_filter = ("source", "base_date")
    search_fields = ("organization__code", "organization__name")

    def has_change_permission(self, request: HttpRequest, obj: HouseholdCount | None = None) -> bool:
        return False  # append-only: a correction is a new row with a reason

    def has_delete_permission(self, request: HttpRequest, obj: HouseholdCount | None = None) -> bool:
        return False
