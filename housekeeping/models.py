"""Housekeeping's tables: the job log (the seeds' `housekeeping_events`), per-order and per-position flags
(orphaned, aged, archived), reconciliation mismatches, EOD reports, strategy P&L snapshots, broker health.

Housekeeping never changes another app's rows directly except through that app's services; what it
knows about an order or a position (orphaned by choice, aging notified, archived) lives here, one-to-one."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HousekeepingEvent(models.Model):
    """One run of one job: what it looked at, what it did, what went wrong. Written by every run."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING"
        OK = "OK"
        ERROR = "ERROR"  # finished, with errors (partial work is recorded in `did`)
        SKIPPED = "SKIPPED"  # not a trading day / outside the job's window

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        MANUAL = "manual"
        STARTUP = "startup"
        EVENT = "event"

    job = models.CharField(max_length=40, db_index=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    actor = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    trading_day = models.DateField(null=True, blank=True)
    strategy_id = models.BigIntegerField(null=True, blank=True)  # a per-strategy manual run
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    looked_at = models.JSONField(default=dict, blank=True)  # {"orders": 12, "accounts": 2}
    did = models.JSONField(default=dict, blank=True)  # {"cancelled": [ids], "flagged": [ids]}
    errors = models.JSONField(default=list, blank=True)  # ["account 3: broker unavailable"]
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "housekeeping_events"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["job", "-started_at"], name="hk_event_job_started")]

    def __str__(self) -> str:
        return f"{self.job} {self.status} {self.started_at:%Y-%m-%d %H:%M}"


class OrderFlags(models.Model):
    """Housekeeping's knowledge of one order (the seeds' `is_orphaned` / `orphaned_reason` on orders)."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="housekeeping")
    is_orphaned = models.BooleanField(default=False, db_index=True)
    orphaned_reason = models.CharField(max_length=200, blank=True)
    orphaned_at = models.DateTimeField(null=True, blank=True)
    kept_by = models.CharField(max_length=120, blank=True)  # "setting:allow_orphaned_orders", "user:<id>"
    aging_notified_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, db_index=True)
    archive_reason = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name_plural = "order flags"


class PositionArchive(models.Model):
    """A settled (flat or expired) position taken out of the live views."""

    position = models.OneToOneField("portfolio.Position", on_delete=models.CASCADE, related_name="housekeeping")
    archived_at = models.DateTimeField()
    reason = models.CharField(max_length=60)


class HousekeepingPreferences(models.Model):
    """A trader's choices for the jobs that act without asking (seed 001 'Order Aging': auto-cancel 'if
    configured'). Off unless the trader turns it on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="housekeeping_prefs")
    auto_cancel_aged_orders = models.BooleanField(
        default=False, help_text="Cancel working orders older than 4 hours (seed 001, order aging)."
    )

    class Meta:
        verbose_name = "housekeeping preferences"
        verbose_name_plural = "housekeeping preferences"


class Mismatch(models.Model):
    """Internal vs broker, one difference, with both sides. Open until cleared (gone at the next run) or
    resolved by ops (adopt the broker's state, audited)."""

    class Kind(models.TextChoices):
        QUANTITY = "QUANTITY_MISMATCH"
        MISSING = "MISSING_POSITION"  # the broker holds it, the OMS does not
        PHANTOM = "PHANTOM_POSITION"  # the OMS holds it, the broker does not
        PRICE = "PRICE_DISCREPANCY"
        UNKNOWN_ORDER = "UNKNOWN_ORDER"  # the broker knows an order the OMS does not (placed in Kite's app)
        ORDER_STATUS = "ORDER_STATUS_MISMATCH"
        ORDER_MISSING = "ORDER_MISSING_AT_BROKER"

    class State(models.TextChoices):
        OPEN = "OPEN"
        CLEARED = "CLEARED"
        RESOLVED = "RESOLVED"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=80)  # "pos:<token>:<product>" or "order:<broker id>"
    tradingsymbol = models.CharField(max_length=64, blank=True)
    internal = models.JSONField(default=dict, blank=True)
    broker = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=120, blank=True)
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "key"], condition=models.Q(state="OPEN"), name="hk_one_open_mismatch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"


class EodReport(models.Model):
    """One account's end of day: positions and orders vs the broker, realised P&L, archived orders."""

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="eod_reports")
    trading_day = models.DateField()
    created_at = models.DateTimeField()
    realised_pnl = models.DecimalField(max_digits=16, decimal_places=2)
    orders_total = models.PositiveIntegerField(default=0)
    orders_complete = models.PositiveIntegerField(default=0)
    orders_archived = models.PositiveIntegerField(default=0)
    mismatches = models.PositiveIntegerField(default=0)
    broker_checked = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)  # positions rows, per-strategy P&L, errors

    class Meta:
        ordering = ["-trading_day", "account_id"]
        constraints = [models.UniqueConstraint(fields=["account", "trading_day"], name="hk_one_eod_per_day")]


class StrategySnapshot(models.Model):
    """A strategy's P&L at one 5-minute mark (the intraday M2M chart)."""

    strategy = models.ForeignKey("portfolio.Strategy", on_delete=models.CASCADE, related_name="snapshots")
    at = models.DateTimeField()  # the 5-minute mark (UTC)
    positions = models.PositiveIntegerField(default=0)
    open_orders = models.PositiveIntegerField(default=0)
    realised_pnl = models.DecimalField(max_digits=16, decimal_places=2)
    unrealised_pnl = models.DecimalField(max_digits=16, decimal_places=2)
    margin_used = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    greeks = models.JSONField(default=dict, blank=True)  # the risk engine's ₹ Greeks (services/snapshots.py)

    class Meta:
        ordering = ["strategy_id", "at"]
        constraints = [models.UniqueConstraint(fields=["strategy", "at"], name="hk_one_snapshot_per_mark")]

    @property
    def m2m(self):  # noqa: ANN201 - a Decimal
        return self.realised_pnl + self.unrealised_pnl


class BrokerHealth(models.Model):
    """The last health check of one broker account; `paused` stops placement there (stage
    housekeeping.broker_health, code BROKER_PAUSED) until a check passes again."""

    account = models.OneToOneField("accounts.TradingAccount", on_delete=models.CASCADE, related_name="broker_health")
    healthy = models.BooleanField(default=True)
    paused = models.BooleanField(default=False)
    reachable = models.BooleanField(default=True)
    token_valid = models.BooleanField(default=True)
    stream_connected = models.BooleanField(null=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField()
    since = models.DateTimeField()  # when the current state (healthy / paused) began
