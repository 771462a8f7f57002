"""The portfolio's domain events (the one module that knows their shape).

Published by `portfolio.services` through `oms_project.lib.events.publish`: after the commit of the
transaction that booked the fill or moved the cash, never on rollback. Subscribers register by `name`
in their app's `ready()` (orders cancels a closed position's bracket exits on `portfolio.position_closed`).
Events carry ids and plain values, never model rows.

    portfolio.position_opened   a fill opened a position from flat (or the new side after a reversal)
    portfolio.position_changed  a fill added to or reduced a position that stays open on the same side
    portfolio.position_closed   a fill took a position to zero, or through zero (reversal: quantity_after != 0)
    portfolio.funds_changed     a ledger entry changed an account's cash (pay-in/out, realised P&L, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

__all__ = ["FundsChanged", "PositionChanged", "PositionClosed", "PositionOpened"]


@dataclass(frozen=True, slots=True)
class _PositionFact:
    position_id: int
    user_id: int
    account_id: int
    strategy_id: int | None
    instrument_token: int
    product: str
    quantity: int  # signed, after the fill
    average_price: Decimal
    trade_id: int  # the Trade row's id that made the change
    order_id: int


@dataclass(frozen=True, slots=True)
class PositionOpened(_PositionFact):
    name: ClassVar[str] = "portfolio.position_opened"


@dataclass(frozen=True, slots=True)
class PositionChanged(_PositionFact):
    name: ClassVar[str] = "portfolio.position_changed"
    quantity_before: int = 0
    realised_pnl: Decimal = Decimal(0)  # realised by this fill (0 when it added to the position)


@dataclass(frozen=True, slots=True)
class PositionClosed(_PositionFact):
    """The side that was open is closed. `quantity` is what is open after the fill: 0, or the reversed
    remainder (then a PositionOpened for the new side follows)."""

    name: ClassVar[str] = "portfolio.position_closed"
    quantity_before: int = 0
    realised_pnl: Decimal = Decimal(0)  # realised by this fill
    position_realised_pnl: Decimal = Decimal(0)  # the position's total realised P&L so far


@dataclass(frozen=True, slots=True)
class FundsChanged:
    name: ClassVar[str] = "portfolio.funds_changed"
    account_id: int
    user_id: int
    kind: str  # portfolio.domain.LedgerKind
    amount: Decimal  # signed
    entry_id: int  # the LedgerEntry; a subscriber wanting the balance reads portfolio.selectors.funds_for
