"""Completion policies (issue #11): a strategy's settings (one-to-one with portfolio.Strategy, kept by the app
that enforces them, as docs/architecture.md plans for every settings group) and each order's run of its policy."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from .completion import AfterChase, PartialFillAction, UnfilledAction


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in enum]


class StrategyCompletionPolicy(models.Model):
    """What happens to a strategy's unfilled and partly filled LIMIT orders. No row, or both actions NONE: nothing."""

    strategy = models.OneToOneField("portfolio.Strategy", on_delete=models.CASCADE, related_name="completion_policy")
    unfilled_action = models.CharField(max_length=16, choices=_choices(UnfilledAction), default=UnfilledAction.NONE)
    unfilled_after_seconds = models.PositiveIntegerField(default=30)
    chase_interval_seconds = models.PositiveIntegerField(default=10)
    chase_ticks = models.PositiveSmallIntegerField(default=1)
    chase_max_adjustment_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("5.0"))
    after_chase = models.CharField(max_length=16, choices=_choices(AfterChase), default=AfterChase.NONE)
    partial_fill_action = models.CharField(
        max_length=16, choices=_choices(PartialFillAction), default=PartialFillAction.NONE
    )
    partial_fill_wait_seconds = models.PositiveIntegerField(default=30)
    partial_fill_price_move_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "strategy_completion_policies"
        verbose_name_plural = "strategy completion policies"

    def __str__(self) -> str:
        return f"{self.strategy_id}: {self.unfilled_action} / {self.partial_fill_action}"


class OrderCompletion(models.Model):
    """One order's run of its completion policy: the settings it started with, where it is, and why it ended."""

    class State(models.TextChoices):
        ACTIVE = "ACTIVE", "Watching the order"
        COMPLETING = "COMPLETING", "Cancelling, then sending the remainder"
        DONE = "DONE", "Nothing left to do"
        STOPPED = "STOPPED", "Stopped (the trader took over, or a step was refused)"

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="completion")
    settings = models.JSONField(default=dict, help_text="The policy as it started (strategy or order override).")
    source = models.CharField(max_length=10, default="strategy", help_text="strategy or order (an override).")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    mode = models.CharField(max_length=8, blank=True, help_text="COMPLETE or SPLIT once completing.")
    original_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    expected_quantity = models.PositiveIntegerField(null=True, blank=True)
    steps = models.PositiveSmallIntegerField(default=0)
    last_step_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="A step in flight (a lease).")
    claim = models.JSONField(default=dict, blank=True, help_text="The step in flight: kind, price, quantity, n.")
    children_sent = models.PositiveSmallIntegerField(default=0)
    quantity_sent = models.PositiveIntegerField(default=0)
    children = models.JSONField(default=list, blank=True, help_text="Ids of the orders sent for the remainder.")
    reason = models.CharField(max_length=300, blank=True, help_text="The last step, or why it ended.")
    stopped_by = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "order_completions"
        indexes = [models.Index(fields=["state"], name="order_completion_state_idx")]

    def __str__(self) -> str:
        return f"#{self.order_id} {self.state} {self.reason}"
