"""The market facts orders needs, in one place: the order core's face of `marketdata.lookup` (which the paper
venue reads too, so a pinned instrument or a test's quotes are the same for both) and the calendar."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from marketdata import calendar as md_calendar
from marketdata import lookup
from marketdata import selectors as md
from marketdata.models import Instrument
from marketdata.types import Quote
from oms_project.lib.errors import DomainError

from .errors import InstrumentNotFound
from .validation import InstrumentFacts

# Within the block, `instrument_by_token` (here and in the venue) answers these instruments without a query.
instruments_pinned = lookup.instruments_pinned


def instrument_by_token(token: int) -> Instrument:
    try:
        return lookup.instrument_by_token(token)
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
    """The current quote, or None if the market-data source cannot price it (`marketdata.lookup.quote`)."""
    return lookup.quote(instrument, at)


def last_price(instrument: Instrument, at: datetime | None = None) -> Decimal | None:
    return lookup.last_price(instrument, at)


def market_open(instrument: Instrument, at: datetime | None = None, *, simulated: bool) -> bool:
    return md_calendar.market_is_open(instrument, at, simulated=simulated)


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
