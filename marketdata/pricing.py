"""Bridge from the instrument master (Django rows) to the pure simulator."""

from __future__ import annotations

import threading
import zlib
from decimal import Decimal
from statistics import median

from django.conf import settings

from . import contract_specs as specs
from .models import Instrument
from .simulator import MarketSimulator, SimInstrument

_lock = threading.Lock()
_simulator: MarketSimulator | None = None
_bases: dict[str, tuple[float, float, bool]] = {}

# DEMO volatilities for underlyings the spec table does not know (imported real dumps).
_DEFAULT_STOCK_VOL = 0.25
_DEFAULT_INDEX_VOL = 0.15


def simulator() -> MarketSimulator:
    """The process's simulator: seed from settings, factor loadings and VIX levels from
    contract_specs, the business-time calendar from the shipped holiday data (never the override
    table, so every process computes the same path)."""
    global _simulator
    sim = _simulator
    if sim is None or sim.seed != settings.SIM_MARKET_SEED:
        from .calendar import holiday_data

        nifty = specs.UNDERLYINGS[specs.VIX_UNDERLYING]
        data = holiday_data()
        sim = _simulator = MarketSimulator(
            settings.SIM_MARKET_SEED,
            carry_rate=specs.DEMO_CARRY_RATE,
            vix_underlying=nifty.name,
            vix_base=(float(nifty.demo_spot), nifty.demo_vol),
            factors={n: (f.market, f.sector_name, f.sector) for n, f in specs.FACTOR_LOADINGS.items()},
            holidays=data.holidays["NSE"],
            special_sessions=data.specials,
            vix_level=(specs.VIX_FLOOR, specs.VIX_MEDIAN, specs.VIX_SHAPE),
        )
    return sim


def clear_caches() -> None:
    """Forget derived underlying levels (after an import or a demo refresh)."""
    with _lock:
        _bases.clear()


def _hash_level(name: str) -> float:
    return 100.0 + zlib.crc32(name.encode()) % 2900


def _unknown_underlying(name: str) -> tuple[float, float, bool]:
    """(level, vol, is_index) for an underlying absent from the spec table, from the master itself."""
    cached = _bases.get(name)
    if cached is not None:
        return cached
    level: float | None = None
    is_index = False
    spot = (
        Instrument.objects.filter(tradingsymbol=name, instrument_type="EQ", last_price__gt=0)
        .exclude(segment="INDICES")
        .values_list("last_price", flat=True)
        .first()
    )
    if spot is None:
        spot = (
            Instrument.objects.filter(name=name, segment="INDICES", last_price__gt=0)
            .values_list("last_price", flat=True)
            .first()
        )
        is_index = spot is not None
    if spot is not None:
        level = float(spot)
    else:
        fut = (
            Instrument.objects.filter(name=name, instrument_type="FUT", last_price__gt=0)
            .values_list("last_price", flat=True)
            .first()
        )
        if fut is not None:
            level = float(fut)
        else:
            strikes = list(Instrument.objects.filter(name=name, strike__gt=0).values_list("strike", flat=True)[:500])
            level = float(median(strikes)) if strikes else _hash_level(name)
    result = (level, _DEFAULT_INDEX_VOL if is_index else _DEFAULT_STOCK_VOL, is_index)
    with _lock:
        _bases[name] = result
    return result


def sim_instrument(instrument: Instrument) -> SimInstrument:
    """The simulator's view of an instrument row (demo or imported from Kite)."""
    itype = instrument.instrument_type
    tick = instrument.tick_size if instrument.tick_size and instrument.tick_size > 0 else Decimal("0.05")
    strike = float(instrument.strike) if instrument.strike else None
    if instrument.segment == "INDICES":
        if instrument.tradingsymbol == specs.INDIA_VIX_SYMBOL:
            nifty = specs.UNDERLYINGS[specs.VIX_UNDERLYING]
            return SimInstrument(
                instrument.instrument_token, "VIX", nifty.name, float(nifty.demo_spot), nifty.demo_vol, tick
            )
        spec = specs.spec_for_spot(instrument.exchange, instrument.tradingsymbol)
        if spec is not None:
            return SimInstrument(
                instrument.instrument_token, "INDEX", spec.name, float(spec.demo_spot), spec.demo_vol, tick
            )
        level = float(instrument.last_price) if instrument.last_price else _hash_level(instrument.tradingsymbol)
        return SimInstrument(
            instrument.instrument_token, "INDEX", instrument.tradingsymbol, level, _DEFAULT_INDEX_VOL, tick
        )
    if itype == Instrument.Type.EQ:
        spec = specs.spec_for(instrument.tradingsymbol)
        if spec is not None and not spec.is_index:
            return SimInstrument(
                instrument.instrument_token,
                "EQ",
                spec.name,
                float(spec.demo_spot),
                spec.demo_vol,
                tick,
                lot_size=max(1, instrument.lot_size),
                index_underlying=False,
            )
        level = float(instrument.last_price) if instrument.last_price else _hash_level(instrument.tradingsymbol)
        return SimInstrument(
            instrument.instrument_token,
            "EQ",
            f"{instrument.exchange}:{instrument.tradingsymbol}",
            level,
            _DEFAULT_STOCK_VOL,
            tick,
            lot_size=max(1, instrument.lot_size),
            index_underlying=False,
        )
    name = instrument.name or instrument.tradingsymbol
    spec = specs.spec_for(name)
    if spec is not None:
        level, vol, is_index = float(spec.demo_spot), spec.demo_vol, spec.is_index
    else:
        level, vol, is_index = _unknown_underlying(name)
    return SimInstrument(
        instrument.instrument_token,
        itype,
        name,
        level,
        vol,
        tick,
        lot_size=max(1, instrument.lot_size),
        strike=strike,
        expiry=instrument.expiry,
        index_underlying=is_index,
    )
