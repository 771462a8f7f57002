"""Ops in Django admin: the housekeeping log (read-only; "run again now"), mismatches ("adopt the broker's
state"), broker health, order flags, EOD reports, snapshots."""

from __future__ import annotations

from django.contrib import admin, messages

from oms_project.lib.admin import ReadOnlyAdmin
from oms_project.lib.errors import DomainError

from . import jobs
from .models import BrokerHealth, EodReport, HousekeepingEvent, HousekeepingPreferences, Mismatch, OrderFlags
from .services import reconciliation


ReadOnly = ReadOnlyAdmin  # the project's one read-only admin (oms_project.lib.admin)


@admin.register(HousekeepingEvent)
class HousekeepingEventAdmin(ReadOnly):
    list_display = ["started_at", "job", "trigger", "status", "duration_ms", "actor", "note"]
    list_filter = ["job", "status", "trigger"]
    actions = ["run_again_now"]

    @admin.action(description="Run these jobs again now")
    def run_again_now(self, request, queryset):  # noqa: ANN001, ANN201
        for name in sorted(set(queryset.values_list("job", flat=True))):
            try:
                ev = jobs.job_run(name, trigger=HousekeepingEvent.Trigger.MANUAL, actor=f"user:{request.user.pk}")
                self.message_user(request, f"{name}: {ev.status}", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"{name}: {exc.message}", messages.ERROR)


@admin.register(Mismatch)
class MismatchAdmin(ReadOnly):
    list_display = ["last_seen_at", "account", "kind", "tradingsymbol", "state", "resolved_by"]
    list_filter = ["state", "kind"]
    actions = ["adopt"]

    @admin.action(description="Adopt the broker's state")
    def adopt(self, request, queryset):  # noqa: ANN001, ANN201
        for m in queryset.filter(state=Mismatch.State.OPEN):
            try:
                reconciliation.mismatch_adopt(mismatch_id=m.pk, actor=f"user:{request.user.pk}")
                self.message_user(request, f"#{m.pk} {m.kind}: adopted", messages.SUCCESS)
            except DomainError as exc:
                self.message_user(request, f"#{m.pk}: {exc.message}", messages.ERROR)


@admin.register(BrokerHealth)
class BrokerHealthAdmin(ReadOnly):
    list_display = ["account", "healthy", "paused", "reachable", "token_valid", "stream_connected", "latency_ms",
                    "checked_at", "reason"]  # fmt: skip


@admin.register(OrderFlags)
class OrderFlagsAdmin(ReadOnly):
    list_display = ["order", "is_orphaned", "orphaned_reason", "kept_by", "aging_notified_at", "archived_at"]
    list_filter = ["is_orphaned"]


@admin.register(EodReport)
class EodReportAdmin(ReadOnly):
    list_display = ["trading_day", "account", "realised_pnl", "orders_total", "mismatches", "broker_checked"]


admin.site.register(HousekeepingPreferences)

from oms_project.lib.admin import register_read_only  # noqa: E402, I001

from .models import PositionArchive, StrategySnapshot  # noqa: E402

register_read_only(PositionArchive, StrategySnapshot)
