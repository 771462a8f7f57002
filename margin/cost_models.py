"""What each executed order cost (the seeds' `order_cost_breakdown`), written once per order.

Filled by margin.costs.on_order_terminal when an order ends with fills: its charges at the rates of its
trade date (margin.charges, Kite's unrounded amounts; STT/CTT as `stt`), the CHARGES ledger entry it posted,
and the strategy it belongs to, so strategies can total their brokerage and taxes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

RAW = {"max_digits": 24, "decimal_places": 10, "default": Decimal(0)}


class OrderCostBreakdown(models.Model):
    order_id = models.BigIntegerField(unique=True)  # orders.Order's id (margin sits below orders)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    strategy = models.ForeignKey(
        "portfolio.Strategy", on_delete=models.SET_NULL, null=True, blank=True, related_name="cost_breakdowns"
    )
    instrument_token = models.BigIntegerField()
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    transaction_type = models.CharField(max_length=4)
    product = models.CharField(max_length=4)
    quantity = models.PositiveIntegerField()
    average_price = models.DecimalField(max_digits=16, decimal_places=4)
    trade_date = models.DateField()
    order_value = models.DecimalField(**RAW)
    brokerage = models.DecimalField(**RAW)
    stt = models.DecimalField(**RAW)
    exchange_charges = models.DecimalField(**RAW)
    sebi_charges = models.DecimalField(**RAW)
    stamp_duty = models.DecimalField(**RAW)
    gst = models.DecimalField(**RAW)
    total_charges = models.DecimalField(**RAW)
    transaction_tax_type = models.CharField(max_length=4, blank=True)
    ledger_entry = models.ForeignKey(
        "portfolio.LedgerEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "order_cost_breakdown"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["strategy", "trade_date"], name="order_cost_strategy_day")]

    def __str__(self) -> str:
        return f"order #{self.order_id}: ₹{self.total_charges:.2f}"

    @property
    def taxes(self) -> Decimal:
        """Everything but brokerage: STT/CTT, exchange, SEBI, stamp duty, GST."""
        return self.stt + self.exchange_charges + self.sebi_charges + self.stamp_duty + self.gst
