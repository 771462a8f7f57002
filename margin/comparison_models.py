"""Our margin figure next to the broker's (Kite accounts): one row per comparison, the accuracy metric."""

from __future__ import annotations

from django.db import models

MONEY = {"max_digits": 20, "decimal_places": 2}


class MarginComparison(models.Model):
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=16, default="basket")  # which Kite calculator answered
    legs = models.PositiveSmallIntegerField()
    consider_positions = models.BooleanField(default=True)
    ours_total = models.DecimalField(**MONEY)  # our `final` total (exchange figure, no OMS buffer)
    broker_total = models.DecimalField(**MONEY)  # Kite's `final` total
    difference = models.DecimalField(**MONEY)  # ours − broker
    accuracy_pct = models.DecimalField(max_digits=7, decimal_places=3, null=True)  # 100 × (1 − |diff| / broker)
    source = models.CharField(max_length=40, blank=True)  # span-file:<date> or synthetic
    detail = models.JSONField(default=dict, blank=True)  # both answers' final components
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"account #{self.account_id}: ours {self.ours_total} vs broker {self.broker_total}"
