"""Sending a committed order to its broker exactly once: the claim, retries of provably-unsent requests,
UNKNOWN on an unknown outcome, rejection; and settling UNKNOWN orders by their tag."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.types import AlertLevel, AlertType

from .. import rate_limit
from ..brokers import broker_for
from ..brokers.base import (
    BrokerAuthError,
    BrokerError,
    BrokerOrderRequest,
    BrokerOutcomeUnknown,
    BrokerRateLimited,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
)
from ..domain import (
    EventKind,
    OrderRole,
)
from ..models import Order
from . import brackets, broker_updates
from ._common import SYSTEM, S, _alert, _applied_here, _event, _transition, logger

# Retries of a provably-unsent submission (BrokerUnavailable / 429): exponential backoff with full jitter.
SUBMIT_MAX_ATTEMPTS = 4


SUBMIT_BACKOFF_BASE_SECONDS = 0.2


UNKNOWN_GRACE_SECONDS = 3  # wait this long before concluding an order is absent at the broker


_sleep = time.sleep  # tests replace it


def _submit_tree(order: Order, *, actor: str, children: list[Order] | None = None) -> None:
    if children is None:
        children = list(order.children.filter(role=OrderRole.SLICE).order_by("id"))
    if not children:
        order_submit(order_id=order.pk, actor=actor)
        return
    for i, child in enumerate(children):
        if i:
            rate_limit.acquire(order.account_id)
        order_submit(order_id=child.pk, actor=actor)
    brackets._slice_parent_refresh(order.pk)


def _request_for(order: Order) -> BrokerOrderRequest:
    return BrokerOrderRequest(
        tag=order.tag,
        exchange=order.exchange,
        tradingsymbol=order.tradingsymbol,
        instrument_token=order.instrument_token,
        transaction_type=order.transaction_type,
        quantity=order.quantity,
        product=order.product,
        order_type=order.order_type,
        validity=order.validity,
        price=order.price,
        trigger_price=order.trigger_price,
        validity_ttl=order.validity_ttl,
        disclosed_quantity=order.disclosed_quantity,
        market_protection=order.market_protection,
        variety=order.variety,
    )


def order_submit(*, order_id: int, actor: str = SYSTEM) -> Order:
    """Send a committed PENDING_SUBMIT order to its broker exactly once (claimed by a conditional UPDATE)."""
    claimed = Order.objects.filter(pk=order_id, status=S.PENDING_SUBMIT, submitted_at__isnull=True).update(
        submitted_at=timezone.now(), submit_attempts=F("submit_attempts") + 1, version=F("version") + 1
    )
    order = Order.objects.select_related("account", "user").get(pk=order_id)
    if not claimed:
        return order  # someone else is sending it, or it is past this point
    return _send(order, actor=actor)


def _send(order: Order, *, actor: str) -> Order:
    """Hand a claimed order to its broker; every outcome lands in the order's status and audit trail."""
    broker = broker_for(order.account)
    request = _request_for(order)
    applied: dict[int, Order] = {}
    scope = _applied_here.set(applied)  # a broker that answers synchronously updates the order meanwhile
    try:
        return _send_with(broker, request, order, applied, actor=actor)
    finally:
        _applied_here.reset(scope)


def _send_with(
    broker: Any, request: BrokerOrderRequest, order: Order, applied: dict[int, Order], *, actor: str
) -> Order:
    for attempt in range(1, SUBMIT_MAX_ATTEMPTS + 1):
        try:
            broker_order_id = broker.place_order(request)
        except BrokerOutcomeUnknown as exc:
            order.refresh_from_db()
            with transaction.atomic():
                if _transition(
                    order,
                    S.UNKNOWN,
                    actor=actor,
                    kind=EventKind.UNKNOWN,
                    reason=f"broker outcome unknown: {exc.message}",
                ):
                    _alert(
                        order,
                        AlertType.ORDER_UNKNOWN,
                        AlertLevel.CRITICAL,
                        f"Order #{order.pk} ({order.transaction_type} {order.quantity} {order.tradingsymbol}) was "
                        "sent but the broker did not answer. We are checking the broker's order book; it will "
                        "not be sent twice.",
                    )
            return order
        except (BrokerUnavailable, BrokerRateLimited) as exc:
            # Provably not received: safe to retry, with exponential backoff and full jitter.
            if attempt == SUBMIT_MAX_ATTEMPTS:
                return _reject(order, f"The broker could not be reached: {exc.message}", actor=actor)
            delay = exc.retry_after or random.uniform(0, SUBMIT_BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
            with transaction.atomic():
                _event(
                    order,
                    EventKind.SUBMIT_FAILED,
                    actor=actor,
                    frm=order.status,
                    to=order.status,
                    reason=f"attempt {attempt} not received ({exc.message}); retrying in {delay:.2f}s",
                )
            _sleep(delay)
            continue
        except BrokerAuthError as exc:
            return _reject(order, f"Broker session expired: {exc.message}. Log in to Kite again.", actor=actor)
        except BrokerRejected as exc:
            return _reject(order, exc.message, actor=actor)
        except BrokerError as exc:  # any other broker failure after sending: treat as unknown
            order.refresh_from_db()
            with transaction.atomic():
                _transition(order, S.UNKNOWN, actor=actor, kind=EventKind.UNKNOWN, reason=str(exc))
            return order
        break
    current = applied.get(order.pk)
    if current is not None and current.status != S.PENDING_SUBMIT and current.broker_order_id == broker_order_id:
        # The broker's own update (the paper venue answers synchronously) was applied and committed during
        # the call, in this thread: that row is current; only the audit entry of the placement is missing.
        with transaction.atomic():
            _event(
                current,
                EventKind.PLACED,
                actor=actor,
                frm=current.status,
                to=current.status,
                reason=f"broker order id {broker_order_id}",
            )
        return current
    with transaction.atomic():
        # Our claim set PENDING_SUBMIT at `order.version`: unless a broker update got there first, this
        # conditional UPDATE records the broker's id with the SUBMITTED status in one statement.
        if not _transition(
            order,
            S.SUBMITTED,
            actor=actor,
            kind=EventKind.PLACED,
            reason=f"broker order id {broker_order_id}",
            broker_order_id=broker_order_id,
        ):
            # The broker already reported a later state (the paper venue answers synchronously);
            # `_transition` refreshed the row.
            if not order.broker_order_id:
                Order.objects.filter(pk=order.pk, broker_order_id__isnull=True).update(broker_order_id=broker_order_id)
                order.broker_order_id = broker_order_id
            _event(
                order,
                EventKind.PLACED,
                actor=actor,
                frm=order.status,
                to=order.status,
                reason=f"broker order id {broker_order_id}",
            )
    return order


def _reject(order: Order, message: str, *, actor: str) -> Order:
    order.refresh_from_db()
    with transaction.atomic():
        if _transition(
            order,
            S.REJECTED,
            actor=actor,
            kind=EventKind.REJECTED,
            reason=message,
            status_message=message[:500],
            pending_quantity=0,
        ):
            _alert(
                order,
                AlertType.ORDER_REJECTED,
                AlertLevel.WARNING,
                f"Order #{order.pk} {order.transaction_type} {order.quantity} {order.tradingsymbol} was rejected: "
                f"{message}",
            )
    if order.parent_id and order.role == OrderRole.SLICE:
        brackets._slice_parent_refresh(order.parent_id)
    return order


def order_resolve_unknown(
    *, order_id: int, actor: str = "system:resolver", grace_seconds: float | None = None
) -> Order:
    """Settle an UNKNOWN order by finding it at the broker by its tag; re-send only if provably absent."""
    order = Order.objects.select_related("account", "user").get(pk=order_id)
    if order.status != S.UNKNOWN:
        return order
    broker = broker_for(order.account)
    try:
        book = broker.orders()
    except BrokerError as exc:
        logger.info("order %s: broker order book unavailable (%s); staying UNKNOWN", order.pk, exc)
        return order
    found = next((bo for bo in book if bo.tag == order.tag), None)
    if found is not None:
        with transaction.atomic():
            Order.objects.filter(pk=order.pk, broker_order_id__isnull=True).update(
                broker_order_id=found.broker_order_id
            )
            _event(
                order,
                EventKind.RESOLVED,
                actor=actor,
                frm=S.UNKNOWN,
                to=S.UNKNOWN,
                reason=f"found at the broker by tag {order.tag}: {found.status}",
            )
        trades: list[BrokerTrade] = []
        try:
            trades = broker.order_trades(found.broker_order_id)
        except BrokerError:
            pass
        broker_updates.order_apply_broker_update(account=order.account, order=found, trades=trades, source="resolver")
        order.refresh_from_db()
        return order
    grace = UNKNOWN_GRACE_SECONDS if grace_seconds is None else grace_seconds
    if order.submitted_at and (timezone.now() - order.submitted_at).total_seconds() < grace:
        return order  # the broker may still be registering it
    if order.submit_attempts >= SUBMIT_MAX_ATTEMPTS:
        return _reject(order, "The broker never received the order after several attempts.", actor=actor)
    # Provably absent: the broker's order book lists every order it received, and ours is not there.
    with transaction.atomic():
        if not _transition(
            order,
            S.PENDING_SUBMIT,
            actor=actor,
            kind=EventKind.RETRIED,
            reason=f"not in the broker's order book (tag {order.tag}); sending again",
            submitted_at=None,
        ):
            return order
    _sleep(random.uniform(0, SUBMIT_BACKOFF_BASE_SECONDS * 2 ** max(0, order.submit_attempts - 1)))
    return order_submit(order_id=order.pk, actor=actor)


def orders_resolve_unknown_due() -> int:
    n = 0
    cutoff = timezone.now() - timedelta(seconds=UNKNOWN_GRACE_SECONDS)
    for pk in Order.objects.filter(status=S.UNKNOWN, submitted_at__lte=cutoff).values_list("pk", flat=True)[:50]:
        try:
            order_resolve_unknown(order_id=pk)
            n += 1
        except Exception:
            logger.exception("resolving unknown order %s failed", pk)
    return n
