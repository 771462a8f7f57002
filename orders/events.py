"""The order core's domain events (the one module that knows their shape) and its audit vocabulary.

Published after commit through `oms_project.lib.events` (a rollback publishes nothing); subscribers
register by `name` in their app's `ready()`, so lower apps (risk, margin) react without importing
orders. Each event carries ids and plain values, never model rows: a subscriber reads what it needs.

    orders.accepted   the broker took the order (it has a broker id and works: OPEN / TRIGGER PENDING)
    orders.rejected   refused by the broker or by submission (with the reason)
    orders.filled     a fill was stored (one event per fill: its quantity and price)
    orders.terminal   COMPLETE, CANCELLED, REJECTED or EXPIRED: nothing more will happen to it
    orders.updated    any change the trader should see (the order's JSON, for the pushes; `change` says what
                      happened: the audit kind written with it, ACCEPTED when the broker took a new order)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from .domain import EventKind

__all__ = [
    "EventKind",
    "OrderAccepted",
    "OrderFilled",
    "OrderRejected",
    "OrderTerminal",
    "OrderUpdated",
    "actor_api_key",
    "actor_system",
    "actor_user",
]


@dataclass(frozen=True, slots=True)
class _OrderFact:
    order_id: int
    user_id: int
    account_id: int
    instrument_token: int
    role: str
    parent_id: int | None
    status: str


@dataclass(frozen=True, slots=True)
class OrderAccepted(_OrderFact):
    name: ClassVar[str] = "orders.accepted"
    broker_order_id: str = ""


@dataclass(frozen=True, slots=True)
class OrderRejected(_OrderFact):
    name: ClassVar[str] = "orders.rejected"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderFilled(_OrderFact):
    name: ClassVar[str] = "orders.filled"
    trade_id: str = ""
    transaction_type: str = ""
    quantity: int = 0
    price: Decimal = Decimal(0)
    filled_quantity: int = 0  # the order's total after this fill
    fill_timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderTerminal(_OrderFact):
    name: ClassVar[str] = "orders.terminal"
    filled_quantity: int = 0


@dataclass(frozen=True, slots=True)
class OrderUpdated:
    name: ClassVar[str] = "orders.updated"
    order_id: int
    user_id: int
    role: str = ""
    parent_id: int | None = None
    order: dict[str, Any] = field(default_factory=dict)  # orders.presenters.order_json
    change: str = ""  # an EventKind, or ACCEPTED; "" when the writer did not say


# `OrderUpdated.change` of the broker's first acceptance of an order (PENDING_SUBMIT/UNKNOWN -> working).
ACCEPTED = "ACCEPTED"


def fact_fields(order: Any) -> dict[str, Any]:
    """The common fields of an order event, from an Order row."""
    return {
        "order_id": order.pk,
        "user_id": order.user_id,
        "account_id": order.account_id,
        "instrument_token": order.instrument_token,
        "role": order.role,
        "parent_id": order.parent_id,
        "status": order.status,
    }


def actor_user(user_id: int) -> str:
    return f"user:{user_id}"


def actor_api_key(prefix: str) -> str:
    return f"api_key:{prefix}"


def actor_system(job: str) -> str:
    return f"system:{job}"
