"""Exposure margin (ELM, reference data §3.6) and NSE Clearing's AEL file.

- Index futures and short index options: 2% of notional (live Kite output, T4/T9).
- Stock futures and short stock options: the AEL file's "Total applicable ELM%" for the symbol —
  class OTH, or OTM for a deep-OTM stock option (T10); without a row, the published minimum 3.5%
  (5.25% deep OTM).
- Long options: none (their premium is paid upfront instead).
- On a short index option's own expiry day: +2% (SEBI/HO/MRD/TPD-1/P/CIR/2024/132, NSE Clearing
  CMPT64639, from 20 Nov 2024), a parameter of ExposureRule.
Notional: futures at their price × units; options at the underlying's price × units (T4: 2.000% ×
spot × qty exactly). Pure (no Django).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from margin.span.params import ExposureRule
from margin.span.types import Contract, ContractKind, ExposureLine, Position

HUNDRED = Decimal(100)

# AEL header (T10, exact): "Sr No.,Symbol,Instrument Type,Normal ELM Margin%,
# Additional ELM% for Trade Date 20-Aug-2025,Total applicable ELM%" (the fifth name carries the date).
_AEL_SYMBOL, _AEL_TYPE, _AEL_NORMAL, _AEL_TOTAL = (
    "Symbol",
    "Instrument Type",
    "Normal ELM Margin%",
    "Total applicable ELM%",
)


@dataclass(frozen=True, slots=True)
class AelRow:
    symbol: str
    instrument_type: str  # OTH (futures and options not deep OTM) or OTM (deep-OTM stock options)
    normal_pct: Decimal
    additional_pct: Decimal
    total_pct: Decimal


@dataclass(slots=True)
class ElmTable:
    """ELM rates per (symbol, class) from an AEL file, as fractions."""

    rows: dict[tuple[str, str], AelRow] = field(default_factory=dict)

    def rate(self, symbol: str, instrument_type: str) -> Decimal | None:
        row = self.rows.get((symbol.upper(), instrument_type.upper()))
        return None if row is None else row.total_pct / HUNDRED


def read_ael(path: str | Path) -> ElmTable:
    """Read `F_AEL_OPT_CONTRACTS_DDMMYYYY.CSV` from disk."""
    return parse_ael(Path(path).read_text(encoding="latin-1"))


def parse_ael(text: str) -> ElmTable:
    """Parse the text of an AEL file (T10 shape)."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    idx = {name: i for i, name in enumerate(header)}
    additional = next((i for i, h in enumerate(header) if h.startswith("Additional ELM%")), None)
    missing = [n for n in (_AEL_SYMBOL, _AEL_TYPE, _AEL_NORMAL, _AEL_TOTAL) if n not in idx]
    if missing or additional is None:
        raise ValueError(f"not an AEL file (missing columns {missing or ['Additional ELM%']})")
    table = ElmTable()
    for cells in reader:
        if not cells or not any(c.strip() for c in cells):
            continue
        row = AelRow(
            symbol=cells[idx[_AEL_SYMBOL]].strip().upper(),
            instrument_type=cells[idx[_AEL_TYPE]].strip().upper(),
            normal_pct=Decimal(cells[idx[_AEL_NORMAL]].strip()),
            additional_pct=Decimal(cells[additional].strip()),
            total_pct=Decimal(cells[idx[_AEL_TOTAL]].strip()),
        )
        table.rows[(row.symbol, row.instrument_type)] = row
    return table


def _deep_otm(contract: Contract, spot: Decimal, threshold: Decimal) -> bool:
    assert contract.strike is not None
    if contract.kind is ContractKind.CALL:
        return contract.strike > spot * (1 + threshold)
    return contract.strike < spot * (1 - threshold)


def exposure_lines(
    positions: Iterable[Position],
    *,
    spot: Mapping[str, Decimal],
    as_of: date | None,
    rule: ExposureRule,
    elm: ElmTable | None,
    index_underlyings: frozenset[str],
) -> list[ExposureLine]:
    lines: list[ExposureLine] = []
    for p in positions:
        c = p.contract
        units = abs(p.quantity)
        if c.kind is ContractKind.PHYSICAL or (c.kind.is_option and p.quantity > 0):
            continue  # long options: premium paid upfront, no ELM
        is_index = c.underlying in index_underlyings
        if c.kind is ContractKind.FUTURE:
            notional = c.price * units
        else:
            if c.underlying not in spot:
                raise ValueError(f"no underlying price for {c.underlying}: exposure of a short option needs it")
            notional = spot[c.underlying] * units
        if is_index:
            rate, reason = rule.index_rate, "index"
        else:
            cls = "OTH"
            if c.kind.is_option and _deep_otm(c, spot[c.underlying], rule.deep_otm_stock_moneyness):
                cls = "OTM"
            fallback = rule.stock_deep_otm_rate if cls == "OTM" else rule.stock_min_rate
            found = elm.rate(c.underlying, cls) if elm else None
            rate, reason = (found, f"AEL {cls}") if found is not None else (fallback, f"published minimum {cls}")
        lines.append(ExposureLine(c, p.quantity, notional, rate, notional * rate, reason))
        if (
            is_index
            and c.kind.is_option
            and as_of is not None
            and c.expiry == as_of
            and as_of >= rule.expiry_day_rule_from
            and rule.expiry_day_short_index_option_rate
        ):
            extra = rule.expiry_day_short_index_option_rate
            lines.append(
                ExposureLine(c, p.quantity, notional, extra, notional * extra, "expiry-day short index option")
            )
    return lines
