"""Where the engine's risk arrays come from: the day's imported SPAN file, else synthetic arrays.

`legs_for(items, at)` turns (instrument, signed units, trade price, product) into `calc.Leg`s with
their SPAN `Contract`s and the `MarketData` (spot, spreads) the engine needs:
- a SPAN file imported for the trade date (`import_span`, margin.models.SpanFile): the contract's
  published array, price, spot and the file's dSpreads;
- otherwise (paper, or before the day's file; also a contract the file does not list) synthetic
  arrays from the simulated market's underlying level and ATM volatility with NSE's published scan
  parameters (margin/span/synthetic.py, docs/span.md), calendar spreads at the published rates.
Synthetic arrays are cached per instrument and minute (their inputs move slowly); the price is always current.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from marketdata import lookup
from marketdata import selectors as md

from . import calc
from .span import CombinedCommodity, Contract, ContractKind
from .span.synthetic import synthetic_commodity, synthetic_future, synthetic_option

# Equity (VaR) margin as a fraction of value. MIS: Zerodha's intraday leverage of 5× on equity;
# CNC: a delivery buy needs its full value (Kite T1:
# INFY CNC BUY 1 → var 1498 = its value), a CNC sell of holdings needs none.
EQUITY_MIS_RATE = Decimal("0.20")
EQUITY_CNC_BUY_RATE = Decimal("1")
DERIVATIVE_TYPES = {"FUT": ContractKind.FUTURE, "CE": ContractKind.CALL, "PE": ContractKind.PUT}


@dataclass(frozen=True, slots=True)
class Item:
    instrument: Any  # marketdata.Instrument
    quantity: int  # signed units
    trade_price: Decimal | None  # None: the market price
    product: str
    ref: Any = None


_cache: OrderedDict[tuple[int, int], tuple[Contract, Decimal, md.RiskInputs]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 8192


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _synthetic(instrument: Any, at: datetime, as_of: date) -> tuple[Contract, Decimal, md.RiskInputs]:
    key = (instrument.instrument_token, int(at.timestamp() // 60))
    price = market_price(instrument, at)  # always the current price (NOV, premium, futures notional)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
    if hit is not None:  # the array (from the underlying's level and volatility) is kept for the minute
        contract, _, inputs = hit
        return (contract if contract.price == price else replace(contract, price=price)), price, inputs
    inputs = md.risk_inputs(instrument, at)
    kind = DERIVATIVE_TYPES[instrument.instrument_type]
    expiry = instrument.expiry or as_of
    if kind is ContractKind.FUTURE:
        contract = synthetic_future(
            underlying=inputs.underlying,
            expiry=expiry,
            price=price,
            underlying_price=inputs.spot,
            as_of=as_of,
            index=inputs.is_index,
        )
    else:
        contract = synthetic_option(
            underlying=inputs.underlying,
            kind=kind,
            expiry=expiry,
            strike=Decimal(instrument.strike),
            premium=price,
            underlying_price=inputs.spot,
            volatility=inputs.volatility,
            as_of=as_of,
            index=inputs.is_index,
        )
    value = (contract, price, inputs)
    with _cache_lock:
        _cache[key] = value
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def market_price(instrument: Any, at: datetime) -> Decimal:
    """The LTP the order core and the paper venue see (marketdata.lookup), else the master's last price."""
    try:
        q = lookup.quote(instrument, at)
    except Exception:  # a pricing gap must not block margin
        q = None
    return Decimal(q.last_price) if q is not None else Decimal(instrument.last_price or 0)


def _equity_rate(product: str, quantity: int) -> Decimal:
    if product == "MIS":
        return EQUITY_MIS_RATE
    return EQUITY_CNC_BUY_RATE if quantity > 0 else Decimal(0)


@dataclass
class Resolved:
    legs: list[calc.Leg]
    market: calc.MarketData
    inputs: dict[str, md.RiskInputs]  # per underlying (for the buffer factors)


def legs_for(items: Sequence[Item], at: datetime | None = None) -> Resolved:
    at = at or timezone.now()
    as_of = timezone.localdate(at)
    from . import span_store  # the imported files (models); late import keeps this module light

    derivative_instruments = [it.instrument for it in items if it.instrument.instrument_type in DERIVATIVE_TYPES]
    filed = span_store.contracts_for(derivative_instruments, as_of)
    legs: list[calc.Leg] = []
    spot: dict[str, Decimal] = dict(filed.spot)
    commodities: dict[str, CombinedCommodity] = dict(filed.commodities)
    inputs: dict[str, md.RiskInputs] = {}
    months: dict[str, dict[str, Decimal]] = {}
    for it in items:
        inst = it.instrument
        itype = inst.instrument_type
        if itype in DERIVATIVE_TYPES:
            contract = filed.contracts.get(inst.instrument_token)
            if contract is None:
                contract, price, ri = _synthetic(inst, at, as_of)
                inputs.setdefault(ri.underlying, ri)
                spot.setdefault(ri.underlying, ri.spot)
                if contract.underlying not in filed.commodities and contract.expiry is not None:
                    months.setdefault(contract.underlying, {})[contract.expiry.strftime("%Y%m")] = (
                        price if itype == "FUT" else ri.spot
                    )
            else:
                price = contract.price
            trade = it.trade_price if it.trade_price is not None else price
            legs.append(
                calc.Leg(
                    it.ref,
                    inst.instrument_token,
                    it.quantity,
                    Decimal(trade),
                    contract,
                    is_option=itype in ("CE", "PE"),
                    underlying=contract.underlying,
                    expiry=contract.expiry,
                )
            )
        else:
            trade = it.trade_price
            if trade is None:
                trade = market_price(inst, at)
            legs.append(
                calc.Leg(
                    it.ref,
                    inst.instrument_token,
                    it.quantity,
                    Decimal(trade),
                    equity_rate=_equity_rate(it.product, it.quantity),
                    underlying=inst.tradingsymbol,
                )
            )
    for underlying, by_month in months.items():
        if len(by_month) > 1 and underlying not in commodities:
            index = inputs[underlying].is_index if underlying in inputs else True
            commodities[underlying] = synthetic_commodity(underlying, sorted(by_month.items()), index=index)
    source = f"span-file:{filed.business_date.isoformat()}" if filed.contracts else "synthetic"
    if filed.contracts and len(filed.contracts) < len(derivative_instruments):
        source += "+synthetic"
    return Resolved(legs, calc.MarketData(spot, commodities, filed.elm, as_of, source), inputs)


def underlyings_inputs(instruments: Iterable[Any], at: datetime) -> dict[str, md.RiskInputs]:
    out: dict[str, md.RiskInputs] = {}
    for inst in instruments:
        ri = md.risk_inputs(inst, at)
        out.setdefault(ri.underlying, ri)
    return out
