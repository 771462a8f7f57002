"""Admin of the live monitor's tables (imported by risk/admin.py): per-strategy position guards editable; risk
statuses (an ops user may set one back to ACTIVE), guard hits and Greeks snapshots read-only."""

from __future__ import annotations

from django.contrib import admin

from .monitor_models import PositionGuardConfig, PositionGuardHit, RiskStatus, StrategyGreeksSnapshot


@admin.register(PositionGuardConfig)
class PositionGuardConfigAdmin(admin.ModelAdmin):
    list_display = (
        "strategy",
        "enabled",
        "target_pnl",
        "stop_loss_pnl",
        "timeout_hours",
        "auto_close_on_target",
        "auto_close_on_stop",
        "auto_close_on_timeout",
    )
    raw_id_fields = ("strategy",)


@admin.register(RiskStatus)
class RiskStatusAdmin(admin.ModelAdmin):
    list_display = ("account", "strategy", "status", "code", "since", "trading_day")
    list_filter = ("status",)
    readonly_fields = ("account", "strategy", "code", "reason", "since", "trading_day", "alerted")
    fields = ("account", "strategy", "status", "code", "reason", "since", "trading_day", "alerted")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False


@admin.register(PositionGuardHit)
class PositionGuardHitAdmin(admin.ModelAdmin):
    list_display = ("position_id", "account", "guard", "trading_day", "pnl", "auto_close", "created_at")
    list_filter = ("guard", "auto_close")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(StrategyGreeksSnapshot)
class StrategyGreeksSnapshotAdmin(admin.ModelAdmin):
    list_display = ("taken_at", "account", "strategy", "positions", "delta_inr", "gamma_inr", "vega_inr", "theta_inr")
    date_hierarchy = "taken_at"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
