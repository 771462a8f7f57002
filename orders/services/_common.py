"""Shared helpers of the order core: audit snapshots/events, pushes, alerts (in a savepoint), the
conditional status transition, tags and payload hashes, preferences and ownership lookups."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts import services as alert_services
from oms_project.lib import events, realtime
from oms_project.lib.realtime import group_send_on_commit, user_group

from .. import errors, market
from ..domain import (
    TERMINAL,
    OrderStatus,
    can_transition,
)
from ..events import ACCEPTED, OrderAccepted, OrderRejected, OrderTerminal, OrderUpdated, fact_fields
from ..models import Order, OrderEvent, OrderPreferences

logger = logging.getLogger(__name__)


S = OrderStatus

# The broker has the order and it works there (orders.accepted).
ACCEPTED_STATES = (OrderStatus.SUBMITTED, OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING)


ORDERS_TOPIC = "orders"


SYSTEM = "system"


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "quantity": order.quantity,
        "price": _s(order.price),
        "trigger_price": _s(order.trigger_price),
        "order_type": order.order_type,
        "validity": order.validity,
        "filled_quantity": order.filled_quantity,
        "average_price": _s(order.average_price),
        "broker_order_id": order.broker_order_id,
    }


def _s(v: Any) -> Any:
    return None if v is None else str(v)


def _event(
    order: Order, kind: str, *, actor: str, before: dict | None = None, frm: str = "", to: str = "", reason: str = ""
) -> None:
    OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor or SYSTEM,
        from_status=frm,
        to_status=to,
        before=before or {},
        after=_snapshot(order),
        reason=reason[:500],
    )


def _push_order(order: Order, change: str = "") -> None:
    """The trader should see this change: `orders.updated` after commit (the push is its subscriber); `change`
    is the audit kind written with it (orders.events.OrderUpdated.change)."""
    from ..presenters import order_json

    events.publish(
        OrderUpdated(
            order_id=order.pk,
            user_id=order.user_id,
            role=order.role,
            parent_id=order.parent_id,
            order=order_json(order),
            change=str(change),
        )
    )


def push_order_update(event: OrderUpdated) -> None:
    """Subscriber of orders.updated: the order's snapshot to the owner's /ws/orders/ sockets."""
    realtime.group_send(
        user_group(event.user_id, ORDERS_TOPIC),
        {"type": "order.push", "payload": {"type": "order", "order": event.order}},
    )


def _publish_transition(order: Order, old: str, new: str, reason: str) -> None:
    facts = fact_fields(order)
    if new in ACCEPTED_STATES and old in (OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN):
        events.publish(OrderAccepted(**facts, broker_order_id=order.broker_order_id or ""))
    if new == OrderStatus.REJECTED:
        events.publish(OrderRejected(**facts, reason=reason or order.status_message or ""))
    if new in TERMINAL:
        events.publish(OrderTerminal(**facts, filled_quantity=order.filled_quantity))


def _push(user_id: int, kind: str, payload: dict) -> None:
    group_send_on_commit(
        user_group(user_id, ORDERS_TOPIC), {"type": "order.push", "payload": {"type": kind, kind: payload}}
    )


def _alert(order: Order, type_: str, level: str, message: str, **extra: Any) -> None:
    # In a savepoint: on PostgreSQL a failed statement inside alert_raise would otherwise poison the
    # caller's transaction and the order change would fail at its next query.
    try:
        with transaction.atomic():
            alert_services.alert_raise(
                user_id=order.user_id,
                type=type_,
                level=level,
                message=message,
                links={"order_id": order.pk},
                payload={"source": "orders", "order_id": order.pk},
                **extra,
            )
    except Exception:  # an alert must never undo an order change
        logger.exception("alert_raise failed for order %s", order.pk)


def _set_local(order: Order, fields: dict[str, Any]) -> None:
    """Mirror an UPDATE we just made on the in-memory row (decimals as the column stores them)."""
    for name, value in fields.items():
        field = Order._meta.get_field(name)
        if value is not None and getattr(field, "decimal_places", None) is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        setattr(order, field.attname, value)


def _transition(order: Order, new: str, *, actor: str, kind: str, reason: str = "", **fields: Any) -> bool:
    """Move `order` to `new` with a conditional UPDATE on (status, version); False if refused.

    On success the in-memory `order` gets exactly what the UPDATE wrote (the row is ours: the version matched),
    so no re-read; when refused it is refreshed from the database."""
    old = order.status
    if not can_transition(old, new):
        return False
    before = _snapshot(order)
    now = timezone.now()
    if new in TERMINAL and "completed_at" not in fields:
        fields["completed_at"] = now
    updated = Order.objects.filter(pk=order.pk, status=old, version=order.version).update(
        status=new, version=F("version") + 1, updated_at=now, **fields
    )
    if not updated:
        order.refresh_from_db()
        return False
    _set_local(order, fields)
    order.status, order.version, order.updated_at = new, order.version + 1, now
    _event(order, kind, actor=actor, before=before, frm=old, to=new, reason=reason)
    accepted = new in ACCEPTED_STATES and old in (OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN)
    _push_order(order, change=ACCEPTED if accepted else kind)
    _publish_transition(order, old, new, reason)
    return True



def _payload_hash(fields: dict[str, Any]) -> str:
    canonical = json.dumps(
        {k: _s(v) if isinstance(v, Decimal) else v for k, v in sorted(fields.items())}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_tag(order_pk: int | None = None) -> str:
    """Our tag at the broker: 'sb' + 18 chars (<= Kite's 20), unique per order."""
    return "sb" + hashlib.blake2b(f"{time.time_ns()}:{random.random()}:{order_pk}".encode(), digest_size=9).hexdigest()


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    return Decimal(str(v))


def preferences_for(user: AbstractBaseUser) -> OrderPreferences:
    prefs, _ = OrderPreferences.objects.get_or_create(user=user)
    return prefs


def _tick(order: Order) -> Decimal:
    try:
        return Decimal(market.instrument_by_token(order.instrument_token).tick_size)
    except errors.InstrumentNotFound:
        return Decimal("0.05")


def _to_tick(v: Decimal, tick: Decimal, rounding: str) -> Decimal:
    return ((v / tick).to_integral_value(rounding=rounding) * tick).quantize(Decimal("0.01"))


def _owned(user: AbstractBaseUser, order_id: int) -> Order:
    try:
        return Order.objects.select_related("account", "user").get(pk=order_id, user=user)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise errors.OrderNotFound() from None
