"""The paper venue's own tables: it behaves like an external broker, keyed by an account reference.

The tables kept the names they had under `orders` (`db_table`): the move to this app was state only
(paper_venue 0001 + orders 0006).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

ZERO = Decimal("0")


class PaperVenueOrder(models.Model):
    account_ref = models.CharField(max_length=40, db_index=True)
    venue_order_id = models.CharField(max_length=24, unique=True)
    tag = models.CharField(max_length=20, blank=True, db_index=True)
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    transaction_type = models.CharField(max_length=4)
    order_type = models.CharField(max_length=6)  # as placed: MARKET / LIMIT / SL / SL-M
    product = models.CharField(max_length=4)
    validity = models.CharField(max_length=3, default="DAY")
    validity_ttl = models.PositiveIntegerField(null=True, blank=True)
    variety = models.CharField(max_length=10, default="regular")
    quantity = models.PositiveIntegerField()
    disclosed_quantity = models.PositiveIntegerField(default=0)
    price = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    trigger_price = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    market_protection = models.IntegerField(null=True, blank=True)
    protection_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    triggered = models.BooleanField(default=False)
    status = models.CharField(max_length=24, db_index=True)
    status_message = models.CharField(max_length=500, blank=True)
    filled_quantity = models.PositiveIntegerField(default=0)
    cancelled_quantity = models.PositiveIntegerField(default=0)
    average_price = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    modified_count = models.PositiveSmallIntegerField(default=0)
    # A resting order's place in the queue at its price: the quantity still ahead of it (paper_venue/book.py);
    # null until it rests.
    queue_ahead = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "orders_papervenueorder"
        ordering = ["id"]
        indexes = [models.Index(fields=["account_ref", "status"], name="orders_pape_account_491c56_idx")]
        verbose_name = "paper venue order"

    def __str__(self) -> str:
        return f"venue {self.venue_order_id} {self.status}"

    @property
    def pending_quantity(self) -> int:
        if self.status in ("COMPLETE", "CANCELLED", "REJECTED", "EXPIRED", "LAPSED"):
            return 0
        return self.quantity - self.filled_quantity - self.cancelled_quantity


class PaperVenueTrade(models.Model):
    account_ref = models.CharField(max_length=40, db_index=True)
    trade_id = models.CharField(max_length=24, unique=True)
    venue_order = models.ForeignKey(PaperVenueOrder, on_delete=models.CASCADE, related_name="trades")
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    transaction_type = models.CharField(max_length=4)
    product = models.CharField(max_length=4)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=14, decimal_places=2)
    fill_timestamp = models.DateTimeField()

    class Meta:
        db_table = "orders_papervenuetrade"
        ordering = ["id"]
        verbose_name = "paper venue trade"

    def __str__(self) -> str:
        return f"venue trade {self.trade_id}"


class PaperVenuePosition(models.Model):
    """The venue's running net position per (account, instrument, product), kept with every fill.

    The venue's cash (`PaperVenue.funds`) sums their realised P&L in one statement instead of replaying every
    trade of the account. (The venue holds no margin: the OMS's margin engine gates orders, margin.funds.)
    `average_price`/`realized` keep the exact running values of `positions_math.apply_fill`.
    Overnight: `day_start_quantity` is the quantity before the first fill of `last_fill_day`.
    """

    account_ref = models.CharField(max_length=40)
    instrument_token = models.BigIntegerField()
    product = models.CharField(max_length=4)
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_type = models.CharField(max_length=4, blank=True)
    strike = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    quantity = models.IntegerField(default=0)
    average_price = models.DecimalField(max_digits=30, decimal_places=12, default=ZERO)
    realized = models.DecimalField(max_digits=30, decimal_places=12, default=ZERO)
    last_fill_day = models.DateField(null=True, blank=True)
    day_start_quantity = models.IntegerField(default=0)

    class Meta:
        db_table = "orders_papervenueposition"
        ordering = ["id"]
        verbose_name = "paper venue position"
        constraints = [
            models.UniqueConstraint(
                fields=["account_ref", "instrument_token", "product"], name="unique_paper_venue_position"
            )
        ]

    def __str__(self) -> str:
        return f"venue position {self.account_ref} {self.tradingsymbol} {self.product} {self.quantity:+d}"


class PaperVenueBook(models.Model):
    """Depth of the simulated book that the venue's fills used up, per instrument and side, as of `as_of`;
    it comes back at `book.BOOK_REFILL_SECONDS` (docs/market-model.md, "The paper venue's book"). One market
    for every paper account and the Kite sandbox: what one order took, the next one does not get."""

    class Side(models.TextChoices):
        ASK = "ASK", "offers (taken by buyers)"
        BID = "BID", "bids (taken by sellers)"

    instrument_token = models.BigIntegerField()
    side = models.CharField(max_length=3, choices=Side.choices)
    consumed = models.PositiveBigIntegerField(default=0)
    as_of = models.DateTimeField()

    class Meta:
        verbose_name = "paper venue book"
        constraints = [models.UniqueConstraint(fields=["instrument_token", "side"], name="unique_paper_venue_book")]

    def __str__(self) -> str:
        return f"book {self.instrument_token} {self.side} -{self.consumed}"
