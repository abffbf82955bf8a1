from django.contrib import admin

from .models import BudgetAccount, LedgerEntry


@admin.register(BudgetAccount)
class BudgetAccountAdmin(admin.ModelAdmin):
    list_display = ("programme_year", "budget", "committed", "paid", "refunded")
    readonly_fields = ("budget", "committed", "paid", "refunded")  # moved only by ledger entries


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    list_display = ("pk", "account", "kind", "amount", "case", "entry_date", "actor")
    list_filter = ("kind", "account")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # entries are posted by the services, with their checks
