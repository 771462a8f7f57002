"""Reads: instruments, quotes and depth from the simulated venue, spot levels, market watch.

`quote_for(instrument, at=None)` is THE entry point for prices: the paper broker fills against
its depth, the market watch and the feed show it. Quotes are a pure function of the instrument,
the instant and settings.SIM_MARKET_SEED, so any process computes the same book.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from . import contract_specs as specs
from .errors import InstrumentNotFound, InvalidInstrumentKey, TooManyInstruments, UnknownInstrumentKeys
from .models import Instrument, WatchlistItem
from .pricing import sim_instrument, simulator
from .types import DepthLevel, Quote

MAX_QUOTE_KEYS = 500  # Kite's /quote accepts up to 500 instruments per call
_KEY_RE = re.compile(r"^[A-Z]{2,6}:.{1,64}$")


# --- instruments ------------------------------------------------------------------------------
def instrument_get(token: int | str) -> Instrument:
    try:
        return Instrument.objects.get(pk=int(token))
    except (Instrument.DoesNotExist, ValueError, TypeError):
        raise InstrumentNotFound(f"No instrument with token {token}.", details={"instrument_token": token}) from None


def parse_instrument_key(key: str) -> tuple[str, str]:
    key = (key or "").strip()
    if not _KEY_RE.match(key):
        raise InvalidInstrumentKey(details={"key": key})
    exchange, symbol = key.split(":", 1)
    return exchange, symbol


def instrument_get_by_key(key: str) -> Instrument:
    """'NFO:NIFTY25DEC24500CE' -> the instrument."""
    exchange, symbol = parse_instrument_key(key)
    try:
        return Instrument.objects.get(exchange=exchange, tradingsymbol=symbol)
    except Instrument.DoesNotExist:
        raise InstrumentNotFound(f"No instrument {key}.", details={"key": key}) from None


def instruments_by_keys(keys: Sequence[str]) -> dict[str, Instrument]:
    """Resolve many keys at once (one query). Unknown keys raise UNKNOWN_INSTRUMENT_KEYS listing them all."""
    cleaned = list(dict.fromkeys(k.strip() for k in keys if k and k.strip()))
    if len(cleaned) > MAX_QUOTE_KEYS:
        raise TooManyInstruments(
            f"At most {MAX_QUOTE_KEYS} instruments per request (got {len(cleaned)}).",
            details={"max": MAX_QUOTE_KEYS, "count": len(cleaned)},
        )
    parsed = {k: parse_instrument_key(k) for k in cleaned}
    if not parsed:
        return {}
    condition = Q()
    for exchange, symbol in parsed.values():
        condition |= Q(exchange=exchange, tradingsymbol=symbol)
    found = {i.key: i for i in Instrument.objects.filter(condition)}
    unknown = [k for k in cleaned if k not in found]
    if unknown:
        raise UnknownInstrumentKeys(
            f"Unknown instrument key(s): {', '.join(unknown[:20])}{' ...' if len(unknown) > 20 else ''}.",
            details={"unknown": unknown},
        )
    return {k: found[k] for k in cleaned}


def instrument_search(
    *,
    q: str | None = None,
    exchange: str | None = None,
    name: str | None = None,
    instrument_type: str | None = None,
    expiry: date | None = None,
    strike: Decimal | None = None,
    segment: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Instrument]:
    """Filter the master. `q` matches the tradingsymbol or name (case-insensitive, all words)."""
    qs = Instrument.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if exchange:
        qs = qs.filter(exchange=exchange.upper())
    if name:
        qs = qs.filter(name=name.upper())
    if instrument_type:
        qs = qs.filter(instrument_type=instrument_type.upper())
    if segment:
        qs = qs.filter(segment=segment.upper())
    if expiry:
        qs = qs.filter(expiry=expiry)
    if strike is not None:
        qs = qs.filter(strike=strike)
    natural = ("exchange", "name", "expiry", "strike", "instrument_type", "instrument_token")
    if not q:
        return qs.order_by(*natural)
    words = q.upper().split()[:5]
    for word in words:
        qs = qs.filter(Q(tradingsymbol__icontains=word) | Q(name__icontains=word))
    # Most relevant first: 'NIFTY' lists NIFTY contracts before BANKNIFTY/FINNIFTY ones.
    relevance = Case(
        When(Q(tradingsymbol=words[0]) | Q(name=words[0]), then=Value(0)),
        When(tradingsymbol__startswith=words[0], then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(relevance=relevance).order_by("relevance", *natural)


def instrument_typeahead(q: str, *, limit: int = 12) -> list[Instrument]:
    """Best matches first: exact symbol, then symbol prefix, then anything containing the words."""
    q = (q or "").strip().upper()
    if not q:
        return []
    base = instrument_search(q=q)
    exact = list(base.filter(tradingsymbol=q)[:limit])
    seen = {i.pk for i in exact}
    prefix = [
        i
        for i in base.filter(tradingsymbol__startswith=q.split()[0]).order_by("expiry", "tradingsymbol")[: limit * 2]
        if i.pk not in seen
    ]
    out = exact + prefix
    seen |= {i.pk for i in prefix}
    if len(out) < limit:
        out += [i for i in base.order_by("expiry", "tradingsymbol")[: limit * 2] if i.pk not in seen]
    return out[:limit]


# --- quotes -----------------------------------------------------------------------------------
def quote_for(instrument: Instrument, at: datetime | None = None) -> Quote:
    """The simulated venue's full quote (LTP, OHLC, volume, OI, 5-level depth) at `at` (default now)."""
    return simulator().quote(sim_instrument(instrument), at or timezone.now())


def quotes_for(instruments: Iterable[Instrument], at: datetime | None = None) -> dict[int, Quote]:
    """Quotes for many instruments at one instant, keyed by instrument token."""
    at = at or timezone.now()
    sim = simulator()
    return {i.instrument_token: sim.quote(sim_instrument(i), at) for i in instruments}


def depth_for(
    instrument: Instrument, at: datetime | None = None
) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
    """(buy levels best first, sell levels best first)."""
    quote = quote_for(instrument, at)
    return quote.buy_depth, quote.sell_depth


def spot_for(underlying_name: str, at: datetime | None = None) -> Decimal:
    """The underlying's spot level (index value or stock price) on the tick grid, e.g. spot_for('NIFTY')."""
    spec = specs.spec_for(underlying_name)
    at = at or timezone.now()
    sim = simulator()
    if spec is not None:
        value = sim.spot_at(spec.name, float(spec.demo_spot), spec.demo_vol, at.timestamp())
        tick = spec.spot_tick_size
    elif underlying_name == specs.INDIA_VIX_SYMBOL:
        value, tick = sim.vix(at.timestamp()), Decimal("0.0025")
    else:
        from .pricing import _unknown_underlying

        level, vol, _ = _unknown_underlying(underlying_name)
        value, tick = sim.spot_at(underlying_name, level, vol, at.timestamp()), Decimal("0.05")
    return (Decimal(int(round(value / float(tick)))) * tick).quantize(tick)


def quote_as_dict(instrument: Instrument, quote: Quote) -> dict[str, Any]:
    """Kite-shaped full quote (prices as strings so no precision is lost in JSON)."""
    return {
        "instrument_token": quote.instrument_token,
        "exchange": instrument.exchange,
        "tradingsymbol": instrument.tradingsymbol,
        "timestamp": quote.timestamp.isoformat(),
        "last_price": str(quote.last_price),
        "last_quantity": quote.last_quantity,
        "average_price": str(quote.average_price),
        "volume": quote.volume,
        "oi": quote.oi,
        "net_change": str(quote.change),
        "ohlc": _ohlc(quote),
        "lower_circuit_limit": str(quote.lower_circuit_limit),
        "upper_circuit_limit": str(quote.upper_circuit_limit),
        "depth": depth_as_dict(quote),
    }


def _ohlc(quote: Quote) -> dict[str, str]:
    return {"open": str(quote.open), "high": str(quote.high), "low": str(quote.low), "close": str(quote.close)}


def depth_as_dict(quote: Quote) -> dict[str, list[dict[str, Any]]]:
    def side(levels: tuple[DepthLevel, ...]) -> list[dict[str, Any]]:
        return [{"price": str(lv.price), "quantity": lv.quantity, "orders": lv.orders} for lv in levels]

    return {"buy": side(quote.buy_depth), "sell": side(quote.sell_depth)}


def tick_message(quote: Quote) -> dict[str, Any]:
    """The `tick` payload pushed on /ws/market/ (see the real-time message formats)."""
    return {
        "instrument_token": quote.instrument_token,
        "last_price": str(quote.last_price),
        "volume": quote.volume,
        "oi": quote.oi,
        "change": str(quote.change),
        "ohlc": _ohlc(quote),
        "depth": depth_as_dict(quote),
        "timestamp": quote.timestamp.isoformat(),
    }


# --- market watch -------------------------------------------------------------------------------
def watchlist_list(*, user: AbstractBaseUser) -> QuerySet[WatchlistItem]:
    return WatchlistItem.objects.filter(user=user).select_related("instrument").order_by("position", "id")


def watchlist_item_get(*, user: AbstractBaseUser, item_id: int) -> WatchlistItem:
    try:
        return WatchlistItem.objects.select_related("instrument").get(pk=int(item_id), user=user)
    except (WatchlistItem.DoesNotExist, ValueError, TypeError):
        from .errors import WatchlistItemNotFound

        raise WatchlistItemNotFound() from None


def _parse_decimal(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


# --- inputs of the margin engine's synthetic risk arrays --------------------------------------
@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What the margin engine needs about an instrument's underlying when no SPAN file covers it:
    the underlying's level, its annualised ATM volatility for the instrument's maturity (one vol per
    underlying and expiry, no smile: docs/span.md), whether it is an index, India VIX and the
    underlying's move since the previous close (fractions)."""

    underlying: str
    spot: Decimal
    volatility: Decimal
    is_index: bool
    vix: Decimal
    day_change: Decimal


def risk_inputs(instrument: Instrument, at: datetime | None = None) -> RiskInputs:
    inst = sim_instrument(instrument)
    sim = simulator()
    t = (at or timezone.now()).timestamp()
    spot = sim.spot_at(inst.underlying, inst.base_price, inst.base_vol, t)
    prev = sim.spot_at(inst.underlying, inst.base_price, inst.base_vol, sim.day_of(t).prev_close_t)
    years = sim._years_to_expiry(inst.expiry, t) if inst.expiry else 30 / 365
    vol = sim.atm_vol(inst.underlying, inst.base_vol, t, max(years, 1 / 365))
    return RiskInputs(
        underlying=inst.underlying,
        spot=Decimal(repr(round(spot, 2))),
        volatility=Decimal(repr(round(vol, 6))),
        is_index=inst.index_underlying,
        vix=Decimal(repr(round(sim.vix(t), 2))),
        day_change=Decimal(repr(round(spot / prev - 1.0, 6))) if prev else Decimal(0),
    )
