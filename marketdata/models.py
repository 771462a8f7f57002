"""The instrument master (Kite's dump, one row per tradable contract) and the trading calendar data."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Instrument(models.Model):
    """One row of Kite's 12-column instruments dump, plus the exchange facts we attach to it.

    Lot size, tick size and freeze limit are per-instrument data (they change per expiry during
    lot revisions), never literals in code.
    """

    class Type(models.TextChoices):
        EQ = "EQ", "Equity / index"
        FUT = "FUT", "Future"
        CE = "CE", "Call option"
        PE = "PE", "Put option"

    instrument_token = models.BigIntegerField(primary_key=True)
    exchange_token = models.BigIntegerField()
    tradingsymbol = models.CharField(max_length=64)
    name = models.CharField(max_length=64, blank=True, db_index=True)
    last_price = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    expiry = models.DateField(null=True, blank=True, db_index=True)
    strike = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    tick_size = models.DecimalField(max_digits=8, decimal_places=4)
    lot_size = models.PositiveIntegerField()
    instrument_type = models.CharField(max_length=8, choices=Type.choices, db_index=True)
    segment = models.CharField(max_length=16, db_index=True)
    exchange = models.CharField(max_length=8, db_index=True)
    # Max units per order (NSE quantity freeze); null where the exchange publishes none we know of.
    freeze_quantity = models.PositiveIntegerField(null=True, blank=True)
    # Where the row came from: 'kite' (dump/import) or 'demo' (generated demo master).
    source = models.CharField(max_length=8, default="kite")
    # False once a demo contract has expired but is still referenced (orders PROTECT it).
    is_active = models.BooleanField(default=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exchange", "tradingsymbol"], name="unique_exchange_tradingsymbol"),
        ]
        indexes = [models.Index(fields=["name", "instrument_type", "expiry"])]
        ordering = ["exchange", "name", "expiry", "strike", "instrument_type"]

    def __str__(self) -> str:
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def key(self) -> str:
        """Kite's quote key, e.g. 'NFO:NIFTY25DEC24500CE'."""
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def is_option(self) -> bool:
        return self.instrument_type in (self.Type.CE, self.Type.PE)

    @property
    def is_derivative(self) -> bool:
        return self.instrument_type in (self.Type.FUT, self.Type.CE, self.Type.PE)


class MarketHolidayOverride(models.Model):
    """Admin-edited corrections to the exchange_calendars holiday list (add or remove a holiday)."""

    class Exchange(models.TextChoices):
        ALL = "ALL", "NSE and BSE"
        NSE = "NSE", "NSE (NSE, NFO)"
        BSE = "BSE", "BSE (BSE, BFO)"

    date = models.DateField()
    exchange = models.CharField(max_length=4, choices=Exchange.choices, default=Exchange.ALL)
    is_holiday = models.BooleanField(
        default=True, help_text="Checked: closed that day. Unchecked: it trades (e.g. a special session)."
    )
    description = models.CharField(max_length=120, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["date", "exchange"], name="unique_holiday_override")]

    def __str__(self) -> str:
        return f"{self.date} {self.exchange} {'holiday' if self.is_holiday else 'trading day'}"


class WatchlistItem(models.Model):
    """One instrument on a user's market watch."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watchlist_items")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "instrument"], name="unique_watchlist_instrument")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.instrument_id}"
