"""Ops: kill switches (engage/release with a reason through the services, audited), their audit trail
(read-only), the F&O ban list (the daily list an ops user enters), limit overrides and risk events."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from . import services
from .domain import KillState
from .models import FnoBan, KillSwitch, KillSwitchEvent, RiskEvent, RiskLimitConfig


class KillSwitchEventInline(admin.TabularInline):
    model = KillSwitchEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "action", "state_after", "actor", "reason", "details")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(KillSwitch)
class KillSwitchAdmin(admin.ModelAdmin):
    list_display = ("id", "scope", "account", "user", "state", "engaged_by", "actor", "reason", "since")
    list_filter = ("scope", "state", "engaged_by")
    readonly_fields = (
        "scope",
        "account",
        "user",
        "state",
        "engaged_by",
        "engaged_by_user",
        "actor",
        "reason",
        "since",
        "attempts",
        "updated_at",
    )
    inlines = [KillSwitchEventInline]
    actions = ["engage", "release"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def _reason(self, request: HttpRequest) -> str:
        return (request.POST.get("reason") or "").strip() or f"ops action by {request.user.get_username()} (admin)"

    @admin.action(description="Engage (cancel orders, square off, halt)")
    def engage(self, request: HttpRequest, queryset) -> None:  # noqa: ANN001
        for switch in queryset:
            services.kill_switch_engage_ops(switch_id=switch.pk, ops_user=request.user, reason=self._reason(request))
        messages.success(request, "Engaged.")

    @admin.action(description="Release (back to ACTIVE)")
    def release(self, request: HttpRequest, queryset) -> None:  # noqa: ANN001
        for switch in queryset.exclude(state=KillState.ACTIVE):
            services.kill_switch_release_switch(switch_id=switch.pk, user=request.user, reason=self._reason(request))
        messages.success(request, "Released.")


@admin.register(KillSwitchEvent)
class KillSwitchEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "switch", "action", "state_after", "actor", "reason")
    list_filter = ("action",)
    readonly_fields = ("switch", "action", "state_after", "actor", "reason", "details", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(FnoBan)
class FnoBanAdmin(admin.ModelAdmin):
    list_display = ("trade_date", "underlying", "source", "added_by", "created_at")
    list_filter = ("trade_date",)
    search_fields = ("underlying",)

    def save_model(self, request: HttpRequest, obj: FnoBan, form, change: bool) -> None:  # noqa: ANN001
        obj.underlying = obj.underlying.strip().upper()
        obj.added_by = obj.added_by or f"ops:{request.user.pk}"
        super().save_model(request, obj, form, change)


@admin.register(RiskLimitConfig)
class RiskLimitConfigAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "strategy", "updated_by", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(RiskEvent)
class RiskEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "account", "kind", "code", "message")
    list_filter = ("kind",)
    readonly_fields = ("user", "account", "kind", "code", "message", "details", "created_at")


from oms_project.lib.admin import register_read_only  # noqa: E402

from .models import AccountRiskDay, StrategyRiskDay  # noqa: E402

register_read_only(AccountRiskDay)  # the day's peak equity per account (risk.services keeps it)
register_read_only(StrategyRiskDay)  # the day's best P&L per strategy (the live monitor raises it)


from . import monitor_admin  # noqa: E402,F401 - the live monitor's tables (issue #12)
