"""Admin: alerts and their response audit are read-only (the audit is append-only)."""

from django.contrib import admin

from oms_project.lib.admin import ReadOnlyAdmin

from .models import Alert, AlertPreference, AlertResponse


class AlertResponseInline(admin.TabularInline):
    model = AlertResponse
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "created_at"]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "type", "level", "status", "title", "response", "created_at"]
    list_filter = ["type", "level", "status"]
    search_fields = ["title", "message", "user__username"]
    inlines = [AlertResponseInline]


@admin.register(AlertResponse)
class AlertResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "alert", "action", "actor", "created_at"]


@admin.register(AlertPreference)
class AlertPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "min_level", "quiet_start", "quiet_end", "telegram_chat_id"]
