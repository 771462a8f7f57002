"""Margin monitoring tables (issue #10, "Funds, monitoring and margin calls"): snapshots, margin calls,
per-account call policy and the NSE margin file cache. Imported by `margin.models` (Django finds them there).

Table names are the seeds' (000 "Dynamic Margin" tables: `margin_snapshots`, `margin_calls`,
`nse_margin_cache`); the seeds name the tables only, so the columns are ours (docs/margin-monitoring.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


def _money(**kw):  # noqa: ANN003, ANN202
    return models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"), **kw)


class MarginSnapshot(models.Model):
    """What one account's margin was at one moment: every 5 minutes in market hours and after every fill.

    `key` makes a snapshot idempotent: the 5-minute slot (`slot:2026-12-01T10:05`) or the fact that
    caused it (`trade:812`, `ledger:44`), unique per account, so a re-run or a re-delivered event
    stores nothing twice.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "SCHEDULE", "Every 5 minutes"
        FILL = "FILL", "A fill"
        FUNDS = "FUNDS", "Funds changed"
        REGULATORY = "REGULATORY", "NSE margin file"
        MANUAL = "MANUAL", "Asked for"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="margin_snapshots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="margin_snapshots")
    taken_at = models.DateTimeField(db_index=True)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    key = models.CharField(max_length=64)
    span = _money()
    exposure = _money()
    option_premium = _money()
    var = _money(help_text="VaR margin (cash segment).")
    additional = _money(help_text="Kite's 'additional' component (e.g. an additional ELM).")
    exchange_total = _money(help_text="What the exchange requires: SPAN + exposure + premium + VaR + additional.")
    buffer = _money(help_text="The OMS's safety buffer on top of the exchange margin (never mixed into it).")
    total_required = _money(help_text="Exchange margin + buffer: what the OMS holds back.")
    funds_known = models.BooleanField(
        default=True, help_text="False for a broker account whose cash the OMS does not hold."
    )
    capital = _money(help_text="Cash the margin is held against (funds).")
    available = _money()
    utilisation_pct = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))
    level = models.CharField(max_length=8, default="LOW")
    factors = models.JSONField(default=list, blank=True)  # [[name, factor, reason], ...]
    # A fingerprint of the open positions margined; MARGIN_CHANGE compares snapshots of the same positions.
    positions_key = models.CharField(max_length=64, blank=True, default="")
    source = models.CharField(max_length=40, blank=True, default="")
    warned = models.BooleanField(default=False, help_text="This snapshot raised MARGIN_WARNING.")

    class Meta:
        db_table = "margin_snapshots"
        ordering = ["-taken_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="margin_snapshot_once_per_key")]
        indexes = [models.Index(fields=["account", "-taken_at"], name="margin_snapshot_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.taken_at:%Y-%m-%d %H:%M} {self.utilisation_pct}%"

    @property
    def shortfall(self) -> Decimal:
        return max(self.total_required - self.capital, Decimal(0))


class MarginCallPolicy(models.Model):
    """Per account: whether an unanswered margin call squares the account off after its grace."""

    account = models.OneToOneField(
        "accounts.TradingAccount", on_delete=models.CASCADE, related_name="margin_call_policy"
    )
    auto_square_off = models.BooleanField(
        default=False, help_text="Square off the account's positions when a margin call is still short after the grace."
    )
    grace_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: settings.MARGIN_CALL_GRACE_MINUTES."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "margin_call_policies"
        verbose_name_plural = "margin call policies"

    def __str__(self) -> str:
        return f"margin call policy of account {self.account_id}"


class MarginCall(models.Model):
    """A shortfall: required margin above the account's capital. One open call per account at a time."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        RESOLVED = "RESOLVED", "Resolved (no shortfall any more)"
        SQUARING_OFF = "SQUARING_OFF", "Squaring off"
        SQUARED_OFF = "SQUARED_OFF", "Squared off"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="margin_calls")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="margin_calls")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    required = _money()
    capital = _money()
    shortfall = _money()
    last_shortfall = _money()
    opened_at = models.DateTimeField()
    grace_until = models.DateTimeField()
    auto_square_off = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=200, blank=True, default="")
    response = models.CharField(max_length=60, blank=True, default="")  # the trader's answer to the alert
    alert_id = models.BigIntegerField(null=True, blank=True)
    snapshot = models.ForeignKey(MarginSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    square_off_orders = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "margin_calls"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status__in=["OPEN", "SQUARING_OFF"]), name="one_open_margin_call"
            )
        ]
        indexes = [models.Index(fields=["status", "grace_until"], name="margin_call_due")]

    def __str__(self) -> str:
        return f"margin call #{self.pk} {self.status} short {self.shortfall}"


class NseMarginFile(models.Model):
    """One NSE Clearing margin file seen in the configured folder (the seeds' `nse_margin_cache`).

    `rates` keeps an AEL file's ELM% per symbol and class ({"RELIANCE|OTH": "3.5", ...}), so the next
    day's file can be compared and the accounts holding a changed symbol told (MARGIN_CHANGE).
    """

    class Kind(models.TextChoices):
        SPAN = "SPAN", "SPAN risk parameters (.spn)"
        AEL = "AEL", "Applicable ELM (AEL csv)"

    class Status(models.TextChoices):
        IMPORTED = "IMPORTED", "Imported"
        FAILED = "FAILED", "Failed"
        SKIPPED = "SKIPPED", "Seen, not imported"

    kind = models.CharField(max_length=4, choices=Kind.choices)
    trade_date = models.DateField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices)
    detail = models.TextField(blank=True, default="")
    rates = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "nse_margin_cache"
        ordering = ["-imported_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "sha256"], name="nse_margin_file_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.status}"
