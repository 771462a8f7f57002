"""Local SPAN margin engine (NSE Clearing's SPAN + exposure margin), pure: no Django imports.

- `types`: risk arrays, scan rates, contracts, spreads, positions, results.
- `params`: exchange facts with their sources (scenarios, scan floors, ELM rates, expiry-day rules).
- `parser`: streaming parser for the SPAN XML `.spn` file.
- `engine`: scan risk, calendar spread charge, short option minimum, NOV, SPAN per underlying and
  for a portfolio.
- `exposure`: exposure margin and the AEL file.
- `synthetic`: risk arrays from price and volatility with the published method, when no file is loaded.
See docs/span.md.
"""

from margin.span.engine import portfolio_margin, underlying_margin
from margin.span.exposure import ElmTable, parse_ael, read_ael
from margin.span.parser import iter_span, parse_span
from margin.span.types import (
    CombinedCommodity,
    Contract,
    ContractKind,
    DeltaSpread,
    PortfolioMargin,
    Position,
    RiskArray,
    SpanData,
    SpreadLeg,
    UnderlyingMargin,
)

__all__ = [
    "CombinedCommodity",
    "Contract",
    "ContractKind",
    "DeltaSpread",
    "ElmTable",
    "PortfolioMargin",
    "Position",
    "RiskArray",
    "SpanData",
    "SpreadLeg",
    "UnderlyingMargin",
    "iter_span",
    "parse_ael",
    "parse_span",
    "read_ael",
    "portfolio_margin",
    "underlying_margin",
]
