"""Orders, their append-only audit trail and per-user order settings. Fills, positions and strategies
are the portfolio app's (`portfolio.models`).

Field names follow Kite (exchange, tradingsymbol, transaction_type, product, order_type, validity, ...).
Status changes go through `orders.domain.can_transition` with a conditional UPDATE on (status, version).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .domain import EventKind, OrderRole, OrderStatus, OrderType, Product, Side, Validity

ZERO = Decimal("0")


def _choices(enum) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(m.value, m.value) for m in enum]


class OrderPreferences(models.Model):
    """Per-user order settings: what happens to a near-duplicate order without a client order id."""

    class DuplicateAction(models.TextChoices):
        REFUSE = "REFUSE", "Refuse"
        CONFIRM = "CONFIRM", "Ask me to confirm"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="order_preferences")
    duplicate_window_seconds = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("2"))
    duplicate_action = models.CharField(max_length=8, choices=DuplicateAction.choices, default=DuplicateAction.REFUSE)
    auto_slice = models.BooleanField(default=False, help_text="Slice orders above the freeze limit by default.")
    confirm_market_orders = models.BooleanField(
        default=True, help_text="The ticket asks to confirm a MARKET order (its costs and margin) before sending it."
    )

    def __str__(self) -> str:
        return f"Order preferences of {self.user}"


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="orders")
    strategy = models.ForeignKey(
        "portfolio.Strategy", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    role = models.CharField(max_length=10, choices=_choices(OrderRole), default=OrderRole.ENTRY)
    # OCO: the other exit of the same bracket pair.
    oco_sibling = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    client_order_id = models.CharField(max_length=64, null=True, blank=True)
    payload_hash = models.CharField(max_length=64, blank=True)
    tag = models.CharField(max_length=20, unique=True)  # sent to the broker; Kite's 20-char limit
    user_tag = models.CharField(max_length=20, blank=True)  # the caller's own tag (kept, not sent)
    broker_order_id = models.CharField(max_length=40, null=True, blank=True, db_index=True)
    exchange_order_id = models.CharField(max_length=40, null=True, blank=True)

    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField(db_index=True)
    transaction_type = models.CharField(max_length=4, choices=_choices(Side))
    quantity = models.PositiveIntegerField()
    product = models.CharField(max_length=4, choices=_choices(Product))
    order_type = models.CharField(max_length=6, choices=_choices(OrderType))
    variety = models.CharField(max_length=10, default="regular")
    # Kite's iceberg variety (an ICEBERG execution routed to Kite, orders.kite_iceberg): legs and leg quantity.
    iceberg_legs = models.PositiveSmallIntegerField(null=True, blank=True)
    iceberg_quantity = models.PositiveIntegerField(null=True, blank=True)
    price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    trigger_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    validity = models.CharField(max_length=3, choices=_choices(Validity), default=Validity.DAY)
    validity_ttl = models.PositiveIntegerField(null=True, blank=True)
    disclosed_quantity = models.PositiveIntegerField(default=0)
    market_protection = models.IntegerField(null=True, blank=True)  # -1 automatic, 1..100 percent

    # bracket (on ENTRY orders): absolute prices, or points from the fill price
    stop_loss = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    stop_loss_points = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_points = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    trailing_stop_points = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    status = models.CharField(max_length=20, choices=_choices(OrderStatus), default=OrderStatus.PENDING_SUBMIT)
    status_message = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=0)
    filled_quantity = models.PositiveIntegerField(default=0)
    pending_quantity = models.PositiveIntegerField(default=0)
    cancelled_quantity = models.PositiveIntegerField(default=0)
    average_price = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    modification_count = models.PositiveSmallIntegerField(default=0)
    submit_attempts = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    broker_updated_at = models.DateTimeField(null=True, blank=True)
    exchange_timestamp = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_order_id"],
                condition=Q(client_order_id__isnull=False),
                name="unique_client_order_id_per_user",
            ),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in OrderStatus]), name="order_status_valid"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_quantity_positive"),
        ]
        indexes = [
            models.Index(fields=["account", "instrument_token", "transaction_type", "created_at"]),
            models.Index(fields=["user", "status"]),
            # The resolver's sweep (UNKNOWN past the grace, claims past the lease): a range on one status.
            models.Index(fields=["status", "submitted_at"], name="order_status_submitted_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.transaction_type} {self.quantity} {self.tradingsymbol} {self.order_type} {self.status}"
        )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise PermissionError("Audit rows are append-only.")

    def delete(self):  # noqa: ANN201
        raise PermissionError("Audit rows are append-only.")


class OrderEvent(models.Model):
    """Audit trail: one row per action/transition, written in the same transaction. Never changed."""

    order = models.ForeignKey(Order, on_delete=models.DO_NOTHING, related_name="events", db_constraint=False)
    kind = models.CharField(max_length=20, choices=_choices(EventKind))
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.CharField(max_length=120)  # "user:<id>", "api_key:<prefix>", "system:<job>", "broker"
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status}"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if self.pk is not None:
            raise PermissionError("Audit rows are append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise PermissionError("Audit rows are append-only.")


from .execution_models import (  # noqa: E402, F401  (issue #11)
    AdvancedExecutionSlice,
    AdvancedOrderExecution,
    OrderExecutionAnalysis,
    OrderSlippageHistory,
)
