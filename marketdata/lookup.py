"""The market facts an order's path needs (the order core and the paper venue), read once per call.

- `instrument_by_token`: the instrument master row; within `instruments_pinned(...)` the pinned rows answer
  without a query, so placement → broker → venue → broker update reads the master once per order.
- `quote`: the simulated quote, or None when the source cannot price it (a pricing gap never blocks order
  handling). Tests that set quotes by hand patch this one function: the order core and the venue both read it.
- `last_price`, `session_close_after` (when DAY orders lapse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from . import calendar as md_calendar
from . import selectors as md
from .models import Instrument
from .types import Quote

# Instruments already read during the current call. Scoped by `instruments_pinned`; never global.
_pinned: ContextVar[dict[int, Instrument] | None] = ContextVar("marketdata_pinned_instruments", default=None)


@contextmanager
def instruments_pinned(*instruments: Instrument) -> Iterator[None]:
    """Within the block, `instrument_by_token` answers these instruments without a query."""
    outer = _pinned.get() or {}
    token = _pinned.set({**outer, **{i.instrument_token: i for i in instruments}})
    try:
        yield
    finally:
        _pinned.reset(token)


def instrument_by_token(token: int) -> Instrument:
    """The instrument (pinned or read); raises marketdata's `InstrumentNotFound`."""
    pinned = _pinned.get()
    if pinned:
        try:
            found = pinned.get(int(token))
        except (TypeError, ValueError):
            found = None
        if found is not None:
            return found
    return md.instrument_get(token)


def quote(instrument: Instrument, at: datetime | None = None) -> Quote | None:
    """The current quote, or None if the market-data source cannot price it."""
    try:
        return md.quote_for(instrument, at)
    except Exception:  # a pricing gap must not block order handling
        return None


def last_price(instrument: Instrument, at: datetime | None = None) -> Decimal | None:
    q = quote(instrument, at)
    if q is not None and q.last_price:
        return q.last_price
    return instrument.last_price or None


def session_close_after(instrument: Instrument, at: datetime) -> datetime:
    """The first normal-market close (15:30 IST, marketdata.calendar) strictly after `at`: when DAY orders lapse."""
    local = timezone.localtime(at, md_calendar.IST)
    d = local.date()
    for _ in range(15):
        _, close = md_calendar.session_bounds(d)
        if close > at and (settings.SIM_TRADE_ANY_TIME or md_calendar.is_trading_day(instrument.exchange, d)):
            return close
        d += timedelta(days=1)
    return at + timedelta(days=1)
