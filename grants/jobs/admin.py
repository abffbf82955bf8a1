from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "requested_by", "requested_at", "status", "done", "total")
    list_filter = ("kind", "status")
