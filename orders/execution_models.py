"""Execution advice's tables (issue #11): the analysis stored with every order and the slippage of every fill.

Imported by `orders.models` (Django finds models there). Table names are the seeds' [IDX "Database Schema
Summary": `order_execution_analysis`, `order_slippage_history`]; the seeds name their contents (spread
metrics, impact estimate, recommendation; historical slippage), the columns are ours (docs/execution.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrderExecutionAnalysis(models.Model):
    """The depth analysis an order was decided on (`marketdata.depth_analysis`), written in the placement
    transaction: the book at that moment, the walk, the recommendation and what the guard did."""

    class Guard(models.TextChoices):
        NONE = "NONE", "None"
        WIDE = "WIDE", "Wide spread: sent as LIMIT"
        WIDE_SPREAD = "WIDE_SPREAD", "Very wide spread"
        HIGH_IMPACT = "HIGH_IMPACT", "High impact or low liquidity"

    class Action(models.TextChoices):
        NOT_GUARDED = "NOT_GUARDED", "Not guarded (not a MARKET entry)"
        PASSED = "PASSED", "Passed"
        CONVERTED_TO_LIMIT = "CONVERTED_TO_LIMIT", "Converted to LIMIT"
        PARKED = "PARKED", "Waiting for approval"
        ALERTED = "ALERTED", "Sent with an alert"
        OVERRIDDEN = "OVERRIDDEN", "Sent on the trader's override"
        NO_BOOK = "NO_BOOK", "No quote to analyse"

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="execution_analysis")
    analysed_at = models.DateTimeField()
    transaction_type = models.CharField(max_length=4)
    quantity = models.PositiveIntegerField()
    order_type = models.CharField(max_length=8, help_text="As the trader asked (before a WIDE conversion).")
    # The book
    best_bid = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    best_ask = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    mid = models.DecimalField(max_digits=16, decimal_places=4, null=True, help_text="Arrival price.")
    spread_abs = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    spread_pct = models.DecimalField(max_digits=10, decimal_places=4, null=True)
    spread_category = models.CharField(max_length=10, blank=True)
    # The walk
    expected_price = models.DecimalField(max_digits=16, decimal_places=4, null=True, help_text="Walk VWAP.")
    impact_bps = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    estimated_slippage = models.DecimalField(max_digits=16, decimal_places=2, null=True, help_text="₹ vs mid.")
    levels_consumed = models.PositiveSmallIntegerField(default=0)
    worst_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    visible_quantity = models.PositiveIntegerField(default=0)
    book_shortfall = models.PositiveIntegerField(default=0)
    liquidity_score = models.PositiveSmallIntegerField(default=0)
    liquidity_band = models.CharField(max_length=10, blank=True)
    # The advice
    recommendation = models.CharField(max_length=24, blank=True)
    recommendation_reason = models.CharField(max_length=200, blank=True)
    recommended_limit_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    recommended_slice_quantity = models.PositiveIntegerField(null=True)
    recommended_quantity = models.PositiveIntegerField(
        null=True, help_text="Largest whole-lot quantity within the impact budget (position size)."
    )
    recommended_quantity_limited_by = models.CharField(max_length=16, blank=True)
    guard = models.CharField(max_length=12, choices=Guard.choices, default=Guard.NONE)
    guard_action = models.CharField(max_length=20, choices=Action.choices, default=Action.PASSED)
    thresholds = models.JSONField(default=dict, help_text="The limits the order was judged by.")

    class Meta:
        db_table = "order_execution_analysis"
        verbose_name_plural = "order execution analyses"

    def __str__(self) -> str:
        return f"Execution analysis of order {self.order_id}: {self.spread_category} {self.impact_bps} bps"


class OrderSlippageHistory(models.Model):
    """One row per fill: what the trader expected and what the market gave. Slippage is a cost when
    positive (a buy filled above the arrival mid, a sell below it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="slippage_history")
    trade_id = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    tradingsymbol = models.CharField(max_length=64)
    transaction_type = models.CharField(max_length=4)
    order_type = models.CharField(max_length=8)
    algorithm = models.CharField(max_length=12, default="NONE", help_text="NONE, SLICED (freeze), later TWAP/ICEBERG.")
    lots = models.PositiveIntegerField(help_text="The decided order's size in lots (size buckets).")
    quantity = models.PositiveIntegerField(help_text="This fill's quantity.")
    arrival_price = models.DecimalField(max_digits=16, decimal_places=4, help_text="Mid when the order was decided.")
    expected_price = models.DecimalField(max_digits=16, decimal_places=4, null=True, help_text="The analysis VWAP.")
    fill_price = models.DecimalField(max_digits=14, decimal_places=4)
    slippage_bps = models.DecimalField(max_digits=10, decimal_places=2, help_text="Fill vs arrival.")
    slippage_inr = models.DecimalField(max_digits=16, decimal_places=2)
    vs_expected_bps = models.DecimalField(max_digits=10, decimal_places=2, null=True, help_text="Fill vs expected.")
    filled_at = models.DateTimeField()

    class Meta:
        db_table = "order_slippage_history"
        constraints = [models.UniqueConstraint(fields=["order", "trade_id"], name="slippage_once_per_fill")]
        indexes = [models.Index(fields=["user", "instrument_token", "-filled_at"], name="slippage_user_instr")]

    def __str__(self) -> str:
        return f"Slippage of {self.trade_id}: {self.slippage_bps} bps"


class AdvancedOrderExecution(models.Model):
    """A parent execution (the seeds' `advanced_order_executions`, [IDX "From Bonus Features"]): an order worked
    by an algorithm (TWAP, ICEBERG, DEPTH_SPLIT) as child orders (role ALGO) that each go through the pipeline;
    run by `orders.services.algos` (docs/execution.md "Algorithms")."""

    class Algorithm(models.TextChoices):
        TWAP = "TWAP", "TWAP"
        ICEBERG = "ICEBERG", "Iceberg"
        DEPTH_SPLIT = "DEPTH_SPLIT", "Depth-aware split"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        PAUSED = "PAUSED", "Paused"
        COMPLETED = "COMPLETED", "Completed"
        CANCELLED = "CANCELLED", "Cancelled"
        FAILED = "FAILED", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey("portfolio.Strategy", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    algorithm = models.CharField(max_length=12, choices=Algorithm.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    instrument_token = models.BigIntegerField()
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    transaction_type = models.CharField(max_length=4)
    product = models.CharField(max_length=8)
    total_quantity = models.PositiveIntegerField()
    filled_quantity = models.PositiveIntegerField(default=0)
    limit_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, help_text="The price guard.")
    params = models.JSONField(default=dict, help_text="duration, slices/interval, jitter, participation, visible.")
    arrival_price = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    average_price = models.DecimalField(max_digits=16, decimal_places=4, null=True)
    slices_total = models.PositiveIntegerField(default=0)
    slices_sent = models.PositiveIntegerField(default=0)
    next_slice_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)
    status_message = models.CharField(max_length=300, blank=True, help_text="Why it waits, paused or ended.")

    class Meta:
        db_table = "advanced_order_executions"
        indexes = [models.Index(fields=["status", "next_slice_at"], name="adv_exec_due")]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.transaction_type} {self.total_quantity} {self.tradingsymbol} ({self.status})"


class AdvancedExecutionSlice(models.Model):
    """One planned child of a parent execution. (execution, number) is unique and the child order is linked
    once, so a restart that re-reads the plan can never send a slice twice. A slice is CLAIMED (with the
    quantity and price it will be sent with) in one transaction before its child is placed with the
    idempotency key `algo-<execution>-<number>`; a claim left behind by a crash is re-placed with the same key,
    which returns the order if it was made (docs/execution.md)."""

    class Status(models.TextChoices):
        PLANNED = "PLANNED", "Planned"
        CLAIMED = "CLAIMED", "Claimed for sending"
        SENT = "SENT", "Sent"
        SKIPPED = "SKIPPED", "Skipped (nothing left to send)"

    execution = models.ForeignKey(AdvancedOrderExecution, on_delete=models.CASCADE, related_name="slices")
    number = models.PositiveIntegerField()
    planned_at = models.DateTimeField()
    quantity = models.PositiveIntegerField()
    order = models.OneToOneField("orders.Order", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="advanced_slice")
    sent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PLANNED)
    claimed_at = models.DateTimeField(null=True, blank=True)
    send_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="As claimed (catch-up, caps).")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "advanced_order_execution_slices"
        constraints = [models.UniqueConstraint(fields=["execution", "number"], name="adv_slice_once")]
        ordering = ["execution", "number"]

    def __str__(self) -> str:
        return f"slice {self.number} of execution {self.execution_id}: {self.quantity}"
