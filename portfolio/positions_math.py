"""Net-position arithmetic (pure: no Django). Average-cost method, as Kite's net positions show it.

A fill of signed quantity q (+ buy, - sell) at price p on a position (Q, avg, realized):
- same direction (or flat): Q' = Q + q, avg' = (|Q|*avg + |q|*p) / |Q'|
- opposite direction: the closed part c = min(|q|, |Q|) realizes c*(p - avg)*sign(Q); if |q| > |Q| the
  position reverses and the remainder opens at p.
Invariants (property-tested): Q = sum of signed fills; realized + unrealized(mark) = cash-flow P&L at mark,
where cash-flow P&L = -sum(q_i * p_i) + Q * mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class PositionState:
    quantity: int = 0
    average_price: Decimal = ZERO  # exact (unrounded) average of the open quantity
    realized: Decimal = ZERO


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def apply_fill(state: PositionState, signed_quantity: int, price: Decimal) -> PositionState:
    if signed_quantity == 0:
        return state
    q, avg, realized = state.quantity, state.average_price, state.realized
    if q == 0 or _sign(q) == _sign(signed_quantity):
        new_q = q + signed_quantity
        new_avg = (abs(q) * avg + abs(signed_quantity) * price) / abs(new_q)
        return PositionState(new_q, new_avg, realized)
    closed = min(abs(signed_quantity), abs(q))
    realized = realized + closed * (price - avg) * _sign(q)
    new_q = q + signed_quantity
    if new_q == 0:
        return PositionState(0, ZERO, realized)
    if _sign(new_q) == _sign(q):
        return PositionState(new_q, avg, realized)  # partial close keeps the average
    return PositionState(new_q, price, realized)  # reversal: the remainder opens at the fill price


def unrealized(state: PositionState, mark: Decimal) -> Decimal:
    return (mark - state.average_price) * state.quantity


def cash_flow_pnl(fills: list[tuple[int, Decimal]], mark: Decimal) -> Decimal:
    """P&L from cash flows: what was paid/received for the fills plus the open quantity valued at mark."""
    qty = sum(q for q, _ in fills)
    return -sum((q * p for q, p in fills), ZERO) + qty * mark


def signed(side: str, quantity: int) -> int:
    return quantity if side == "BUY" else -quantity
