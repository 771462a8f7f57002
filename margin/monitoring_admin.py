"""Admin for margin monitoring (imported by margin/admin.py): snapshots, NSE files and calls are read-only
records; operations may set an account's margin-call policy."""

from __future__ import annotations

from django.contrib import admin

from oms_project.lib.admin import ReadOnlyAdmin

from .monitoring_models import MarginCall, MarginCallPolicy, MarginSnapshot, NseMarginFile


@admin.register(MarginSnapshot)
class MarginSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("taken_at", "account", "trigger", "total_required", "capital", "utilisation_pct", "level")
    list_filter = ("trigger", "level", "warned")
    search_fields = ("account__name", "key")
    date_hierarchy = "taken_at"


@admin.register(MarginCall)
class MarginCallAdmin(ReadOnlyAdmin):
    list_display = ("opened_at", "account", "status", "shortfall", "last_shortfall", "grace_until", "auto_square_off")
    list_filter = ("status", "auto_square_off")
    search_fields = ("account__name",)


@admin.register(NseMarginFile)
class NseMarginFileAdmin(ReadOnlyAdmin):
    list_display = ("imported_at", "kind", "trade_date", "file_name", "status")
    list_filter = ("kind", "status")
    search_fields = ("file_name",)


@admin.register(MarginCallPolicy)
class MarginCallPolicyAdmin(admin.ModelAdmin):
    list_display = ("account", "auto_square_off", "grace_minutes", "updated_at")
    list_filter = ("auto_square_off",)
