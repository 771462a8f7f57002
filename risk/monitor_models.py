"""The live monitor's data (issue #12): the risk status of an account or strategy, the per-position guards'
settings and hits, and the Greeks snapshots (the seeds' `strategy_greeks_snapshots`). Imported by risk/models.py.

Written through risk.monitor (the services of the monitor) only."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class RiskStatus(models.Model):
    """ACTIVE, or REDUCING after the monitor saw a breach (only reducing orders pass the `risk.monitor` stage
    until the owner or ops resets it, or a new trading day starts). One row per account (strategy null) and per
    strategy: the strategy's `risk_status`. `alerted` remembers the highest alert level raised per check today,
    so a breach is alerted once per level, not on every tick."""

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="risk_statuses")
    strategy = models.OneToOneField(
        "portfolio.Strategy", on_delete=models.CASCADE, null=True, blank=True, related_name="risk_status"
    )
    status = models.CharField(max_length=10, choices=[(ACTIVE, ACTIVE), (REDUCING, REDUCING)], default=ACTIVE)
    code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    trading_day = models.DateField(null=True, blank=True)
    alerted = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "risk_status"
        verbose_name_plural = "risk statuses"
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=Q(strategy__isnull=True), name="one_account_status")
        ]

    def __str__(self) -> str:
        owner = f"strategy {self.strategy_id}" if self.strategy_id else f"account {self.account_id}"
        return f"{owner} {self.status}"


class PositionGuardConfig(models.Model):
    """A strategy's per-position guards (the seeds' position monitor, seeds/002: target ₹2,000, stop −₹1,000,
    timeout 6 h). Without a row the house defaults apply (settings.RISK_POSITION_GUARDS). Auto-close is off until
    the trader switches it on (the seed turns it on; closing positions unasked is the trader's choice here)."""

    strategy = models.OneToOneField("portfolio.Strategy", on_delete=models.CASCADE, related_name="position_guards")
    enabled = models.BooleanField(default=True)
    target_pnl = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, default=Decimal("2000"))
    stop_loss_pnl = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, default=Decimal("1000"), help_text="a loss, in ₹"
    )
    timeout_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True, default=Decimal("6"))
    auto_close_on_target = models.BooleanField(default=False)
    auto_close_on_stop = models.BooleanField(default=False)
    auto_close_on_timeout = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "risk_position_guards"

    def __str__(self) -> str:
        return f"guards of strategy {self.strategy_id}"


class PositionGuardHit(models.Model):
    """A guard that fired for a position on a day (once: the unique key makes the monitor act once)."""

    position_id = models.BigIntegerField()
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    guard = models.CharField(max_length=8)
    trading_day = models.DateField()
    pnl = models.DecimalField(max_digits=16, decimal_places=2)
    auto_close = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "risk_position_guard_hits"
        constraints = [
            models.UniqueConstraint(fields=["position_id", "guard", "trading_day"], name="one_guard_hit_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.guard} on position {self.position_id}"


class StrategyGreeksSnapshot(models.Model):
    """The Greeks of a strategy's open positions every 5 minutes in market hours (the seeds'
    `strategy_greeks_snapshots`); strategy null: the positions without a strategy. ₹ figures: delta (futures-
    equivalent exposure), gamma (change of ₹ delta for a 1% move), vega (per vol point), theta (per day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="greeks_snapshots")
    strategy = models.ForeignKey(
        "portfolio.Strategy", on_delete=models.CASCADE, null=True, blank=True, related_name="greeks_snapshots"
    )
    slot = models.CharField(max_length=24)
    taken_at = models.DateTimeField(db_index=True)
    positions = models.PositiveIntegerField(default=0)
    delta_inr = models.DecimalField(max_digits=18, decimal_places=2)
    gamma_inr = models.DecimalField(max_digits=18, decimal_places=2)
    vega_inr = models.DecimalField(max_digits=18, decimal_places=2)
    theta_inr = models.DecimalField(max_digits=18, decimal_places=2)
    premium_inr = models.DecimalField(max_digits=18, decimal_places=2)
    by_underlying = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "strategy_greeks_snapshots"
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "strategy", "slot"], name="one_greeks_snapshot_per_slot")
        ]

    def __str__(self) -> str:
        return f"Greeks of strategy {self.strategy_id} at {self.slot}"


class StrategyRiskDay(models.Model):
    """A strategy's best P&L of the day (realised today + unrealised), raised by the live monitor on each
    revaluation; the strategy risk dashboard measures the strategy's drawdown from it (as AccountRiskDay's peak
    equity is the account's)."""

    strategy = models.ForeignKey("portfolio.Strategy", on_delete=models.CASCADE, related_name="risk_days")
    trading_day = models.DateField()
    peak_pnl = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "risk_strategy_day"
        constraints = [models.UniqueConstraint(fields=["strategy", "trading_day"], name="one_risk_day_per_strategy")]

    def __str__(self) -> str:
        return f"strategy {self.strategy_id} peak P&L {self.peak_pnl} on {self.trading_day}"
