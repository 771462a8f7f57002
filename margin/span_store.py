"""The imported SPAN files (margin.models.SpanFile and its rows) as the engine reads them.

`contracts_for(instruments, day)` answers the contracts of the latest complete file imported for the
trade date `day` (NSE's, or the simulated market's own) that list the instruments — matched by
underlying (`pfCode` == the instrument's name), kind, expiry and strike — with the file's spot prices
and calendar spreads, and the ELM rates of the latest AEL file seen (margin.nse_files); when no file covers
the day, no contracts (the engine then goes synthetic for every leg) but still the AEL file's ELM rates. An instrument the file does
not list falls back to a synthetic array alone.

Contracts and commodities are cached in-process per file (a file never changes once complete); which
file is the day's is re-read every `FILE_TTL` seconds, and at once after an import in this process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from .span.exposure import AelRow, ElmTable
from .span.types import CombinedCommodity, Contract, ContractKind, DeltaSpread, RiskArray, ScanRate, SpreadLeg

FILE_TTL = 30.0
KINDS = {"FUT": ContractKind.FUTURE, "CE": ContractKind.CALL, "PE": ContractKind.PUT}
_lock = threading.Lock()
_files: dict[date, tuple[float, int | None, date | None]] = {}
_contracts: OrderedDict[tuple, Contract | None] = OrderedDict()
_commodities: dict[tuple[int, str], tuple[CombinedCommodity | None, Decimal | None]] = {}
_elm: dict[date, tuple[float, ElmTable | None]] = {}
_CONTRACT_CACHE = 50_000
_FIELDS = (
    "underlying", "kind", "expiry", "strike", "period", "contract_id", "price", "delta", "volatility", "price_scan",
    "vol_scan", "composite_delta", "risk_array",
)  # fmt: skip


@dataclass
class Filed:
    contracts: dict[int, Contract] = field(default_factory=dict)  # instrument token -> contract
    spot: dict[str, Decimal] = field(default_factory=dict)
    commodities: dict[str, CombinedCommodity] = field(default_factory=dict)
    elm: ElmTable | None = None
    business_date: date | None = None
    file_id: int | None = None


def clear_cache() -> None:
    with _lock:
        _files.clear()
        _contracts.clear()
        _commodities.clear()
        _elm.clear()


def day_file(day: date) -> tuple[int | None, date | None]:
    """(id, business date) of the latest complete file for the trade date, or (None, None)."""
    from .span_models import SpanFile

    now = time.monotonic()
    hit = _files.get(day)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    row = (
        SpanFile.objects.filter(business_date=day, complete=True)
        .order_by("-is_settlement", "-created", "-imported_at", "-id")
        .values_list("pk", "business_date")
        .first()
    )
    fid, bday = row if row else (None, None)
    with _lock:
        _files[day] = (now + FILE_TTL, fid, bday)
    return fid, bday


def _key(inst: Any) -> tuple[str, ContractKind, date | None, Decimal | None] | None:
    kind = KINDS.get(inst.instrument_type)
    if kind is None:
        return None
    strike = None if kind is ContractKind.FUTURE or inst.strike is None else Decimal(inst.strike).normalize()
    return ((inst.name or "").upper(), kind, inst.expiry, strike)


def _contract(r: Any) -> Contract:
    return Contract(
        underlying=r.underlying,
        kind=ContractKind(r.kind),
        expiry=r.expiry,
        strike=None if r.strike is None else Decimal(r.strike).normalize(),
        price=Decimal(r.price),
        risk_array=RiskArray(tuple(int(v) for v in r.risk_array.split(",")), Decimal(r.composite_delta)),
        contract_id=r.contract_id,
        delta=r.delta,
        volatility=r.volatility,
        scan_rate=ScanRate(r.price_scan, r.vol_scan) if r.price_scan is not None else None,
        period=r.period,
    )


def _commodity(r: Any) -> CombinedCommodity:
    spreads = tuple(
        DeltaSpread(
            priority=int(p),
            rate=Decimal(rate),
            legs=tuple(SpreadLeg(leg[0], leg[1], Decimal(leg[2])) for leg in legs),  # type: ignore[arg-type]
            charge_method=method,
        )
        for p, rate, method, legs in r.spreads
    )
    return CombinedCommodity(code=r.code, name=r.name, spreads=spreads, som_rate=Decimal(r.som_rate))


def elm_table(day: date) -> ElmTable | None:
    """ELM rates of the latest AEL file imported on or before `day` (margin.nse_files), if any."""
    now = time.monotonic()
    hit = _elm.get(day)
    if hit is not None and hit[0] > now:
        return hit[1]
    table = None
    try:
        from .monitoring_models import NseMarginFile

        rates = (
            NseMarginFile.objects.filter(kind="AEL", status="IMPORTED", trade_date__lte=day)
            .order_by("-trade_date", "-imported_at")
            .values_list("rates", flat=True)
            .first()
        )
    except Exception:  # the monitoring tables are optional to the engine
        rates = None
    if rates:
        table = ElmTable()
        for key, pct in rates.items():
            symbol, _, cls = key.partition("|")
            total = Decimal(str(pct))
            table.rows[(symbol.upper(), cls.upper())] = AelRow(symbol.upper(), cls.upper(), total, Decimal(0), total)
    with _lock:
        _elm[day] = (now + FILE_TTL, table)
    return table


def contracts_for(instruments: Sequence[Any], day: date) -> Filed:
    from .span_models import SpanCommodity, SpanContract

    fid, bday = day_file(day)
    if fid is None or not instruments:
        # No SPAN file for the day (paper, or before NSE's file): the engine builds the arrays itself, but the
        # exposure margin still takes the latest AEL file's rates (an additional ELM on a stock moves it).
        return Filed(elm=elm_table(day) if instruments else None)
    keys = {inst.instrument_token: k for inst in instruments if (k := _key(inst)) is not None}
    missing = {k for k in keys.values() if (fid, *k) not in _contracts}
    if missing:
        # One indexed range per (underlying, expiry) — a few at most — then the wanted rows picked in Python
        # (an OR of dozens of exact keys makes SQLite's planner scan the table).
        groups = {(u, e) for u, _k, e, _s in missing}
        cond = reduce(or_, (Q(underlying=u, expiry=e) for u, e in groups))
        found: dict[tuple, Contract] = {}
        for r in SpanContract.objects.filter(cond, file_id=fid).only(*_FIELDS):
            strike = None if r.strike is None else Decimal(r.strike).normalize()
            key = (r.underlying.upper(), ContractKind(r.kind), r.expiry, strike)
            if key in missing:
                found[(fid, *key)] = _contract(r)
        with _lock:
            for k in missing:
                _contracts[(fid, *k)] = found.get((fid, *k))
            while len(_contracts) > _CONTRACT_CACHE:
                _contracts.popitem(last=False)
    out = Filed(business_date=bday, file_id=fid, elm=elm_table(day))
    for token, k in keys.items():
        c = _contracts.get((fid, *k))
        if c is not None:
            out.contracts[token] = c
    codes = {c.underlying for c in out.contracts.values()}
    need = [code for code in codes if (fid, code) not in _commodities]
    if need:
        rows = {r.code: r for r in SpanCommodity.objects.filter(file_id=fid, code__in=need)}
        with _lock:
            for code in need:
                r = rows.get(code)
                _commodities[(fid, code)] = (
                    (_commodity(r), None if r.spot is None else Decimal(r.spot)) if r else (None, None)
                )
    for code in codes:
        cc, spot = _commodities.get((fid, code), (None, None))
        if cc is not None:
            out.commodities[code] = cc
        if spot is not None:
            out.spot[code] = spot
    return out
