"""The order state machine and order vocabulary (pure: no Django).

Statuses are our own plus Kite's (spelled as Kite spells them, /work/shared/research/kite-api.md §3.2).
Kite's transient statuses are *normalised* by `normalize_broker_status` before they reach the table:
  PUT ORDER REQ RECEIVED / VALIDATION PENDING / OPEN PENDING / AMO REQ RECEIVED -> SUBMITTED
  MODIFY VALIDATION PENDING / MODIFY PENDING / MODIFIED -> None (no status change; fields may change)
  CANCEL PENDING -> CANCEL PENDING (kept: a cancel is in flight)
  LAPSED -> EXPIRED
  OPEN with 0 < filled < quantity -> PARTIALLY_FILLED
Every change goes through `can_transition(a, b)`; services apply it with a conditional UPDATE
(`WHERE status = a AND version = v`) so two concurrent writers can neither skip nor undo a state.
"""

from __future__ import annotations

from enum import StrEnum


class OrderStatus(StrEnum):
    # ours
    PENDING_APPROVAL = "PENDING_APPROVAL"  # waiting for the user to confirm (near-duplicate, approval)
    PENDING_SUBMIT = "PENDING_SUBMIT"  # committed, not yet handed to the broker
    SUBMITTED = "SUBMITTED"  # the broker accepted the request (order id known), not yet OPEN
    UNKNOWN = "UNKNOWN"  # sent, but the outcome is not known (timeout): resolved by tag lookup
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    EXPIRED = "EXPIRED"  # DAY/TTL order lapsed at the close / after its TTL
    # Kite's
    OPEN = "OPEN"
    TRIGGER_PENDING = "TRIGGER PENDING"
    CANCEL_PENDING = "CANCEL PENDING"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"


S = OrderStatus
TERMINAL: frozenset[OrderStatus] = frozenset({S.COMPLETE, S.CANCELLED, S.REJECTED, S.EXPIRED})
# Live at the broker: can fill, can be modified/cancelled.
WORKING: frozenset[OrderStatus] = frozenset({S.OPEN, S.TRIGGER_PENDING, S.PARTIALLY_FILLED, S.SUBMITTED})

_AT_BROKER = {S.OPEN, S.TRIGGER_PENDING, S.PARTIALLY_FILLED, S.COMPLETE, S.CANCELLED, S.REJECTED, S.EXPIRED}

ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_APPROVAL: frozenset({S.PENDING_SUBMIT, S.REJECTED, S.CANCELLED, S.EXPIRED}),
    # The broker may answer synchronously with any of its states (the paper venue fills at once).
    S.PENDING_SUBMIT: frozenset({S.SUBMITTED, S.UNKNOWN, S.CANCEL_PENDING} | _AT_BROKER),
    S.SUBMITTED: frozenset({S.CANCEL_PENDING} | _AT_BROKER),
    # UNKNOWN resolves to whatever the broker shows, or back to PENDING_SUBMIT when provably absent.
    S.UNKNOWN: frozenset({S.SUBMITTED, S.PENDING_SUBMIT} | _AT_BROKER),
    S.OPEN: frozenset(
        {S.TRIGGER_PENDING, S.PARTIALLY_FILLED, S.COMPLETE, S.CANCELLED, S.REJECTED, S.EXPIRED, S.CANCEL_PENDING}
    ),
    S.TRIGGER_PENDING: frozenset(
        {S.OPEN, S.PARTIALLY_FILLED, S.COMPLETE, S.CANCELLED, S.REJECTED, S.EXPIRED, S.CANCEL_PENDING}
    ),
    S.PARTIALLY_FILLED: frozenset({S.COMPLETE, S.CANCELLED, S.EXPIRED, S.CANCEL_PENDING}),
    S.CANCEL_PENDING: frozenset(
        {S.OPEN, S.TRIGGER_PENDING, S.PARTIALLY_FILLED, S.COMPLETE, S.CANCELLED, S.EXPIRED, S.REJECTED}
    ),
    S.COMPLETE: frozenset(),
    S.CANCELLED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
}

# How far along an order is; a broker snapshot may never move an order "back" past this.
_RANK: dict[OrderStatus, int] = {
    S.PENDING_APPROVAL: 0,
    S.PENDING_SUBMIT: 1,
    S.UNKNOWN: 2,
    S.SUBMITTED: 3,
    S.OPEN: 4,
    S.TRIGGER_PENDING: 4,
    S.CANCEL_PENDING: 5,
    S.PARTIALLY_FILLED: 5,
    S.COMPLETE: 9,
    S.CANCELLED: 9,
    S.REJECTED: 9,
    S.EXPIRED: 9,
}


def is_terminal(status: str) -> bool:
    return status in TERMINAL


def can_transition(current: str, new: str) -> bool:
    """True if an order in `current` may move to `new`. Staying put is an update, allowed unless terminal."""
    a, b = OrderStatus(current), OrderStatus(new)
    if a == b:
        return a not in TERMINAL
    return b in ALLOWED[a]


_TRANSIENT_SUBMITTED = {
    "PUT ORDER REQ RECEIVED",
    "PUT ORDER REQUEST RECEIVED",
    "VALIDATION PENDING",
    "OPEN PENDING",
    "AMO REQ RECEIVED",
}
_TRANSIENT_NO_CHANGE = {"MODIFY VALIDATION PENDING", "MODIFY PENDING", "MODIFIED"}


def normalize_broker_status(kite_status: str, *, filled_quantity: int, quantity: int) -> OrderStatus | None:
    """Our status for a broker snapshot; None = the snapshot carries no status change."""
    s = (kite_status or "").strip().upper()
    if s in _TRANSIENT_SUBMITTED:
        return S.SUBMITTED
    if s in _TRANSIENT_NO_CHANGE:
        return None
    if s == "LAPSED":
        return S.EXPIRED
    if s == "OPEN" and 0 < filled_quantity < quantity:
        return S.PARTIALLY_FILLED
    try:
        return OrderStatus(s)
    except ValueError:
        return None


def rank(status: str) -> int:
    return _RANK[OrderStatus(status)]


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


def opposite(side: str) -> str:
    return Side.SELL if side == Side.BUY else Side.BUY


class Product(StrEnum):
    MIS = "MIS"
    NRML = "NRML"
    CNC = "CNC"


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"
    SLM = "SL-M"


class Validity(StrEnum):
    DAY = "DAY"
    IOC = "IOC"
    TTL = "TTL"


class OrderRole(StrEnum):
    ENTRY = "ENTRY"  # an ordinary order, or the entry of a bracket
    STOP_LOSS = "STOP_LOSS"  # bracket exit (SL-M / SL)
    TARGET = "TARGET"  # bracket exit (LIMIT)
    SLICE = "SLICE"  # child of a freeze-limit parent
    EXIT = "EXIT"  # position exit
    ALGO = "ALGO"  # child of a parent execution (TWAP / ICEBERG: orders.services.algos)


class EventKind(StrEnum):
    CREATED = "CREATED"
    PLACED = "PLACED"
    SUBMIT_FAILED = "SUBMIT_FAILED"
    UNKNOWN = "UNKNOWN"
    RESOLVED = "RESOLVED"
    RETRIED = "RETRIED"
    STATUS = "STATUS"
    MODIFY_REQUESTED = "MODIFY_REQUESTED"
    MODIFIED = "MODIFIED"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    CANCELLED = "CANCELLED"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    APPROVED = "APPROVED"
    SLICED = "SLICED"
    BRACKET_PLACED = "BRACKET_PLACED"
    TRAILED = "TRAILED"


# Kite's limits (/work/shared/research/kite-api.md §6): tag <= 20 chars; 25 modifications per order;
# 10 order requests per second per account; autoslice caps at 10 slices.
MAX_TAG_LENGTH = 20
MAX_MODIFICATIONS = 25
MAX_SLICES = 10
DEFAULT_ORDERS_PER_SECOND = 10

# Strategy presets moved to the portfolio app (which owns strategies); re-exported for old imports.
from portfolio.domain import STRATEGY_PRESETS  # noqa: E402, F401
