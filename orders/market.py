"""The market facts orders needs, in one place (wraps marketdata's selectors/calendar so tests can pin them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from marketdata import calendar as md_calendar
from marketdata import selectors as md
from marketdata.models import Instrument
from marketdata.types import Quote
from oms_project.lib.errors import DomainError

from .errors import InstrumentNotFound
from .validation import InstrumentFacts

# Instruments already read during the current call (order placement -> broker -> broker update), so the
# instrument master is read once per order, not once per layer. Scoped by `instruments_pinned`; never global.
_pinned: ContextVar[dict[int, Instrument] | None] = ContextVar("orders_pinned_instruments", default=None)


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
    pinned = _pinned.get()
    if pinned:
        try:
            found = pinned.get(int(token))
        except (TypeError, ValueError):
            found = None
        if found is not None:
            return found
    try:
        return md.instrument_get(token)
    except DomainError:  # marketdata's InstrumentNotFound
        raise InstrumentNotFound(details={"instrument_token": token}) from None


def instrument_resolve(
    *, instrument_token: int | None = None, exchange: str | None = None, tradingsymbol: str | None = None
) -> Instrument:
    if instrument_token:
        return instrument_by_token(int(instrument_token))
    if exchange and tradingsymbol:
        try:
            return md.instrument_get_by_key(f"{exchange}:{tradingsymbol}")
        except DomainError:
            raise InstrumentNotFound(details={"exchange": exchange, "tradingsymbol": tradingsymbol}) from None
    raise InstrumentNotFound("Give instrument_token, or exchange and tradingsymbol.")


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


def market_open(instrument: Instrument, at: datetime | None = None, *, simulated: bool) -> bool:
    return md_calendar.market_is_open(instrument, at, simulated=simulated)


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


def facts(instrument: Instrument, q: Quote | None) -> InstrumentFacts:
    return InstrumentFacts(
        instrument_token=instrument.instrument_token,
        exchange=instrument.exchange,
        tradingsymbol=instrument.tradingsymbol,
        instrument_type=instrument.instrument_type,
        lot_size=instrument.lot_size,
        tick_size=Decimal(instrument.tick_size),
        freeze_quantity=instrument.freeze_quantity,
        expiry=instrument.expiry,
        lower_circuit=q.lower_circuit_limit if q else None,
        upper_circuit=q.upper_circuit_limit if q else None,
        last_price=(q.last_price if q else None) or (instrument.last_price or None),
        segment=instrument.segment or "",
    )
