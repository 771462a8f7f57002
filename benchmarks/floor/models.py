"""One table of 31 columns (id + 30), shaped like an order row."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

ZERO = Decimal("0")


class FloorOrder(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account_id_ref = models.BigIntegerField()
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    transaction_type = models.CharField(max_length=4)
    product = models.CharField(max_length=4)
    order_type = models.CharField(max_length=6)
    variety = models.CharField(max_length=10, default="regular")
    validity = models.CharField(max_length=3, default="DAY")
    validity_ttl = models.PositiveIntegerField(null=True)
    quantity = models.PositiveIntegerField()
    pending_quantity = models.PositiveIntegerField(default=0)
    filled_quantity = models.PositiveIntegerField(default=0)
    cancelled_quantity = models.PositiveIntegerField(default=0)
    disclosed_quantity = models.PositiveIntegerField(default=0)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    trigger_price = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    average_price = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    market_protection = models.IntegerField(null=True)
    status = models.CharField(max_length=24, default="OPEN")
    status_message = models.CharField(max_length=500, blank=True)
    tag = models.CharField(max_length=20, blank=True)
    user_tag = models.CharField(max_length=20, blank=True)
    client_order_id = models.CharField(max_length=64, null=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    broker_order_id = models.CharField(max_length=32, null=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"floor order {self.pk}"
