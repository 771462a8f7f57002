"""Risk data: limit overrides per account and per strategy, kill switches and their audit trail, the F&O ban
list, the day's equity peak per account, and risk events.

Written through risk.services only; read through risk.selectors."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .domain import EngagedBy, KillAction, KillState, Scope


class RiskLimitConfig(models.Model):
    """Overrides of the catalogue's defaults (risk/limits.py) for one account or one strategy:
    `{"daily_loss": {"enabled": true, "pct": "5"}, ...}`. A strategy's overrides apply on top of its account's
    and its preset's."""

    account = models.OneToOneField(
        "accounts.TradingAccount", on_delete=models.CASCADE, null=True, blank=True, related_name="risk_limits"
    )
    strategy = models.OneToOneField(
        "portfolio.Strategy", on_delete=models.CASCADE, null=True, blank=True, related_name="risk_limits"
    )
    overrides = models.JSONField(default=dict, blank=True)
    updated_by = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(account__isnull=False) & Q(strategy__isnull=True))
                | (Q(account__isnull=True) & Q(strategy__isnull=False)),
                name="risk_limits_one_owner",
            )
        ]

    def __str__(self) -> str:
        owner = f"strategy {self.strategy_id}" if self.strategy_id else f"account {self.account_id}"
        return f"limits of {owner}"


class KillSwitch(models.Model):
    """One kill switch: per account, per user (all their accounts) or the one global switch (ops).

    Placement reads the rows that govern its account (account, user, global) with a share lock inside the
    transaction that writes the order; engaging takes the row FOR UPDATE. So an order either committed before
    the engage (and the square-off, which runs after the engage commits, cancels it) or sees the switch
    engaged. Rows are created on first use (an account's first placement, or an engage)."""

    scope = models.CharField(max_length=8, choices=[(s.value, s.value) for s in Scope])
    account = models.OneToOneField(
        "accounts.TradingAccount", on_delete=models.CASCADE, null=True, blank=True, related_name="kill_switch"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="kill_switches"
    )
    state = models.CharField(max_length=10, choices=[(s.value, s.value) for s in KillState], default=KillState.ACTIVE)
    engaged_by = models.CharField(max_length=6, choices=[(s.value, s.value) for s in EngagedBy], blank=True)
    engaged_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(max_length=80, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(scope=Scope.USER), name="one_user_kill_switch"),
            models.UniqueConstraint(fields=["scope"], condition=Q(scope=Scope.GLOBAL), name="one_global_kill_switch"),
            models.CheckConstraint(
                condition=(Q(scope=Scope.ACCOUNT) & Q(account__isnull=False))
                | (Q(scope=Scope.USER) & Q(user__isnull=False) & Q(account__isnull=True))
                | (Q(scope=Scope.GLOBAL) & Q(user__isnull=True) & Q(account__isnull=True)),
                name="kill_switch_scope_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} kill switch ({self.state})"

    @property
    def engaged(self) -> bool:
        return self.state != KillState.ACTIVE


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise TypeError("kill switch events are append-only")

    def delete(self):  # noqa: ANN201
        raise TypeError("kill switch events are append-only")


class KillSwitchEvent(models.Model):
    """The audit of every kill-switch change (the seeds' `kill_switch_events`): append-only."""

    switch = models.ForeignKey(KillSwitch, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=[(a.value, a.value) for a in KillAction])
    state_after = models.CharField(max_length=10)
    actor = models.CharField(max_length=80)
    reason = models.CharField(max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "risk_kill_switch_events"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if self.pk is not None:
            raise TypeError("kill switch events are append-only")
        return super().save(*args, **kwargs)


class FnoBan(models.Model):
    """A security in the F&O ban period on a trading day (NSE publishes the list daily; an ops user or a daily
    task enters it). While banned, only position-reducing orders in its derivatives are accepted."""

    underlying = models.CharField(max_length=40, help_text="the instrument master's `name`, e.g. RBLBANK")
    trade_date = models.DateField()
    source = models.CharField(max_length=200, blank=True, help_text="e.g. NSE fo_secban_DDMMYYYY.csv")
    added_by = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trade_date", "underlying"]
        verbose_name = "F&O ban entry"
        verbose_name_plural = "F&O ban list"
        constraints = [models.UniqueConstraint(fields=["underlying", "trade_date"], name="unique_ban_per_day")]

    def __str__(self) -> str:
        return f"{self.underlying} banned on {self.trade_date}"


class AccountRiskDay(models.Model):
    """The day's peak equity of an account (capital + today's P&L), raised whenever risk sees the account's
    equity (fills, funds changes, the summary). Drawdown is measured from it."""

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="risk_days")
    trading_day = models.DateField()
    peak_equity = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "trading_day"], name="one_risk_day_per_account")]

    def __str__(self) -> str:
        return f"account {self.account_id} peak {self.peak_equity} on {self.trading_day}"


class RiskEvent(models.Model):
    """Something risk did or saw: a kill switch engaged/released, a limit breached (auto engage), a
    square-off's outcome. `GET /api/v1/risk/events/`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_events")
    account = models.ForeignKey(
        "accounts.TradingAccount", on_delete=models.CASCADE, null=True, blank=True, related_name="risk_events"
    )
    kind = models.CharField(max_length=30)
    code = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="risk_event_user_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


from .monitor_models import (  # noqa: E402,F401 - the live monitor's tables (issue #12)
    PositionGuardConfig,
    PositionGuardHit,
    RiskStatus,
    StrategyGreeksSnapshot,
    StrategyRiskDay,
)
