"""What a trader holds and has: strategies, fills, net positions and the funds ledger.

`Strategy`, `Trade` and `Position` moved here from `orders` (issue #8): their tables keep their names
(`orders_strategy`, `orders_trade`, `orders_position`) so existing data stays where it is; the move was a
state-only migration (portfolio 0001 + orders 0005). Writes go through `portfolio.services` only; reads
through `portfolio.selectors`.

`Trade.order` still points at `orders.Order` (a string reference, no import): a fill belongs to an order.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from .domain import LedgerKind

ZERO = Decimal("0")
SIDES = [("BUY", "BUY"), ("SELL", "SELL")]


class Strategy(models.Model):
    """Groups orders and positions; holds the strategy settings of the design (seed 001).

    The housekeeping, execution, risk and margin limits are here for now; each group will move into a
    one-to-one table of the app that enforces it (docs/architecture.md, "Portfolio")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=80)
    preset = models.CharField(max_length=20, blank=True, default="conservative")
    is_active = models.BooleanField(default=True)
    # housekeeping
    auto_cleanup_enabled = models.BooleanField(default=True)
    cleanup_sl_on_exit = models.BooleanField(default=True)
    cleanup_target_on_exit = models.BooleanField(default=True)
    allow_orphaned_orders = models.BooleanField(default=False)
    notify_on_orphan_detection = models.BooleanField(default=True)
    # execution thresholds
    max_order_spread_pct = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0.3"))
    min_liquidity_score = models.PositiveSmallIntegerField(default=70)
    require_user_approval_high_impact = models.BooleanField(default=True)
    max_market_impact_bps = models.PositiveIntegerField(default=30)
    # risk limits / margin
    margin_buffer_pct = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("20.0"))
    max_loss_per_strategy_pct = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("5.0"))
    auto_square_off_on_loss_limit = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_strategy"
        ordering = ["id"]
        verbose_name_plural = "strategies"
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_strategy_name_per_user")]

    def __str__(self) -> str:
        return self.name


class Trade(models.Model):
    """One fill, stored once per (account, broker trade id)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trades")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="trades")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="trades")
    strategy = models.ForeignKey(Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="trades")
    trade_id = models.CharField(max_length=40)
    broker_order_id = models.CharField(max_length=40)
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    transaction_type = models.CharField(max_length=4, choices=SIDES)
    product = models.CharField(max_length=4)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=14, decimal_places=2)
    fill_timestamp = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_trade"
        ordering = ["-fill_timestamp", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "trade_id"], name="unique_trade_per_account")]

    def __str__(self) -> str:
        return f"{self.trade_id} {self.transaction_type} {self.quantity} {self.tradingsymbol} @ {self.price}"


class Position(models.Model):
    """Net position per (account, strategy, instrument, product)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="positions")
    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="positions")
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, null=True, blank=True, related_name="positions")
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    product = models.CharField(max_length=4)
    quantity = models.IntegerField(default=0)  # signed: + long, - short
    average_price = models.DecimalField(max_digits=14, decimal_places=4, default=ZERO)
    realized_pnl = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    overnight_quantity = models.IntegerField(default=0)
    day_buy_quantity = models.PositiveIntegerField(default=0)
    day_sell_quantity = models.PositiveIntegerField(default=0)
    buy_quantity = models.PositiveIntegerField(default=0)
    sell_quantity = models.PositiveIntegerField(default=0)
    buy_value = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    sell_value = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    trading_day = models.DateField(null=True, blank=True)
    last_price = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    # A futures position is carried at each day's settlement price (average_price is then that price, as the
    # exchange carries it); the trader's own average cost of the open quantity stays here. Null when no
    # settlement has touched the open quantity (then it equals average_price).
    entry_average_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    # Daily futures M2M credited (+) or debited (-) to the ledger for this position, all time (like realized_pnl).
    m2m_settled = models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)
    # The expiry for which the trader was told a stock F&O position will be physically settled (one alert each).
    physical_notice_for = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "orders_position"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "strategy", "instrument_token", "product"],
                condition=Q(strategy__isnull=False),
                name="unique_position_with_strategy",
            ),
            models.UniqueConstraint(
                fields=["account", "instrument_token", "product"],
                condition=Q(strategy__isnull=True),
                name="unique_position_without_strategy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tradingsymbol} {self.product} {self.quantity:+d}"

    @property
    def day_quantity(self) -> int:
        return self.day_buy_quantity - self.day_sell_quantity

    @property
    def entry_price(self) -> Decimal:
        """The trader's own average of the open quantity (before any daily settlement carried it)."""
        return Decimal(self.entry_average_price if self.entry_average_price is not None else self.average_price)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003, ANN201
        raise PermissionError("Ledger entries are append-only.")

    def delete(self):  # noqa: ANN201
        raise PermissionError("Ledger entries are append-only.")


class LedgerEntry(models.Model):
    """One movement of an account's cash: cash = opening balance + the sum of the ledger. Never changed;
    a correction is a new ADJUSTMENT entry. A trade's realised P&L is posted at most once (unique)."""

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="ledger_entries")
    kind = models.CharField(max_length=16, choices=[(k.value, k.value) for k in LedgerKind])
    amount = models.DecimalField(max_digits=18, decimal_places=2)  # signed: + into the account, - out
    # What the entry is about (ids survive the row: the ledger outlives what it refers to).
    trade = models.ForeignKey(
        Trade, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    position = models.ForeignKey(
        Position, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    order_id = models.BigIntegerField(null=True, blank=True)  # orders.Order's id (portfolio sits below orders)
    actor = models.CharField(max_length=120, blank=True)
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["trade"], condition=Q(kind="REALISED_PNL"), name="one_realised_pnl_entry_per_trade"
            ),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in LedgerKind]), name="ledger_kind_valid"),
        ]
        indexes = [models.Index(fields=["account", "kind", "created_at"], name="ledger_account_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+} ({self.account_id})"

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if self.pk is not None:
            raise PermissionError("Ledger entries are append-only.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise PermissionError("Ledger entries are append-only.")


class FuturesSettlement(models.Model):
    """One day's mark-to-market of one open futures position (the seeds' `futures_settlement_history`).

    `previous_price` is what the position was carried at before (the previous settlement, the entry price, or
    their average-cost blend); `m2m_amount` = (settlement_price - previous_price) x quantity, posted once to
    the ledger as M2M_SETTLEMENT (`ledger_entry`). Unique per position and day: a rerun posts nothing."""

    class Source(models.TextChoices):
        SIMULATED = "SIMULATED", "Simulated market close"
        BROKER = "BROKER", "Broker close"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey(
        Position, on_delete=models.DO_NOTHING, db_constraint=False, related_name="futures_settlements"
    )
    strategy_id = models.BigIntegerField(null=True, blank=True)
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    product = models.CharField(max_length=4)
    trading_day = models.DateField()
    quantity = models.IntegerField()  # signed, settled
    previous_price = models.DecimalField(max_digits=14, decimal_places=4)
    settlement_price = models.DecimalField(max_digits=14, decimal_places=2)
    entry_average_price = models.DecimalField(max_digits=14, decimal_places=4)  # the trader's own average
    m2m_amount = models.DecimalField(max_digits=18, decimal_places=2)  # signed, as posted
    source = models.CharField(max_length=10, choices=Source.choices)
    ledger_entry = models.ForeignKey(
        LedgerEntry, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "futures_settlement_history"
        ordering = ["-trading_day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["position", "trading_day"], name="one_futures_settlement_per_day")
        ]
        indexes = [models.Index(fields=["account", "trading_day"], name="futures_settlement_acct_day")]

    def __str__(self) -> str:
        return f"{self.trading_day} {self.tradingsymbol} {self.quantity:+d} @ {self.settlement_price}"


class ExpirySettlement(models.Model):
    """How one position in an expired contract was closed at expiry (once per position and expiry).

    CASH: index F&O at the final settlement price (options at intrinsic value, OTM worthless), realised P&L
    posted to the ledger, exercise STT on long ITM options posted as CHARGES. PHYSICAL: a stock F&O position
    turned into the equivalent stock position (`delivery_*`)."""

    class Method(models.TextChoices):
        CASH = "CASH", "Cash settled"
        PHYSICAL = "PHYSICAL", "Physically settled"

    account = models.ForeignKey("accounts.TradingAccount", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.ForeignKey(
        Position, on_delete=models.DO_NOTHING, db_constraint=False, related_name="expiry_settlements"
    )
    exchange = models.CharField(max_length=8)
    tradingsymbol = models.CharField(max_length=64)
    instrument_token = models.BigIntegerField()
    instrument_type = models.CharField(max_length=4)
    expiry = models.DateField()
    quantity = models.IntegerField()  # signed, what was open
    average_price = models.DecimalField(max_digits=14, decimal_places=4)  # carried at
    underlying_close = models.DecimalField(max_digits=14, decimal_places=2)  # the final settlement price
    settlement_value = models.DecimalField(max_digits=14, decimal_places=2)  # per unit
    realised_pnl = models.DecimalField(max_digits=18, decimal_places=2)
    exercise_stt = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    method = models.CharField(max_length=8, choices=Method.choices)
    delivery_position = models.ForeignKey(
        Position, on_delete=models.DO_NOTHING, null=True, blank=True, db_constraint=False, related_name="+"
    )
    delivery_quantity = models.IntegerField(default=0)
    delivery_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expiry", "-id"]
        constraints = [models.UniqueConstraint(fields=["position", "expiry"], name="one_expiry_settlement")]

    def __str__(self) -> str:
        return f"{self.expiry} {self.tradingsymbol} {self.quantity:+d} -> {self.settlement_value} ({self.method})"
