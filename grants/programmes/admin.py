from django.contrib import admin

from .models import ComponentBand, FormulaComponent, Programme, ProgrammeYear


class FormulaComponentInline(admin.TabularInline):
    model = FormulaComponent
    extra = 0
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "recipient_kind")


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(admin.ModelAdmin):
    list_display = ("__str__", "fiscal_year", "label", "base_date", "application_opens", "application_closes")
    list_filter = ("programme", "fiscal_year")
    inlines = [FormulaComponentInline]


class ComponentBandInline(admin.TabularInline):
    model = ComponentBand
    extra = 0


@admin.register(FormulaComponent)
class FormulaComponentAdmin(admin.ModelAdmin):
    list_display = ("programme_year", "order", "kind", "label", "unit_amount")
    inlines = [ComponentBandInline]
