"""Order core writes. Interface for the UI, the Kite adapter and other apps (all keyword-only):

- `order_place(user=..., actor=..., **fields) -> Order`  (fields as Kite names them; see the signature).
  Validates, applies replay protection (client_order_id / Idempotency-Key; a replay returns the original
  with `order.replayed = True`), takes a rate-governor slot, commits the Order + CREATED event, THEN
  submits it to the broker inline (paper: fills happen during the call) and returns the refreshed row
  with its current status (PENDING_APPROVAL when a near-duplicate needs confirmation).
- `order_modify(user=..., order_id=..., quantity=?, price=?, trigger_price=?, order_type=?, validity=?,
  actor=...) -> Order`
- `order_cancel(user=..., order_id=..., actor=...) -> Order`
- `orders_cancel_all(user=..., account_id=?, strategy_id=?, actor=...) -> list[Order]`
- `order_approve(user=..., order_id=..., actor=...)` / `order_reject(user=..., order_id=..., actor=..., reason=...)`
- `order_apply_broker_update(account=..., order=BrokerOrder, trades=[BrokerTrade], source="kite") -> Order | None`
  idempotent: matches our order by tag (else broker id), ignores stale/duplicate snapshots, stores each
  fill once (by trade id), updates positions, audit events, alerts and pushes — in one transaction.
  Kite postbacks / ticker order updates call this with the converted BrokerOrder (trades may be empty:
  then fills are taken as one synthetic trade per filled-quantity increase, id "<order_id>:<filled>").
- `order_resolve_unknown(order_id=...) -> Order`, `orders_resolve_unknown_due() -> int`
- `position_exit(user=..., position_id=..., actor=...) -> list[Order]`
- `orders_trail_stops(at=None) -> int`, `paper_match_all(at=None) -> int` (the matcher step)
- `strategy_create(user=..., account_id=?, name=..., preset="conservative", **settings) -> Strategy`
- `preferences_update(user=..., **fields) -> OrderPreferences`
Reads are in `orders.selectors`; the JSON shape of orders/trades/positions is `orders.presenters`.
Submission runs inline after the commit (paper is fast; Kite answers in ~100 ms) so the API returns the
broker outcome; a timeout leaves the order UNKNOWN and the resolver (matcher loop / Celery task) settles it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.selectors import account_resolve
from alerts import services as alert_services
from alerts.types import AlertAction, AlertLevel, AlertType
from oms_project.lib.realtime import group_send_on_commit, user_group

from . import errors, market, rate_limit, validation
from .brokers import broker_for
from .brokers.base import (
    BrokerAuthError,
    BrokerError,
    BrokerOrder,
    BrokerOrderRequest,
    BrokerOutcomeUnknown,
    BrokerRateLimited,
    BrokerRejected,
    BrokerTrade,
    BrokerUnavailable,
)
from .domain import (
    MAX_MODIFICATIONS,
    STRATEGY_PRESETS,
    TERMINAL,
    WORKING,
    EventKind,
    OrderRole,
    OrderStatus,
    OrderType,
    can_transition,
    normalize_broker_status,
    opposite,
)
from .models import Order, OrderEvent, OrderPreferences, Position, Strategy, Trade
from .positions_math import PositionState, apply_fill, signed

logger = logging.getLogger(__name__)
S = OrderStatus
ORDERS_TOPIC = "orders"
SYSTEM = "system"
# Retries of a provably-unsent submission (BrokerUnavailable / 429): exponential backoff with full jitter.
SUBMIT_MAX_ATTEMPTS = 4
SUBMIT_BACKOFF_BASE_SECONDS = 0.2
UNKNOWN_GRACE_SECONDS = 3  # wait this long before concluding an order is absent at the broker
_sleep = time.sleep  # tests replace it


# --- small helpers ----------------------------------------------------------------------------
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


def _push_order(order: Order) -> None:
    from .presenters import order_json

    group_send_on_commit(
        user_group(order.user_id, ORDERS_TOPIC),
        {"type": "order.push", "payload": {"type": "order", "order": order_json(order)}},
    )


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
                user=order.user,
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
    _push_order(order)
    return True


# Orders updated by a broker update during the current `_send` (same thread, same call): see `_send`.
_applied_here: ContextVar[dict[int, Order] | None] = ContextVar("orders_applied_here", default=None)


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


# --- placement --------------------------------------------------------------------------------
def order_place(
    *,
    user: AbstractBaseUser,
    transaction_type: str,
    product: str,
    order_type: str,
    quantity: int | None = None,
    lots: int | None = None,
    instrument_token: int | None = None,
    exchange: str | None = None,
    tradingsymbol: str | None = None,
    account_id: int | None = None,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
    validity: str = "DAY",
    validity_ttl: int | None = None,
    disclosed_quantity: int = 0,
    market_protection: int | None = None,
    tag: str = "",
    variety: str = "regular",
    strategy_id: int | None = None,
    client_order_id: str | None = None,
    stop_loss: Decimal | None = None,
    target: Decimal | None = None,
    stop_loss_points: Decimal | None = None,
    target_points: Decimal | None = None,
    trailing_stop_points: Decimal | None = None,
    auto_slice: bool | None = None,
    confirm_duplicate: bool = False,
    actor: str = "",
    role: str = OrderRole.ENTRY,
    parent: Order | None = None,
    submit: bool = True,
) -> Order:
    actor = actor or f"user:{user.pk}"
    account = account_resolve(user=user, account_id=account_id)
    instrument = market.instrument_resolve(
        instrument_token=instrument_token, exchange=exchange, tradingsymbol=tradingsymbol
    )
    with market.instruments_pinned(instrument):  # the broker and the update read it again: no re-query
        return _place(
            user=user,
            account=account,
            instrument=instrument,
            transaction_type=transaction_type,
            product=product,
            order_type=order_type,
            quantity=quantity,
            lots=lots,
            price=price,
            trigger_price=trigger_price,
            validity=validity,
            validity_ttl=validity_ttl,
            disclosed_quantity=disclosed_quantity,
            market_protection=market_protection,
            tag=tag,
            variety=variety,
            strategy_id=strategy_id,
            client_order_id=client_order_id,
            stop_loss=stop_loss,
            target=target,
            stop_loss_points=stop_loss_points,
            target_points=target_points,
            trailing_stop_points=trailing_stop_points,
            auto_slice=auto_slice,
            confirm_duplicate=confirm_duplicate,
            actor=actor,
            role=role,
            parent=parent,
            submit=submit,
        )


def _place(
    *,
    user: AbstractBaseUser,
    account: Any,
    instrument: Any,
    transaction_type: str,
    product: str,
    order_type: str,
    quantity: int | None,
    lots: int | None,
    price: Decimal | None,
    trigger_price: Decimal | None,
    validity: str,
    validity_ttl: int | None,
    disclosed_quantity: int,
    market_protection: int | None,
    tag: str,
    variety: str,
    strategy_id: int | None,
    client_order_id: str | None,
    stop_loss: Decimal | None,
    target: Decimal | None,
    stop_loss_points: Decimal | None,
    target_points: Decimal | None,
    trailing_stop_points: Decimal | None,
    auto_slice: bool | None,
    confirm_duplicate: bool,
    actor: str,
    role: str,
    parent: Order | None,
    submit: bool,
) -> Order:
    if quantity is None and lots is not None:
        quantity = int(lots) * instrument.lot_size
    if quantity is None:
        raise errors.InvalidQuantity("Give quantity (units) or lots.")
    price, trigger_price = _dec(price), _dec(trigger_price)
    if order_type in (OrderType.MARKET, OrderType.SLM) and market_protection is None:
        market_protection = -1  # automatic protection by default (Kite requires it since Apr 2026)
    prefs = preferences_for(user)
    slice_requested = prefs.auto_slice if auto_slice is None else auto_slice
    client_order_id = (client_order_id or "").strip() or None
    fields = {
        "account_id": account.pk,
        "instrument_token": instrument.instrument_token,
        "transaction_type": transaction_type,
        "quantity": quantity,
        "product": product,
        "order_type": order_type,
        "price": price,
        "trigger_price": trigger_price,
        "validity": validity,
        "validity_ttl": validity_ttl,
        "disclosed_quantity": disclosed_quantity,
        "market_protection": market_protection,
        "tag": tag,
        "variety": variety,
        "strategy_id": strategy_id,
        "stop_loss": _dec(stop_loss),
        "target": _dec(target),
        "stop_loss_points": _dec(stop_loss_points),
        "target_points": _dec(target_points),
        "trailing_stop_points": _dec(trailing_stop_points),
        "auto_slice": bool(slice_requested),
    }
    payload_hash = _payload_hash(fields)
    if client_order_id:
        existing = _replay(user, client_order_id, payload_hash)
        if existing is not None:
            return existing

    now = timezone.now()
    q = market.quote(instrument, now)
    draft = validation.OrderDraft(
        transaction_type=transaction_type,
        quantity=quantity,
        product=product,
        order_type=order_type,
        validity=validity,
        price=price,
        trigger_price=trigger_price,
        validity_ttl=validity_ttl,
        disclosed_quantity=disclosed_quantity or 0,
        market_protection=market_protection,
        tag=tag,
        stop_loss=_dec(stop_loss),
        target=_dec(target),
    )
    facts = market.facts(instrument, q)
    if role in (OrderRole.STOP_LOSS, OrderRole.TARGET, OrderRole.EXIT):
        facts = replace(facts, last_price=None)  # exits may sit anywhere relative to a moving market
    validation.validate(
        draft,
        facts,
        today=timezone.localdate(now),
        amo=variety == "amo",
        market_open=market.market_open(instrument, now, simulated=account.is_paper),
    )
    slices = validation.slice_plan(quantity, facts, slice_requested=slice_requested)
    strategy = None
    if strategy_id is not None:
        strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
        if strategy is None:
            raise errors.StrategyNotFound()

    status = S.PENDING_SUBMIT
    if not client_order_id and not confirm_duplicate and role == OrderRole.ENTRY and parent is None:
        window = timedelta(seconds=float(prefs.duplicate_window_seconds))
        recent = (
            Order.objects.filter(
                account=account,
                instrument_token=instrument.instrument_token,
                transaction_type=transaction_type,
                quantity=quantity,
                parent__isnull=True,
                created_at__gte=now - window,
            )
            .exclude(status__in=[S.REJECTED])
            .first()
        )
        if recent is not None:
            if prefs.duplicate_action == OrderPreferences.DuplicateAction.REFUSE:
                raise errors.DuplicateOrder(
                    f"You placed the same order (#{recent.pk}: {transaction_type} {quantity} "
                    f"{instrument.tradingsymbol}) {(now - recent.created_at).total_seconds():.1f} s ago. "
                    "Send it again with confirm_duplicate=true if you mean it.",
                    details={"duplicate_of": recent.pk, "window_seconds": float(prefs.duplicate_window_seconds)},
                )
            status = S.PENDING_APPROVAL

    if submit and status == S.PENDING_SUBMIT:
        rate_limit.acquire(account.pk)  # queue up to a second, else ORDER_RATE_LIMITED; nothing stored

    common = dict(
        user=user,
        account=account,
        strategy=strategy,
        exchange=instrument.exchange,
        tradingsymbol=instrument.tradingsymbol,
        instrument_token=instrument.instrument_token,
        transaction_type=transaction_type,
        product=product,
        order_type=order_type,
        variety=variety,
        price=price,
        trigger_price=trigger_price,
        validity=validity,
        validity_ttl=validity_ttl,
        disclosed_quantity=disclosed_quantity or 0,
        market_protection=market_protection,
        user_tag=tag or "",
    )
    # An order sent right away (no slices) is claimed for sending in the transaction that creates it
    # (submitted_at set, one attempt): the same exactly-once claim `order_submit` makes, without its own commit.
    send_now = submit and status == S.PENDING_SUBMIT and len(slices) <= 1
    claimed_at = timezone.now() if send_now else None
    try:
        with transaction.atomic():
            order = Order.objects.create(
                **common,
                quantity=quantity,
                pending_quantity=quantity,
                status=status,
                submitted_at=claimed_at,
                submit_attempts=1 if send_now else 0,
                role=role,
                parent=parent,
                client_order_id=client_order_id,
                payload_hash=payload_hash,
                tag=_new_tag(),
                stop_loss=_dec(stop_loss),
                target=_dec(target),
                stop_loss_points=_dec(stop_loss_points),
                target_points=_dec(target_points),
                trailing_stop_points=_dec(trailing_stop_points),
            )
            _event(
                order,
                EventKind.CREATED,
                actor=actor,
                to=status,
                reason="near-duplicate: waiting for confirmation" if status == S.PENDING_APPROVAL else "",
            )
            children: list[Order] = []
            if len(slices) > 1:
                for n, part in enumerate(slices, 1):
                    child = Order.objects.create(
                        **common,
                        quantity=part,
                        pending_quantity=part,
                        role=OrderRole.SLICE,
                        parent=order,
                        tag=_new_tag(),
                        status=status,
                    )
                    _event(child, EventKind.CREATED, actor=actor, to=status, reason=f"slice {n}/{len(slices)}")
                    children.append(child)
                _event(
                    order,
                    EventKind.SLICED,
                    actor=actor,
                    to=status,
                    reason=f"split into {len(slices)} orders at the freeze limit {instrument.freeze_quantity}",
                )
            if status == S.PENDING_APPROVAL:
                _alert(
                    order,
                    AlertType.APPROVAL_REQUIRED,
                    AlertLevel.WARNING,
                    f"Confirm the repeated order {transaction_type} {quantity} {instrument.tradingsymbol}: an "
                    "identical order was placed moments ago.",
                    actions=[AlertAction.APPROVE, AlertAction.REJECT],
                    expires_in=timedelta(minutes=5),
                )
            _push_order(order)
    except IntegrityError:
        if client_order_id:
            existing = _replay(user, client_order_id, payload_hash)
            if existing is not None:
                return existing
        raise
    order.replayed = False
    if submit and status == S.PENDING_SUBMIT:
        if send_now:
            order = _send(order, actor=actor)  # claimed at creation; the returned row is current
        else:
            _submit_tree(order, actor=actor, children=children)
            order.refresh_from_db()
        order.replayed = False
    return order


def _replay(user: AbstractBaseUser, client_order_id: str, payload_hash: str) -> Order | None:
    existing = Order.objects.filter(user=user, client_order_id=client_order_id).first()
    if existing is None:
        return None
    if existing.payload_hash != payload_hash:
        raise errors.IdempotencyKeyReused(
            f"The client order id {client_order_id!r} was already used for order #{existing.pk} with different "
            "contents. Use a new id for a new order.",
            details={"order_id": existing.pk},
        )
    existing.replayed = True
    return existing


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
    _slice_parent_refresh(order.pk)


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
        _slice_parent_refresh(order.parent_id)
    return order


# --- unknown outcomes -------------------------------------------------------------------------
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
        order_apply_broker_update(account=order.account, order=found, trades=trades, source="resolver")
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


# --- broker updates ---------------------------------------------------------------------------
def _find_order(account: Any, bo: BrokerOrder) -> Order | None:
    # A plain locked read: the update path uses ids; related rows load lazily on the rare paths needing them.
    qs = Order.objects.select_for_update().filter(account=account)
    if bo.tag:
        order = qs.filter(tag=bo.tag).first()
        if order is not None:
            return order
    return qs.filter(broker_order_id=bo.broker_order_id).first()


def order_apply_broker_update(
    *, account: Any, order: BrokerOrder, trades: list[BrokerTrade] | tuple = (), source: str = "broker"
) -> Order | None:
    bo = order
    actor = f"broker:{source}"
    after_commit: list = []
    with transaction.atomic():
        o = _find_order(account, bo)
        if o is None:
            logger.info("broker update for unknown order %s (tag %s) ignored", bo.broker_order_id, bo.tag)
            return None
        prior_filled = o.filled_quantity
        set_broker_id = not o.broker_order_id
        if set_broker_id:
            o.broker_order_id = bo.broker_order_id  # written with the status/fill update below
        # 1. fills, each stored once
        fills = list(trades)
        if not fills and not bo.filled_quantity and not o.filled_quantity:
            stored_qty = 0  # nothing filled anywhere (trades are stored only here, with filled_quantity)
        else:
            stored_qty = sum(Trade.objects.filter(order=o).values_list("quantity", flat=True))
        if not fills and bo.filled_quantity > stored_qty:
            # Updates without trade records (postback/ticker): one synthetic fill per increase.
            qty = bo.filled_quantity - stored_qty
            px = _synthetic_fill_price(o, bo, stored_qty)
            fills = [
                BrokerTrade(
                    trade_id=f"{bo.broker_order_id}:{bo.filled_quantity}",
                    broker_order_id=bo.broker_order_id,
                    exchange=bo.exchange,
                    tradingsymbol=bo.tradingsymbol,
                    instrument_token=bo.instrument_token,
                    transaction_type=bo.transaction_type,
                    product=bo.product,
                    quantity=qty,
                    price=px,
                    fill_timestamp=bo.exchange_timestamp or timezone.now(),
                )
            ]
        new_trades: list[Trade] = []
        for t in fills:
            if Trade.objects.filter(account=account, trade_id=t.trade_id).exists():
                continue
            try:
                with transaction.atomic():
                    trade = Trade.objects.create(
                        user_id=o.user_id,
                        account=account,
                        order=o,
                        strategy_id=o.strategy_id,
                        trade_id=t.trade_id,
                        broker_order_id=t.broker_order_id,
                        exchange=t.exchange,
                        tradingsymbol=t.tradingsymbol,
                        instrument_token=t.instrument_token,
                        transaction_type=t.transaction_type,
                        product=t.product,
                        quantity=t.quantity,
                        price=t.price,
                        fill_timestamp=t.fill_timestamp,
                    )
            except IntegrityError:
                continue  # a concurrent writer stored it
            new_trades.append(trade)
            position = _position_apply(o, trade)
            _push(o.user_id, "trade", _trade_json(trade))
            _push(o.user_id, "position", _position_json(position))
            if position.quantity == 0 or _crossed(position, trade):
                after_commit.append(("flat", position.pk))
        filled_total = stored_qty + sum(t.quantity for t in new_trades)  # the order row lock serialises writers
        # 2. status (stale snapshots change nothing)
        stale = bool(o.broker_updated_at and bo.exchange_timestamp and bo.exchange_timestamp < o.broker_updated_at)
        new_status = (
            None
            if stale
            else normalize_broker_status(
                bo.status, filled_quantity=max(bo.filled_quantity, filled_total), quantity=bo.quantity
            )
        )
        if (
            new_status is not None
            and new_status in (S.OPEN, S.TRIGGER_PENDING, S.SUBMITTED)
            and 0 < filled_total < o.quantity
        ):
            new_status = S.PARTIALLY_FILLED
        fields: dict[str, Any] = {
            "filled_quantity": max(o.filled_quantity, filled_total),
            "average_price": _avg_price(o) if new_trades else o.average_price,
            "exchange_order_id": bo.exchange_order_id or o.exchange_order_id,
        }
        if set_broker_id:
            fields["broker_order_id"] = bo.broker_order_id
        if not stale:
            fields["broker_updated_at"] = bo.exchange_timestamp or timezone.now()
            fields["cancelled_quantity"] = bo.cancelled_quantity
            if bo.status_message:
                fields["status_message"] = bo.status_message[:500]
            if bo.quantity and bo.quantity != o.quantity and o.status not in TERMINAL:
                fields["quantity"] = bo.quantity
        qty = fields.get("quantity", o.quantity)
        if new_status in TERMINAL:
            fields["pending_quantity"] = 0
        else:
            fields["pending_quantity"] = max(0, qty - fields["filled_quantity"])
        if new_status is not None and new_status != o.status and can_transition(o.status, new_status):
            kind = {
                S.COMPLETE: EventKind.FILLED,
                S.PARTIALLY_FILLED: EventKind.PARTIALLY_FILLED,
                S.CANCELLED: EventKind.CANCELLED,
                S.REJECTED: EventKind.REJECTED,
                S.EXPIRED: EventKind.EXPIRED,
            }.get(new_status, EventKind.STATUS)
            old = o.status
            if _transition(o, new_status, actor=actor, kind=kind, reason=bo.status_message or "", **fields):
                set_broker_id = False
                _status_alert(o, old)
        elif o.status not in TERMINAL and (new_trades or fields["filled_quantity"] != o.filled_quantity):
            before = _snapshot(o)
            Order.objects.filter(pk=o.pk).update(version=F("version") + 1, updated_at=timezone.now(), **fields)
            set_broker_id = False
            o.refresh_from_db()
            _event(
                o,
                EventKind.PARTIALLY_FILLED,
                actor=actor,
                before=before,
                frm=o.status,
                to=o.status,
                reason=f"filled {o.filled_quantity}/{o.quantity}",
            )
            _alert(
                o,
                AlertType.ORDER_PARTIALLY_FILLED,
                AlertLevel.INFO,
                f"Order #{o.pk}: {o.filled_quantity} of {o.quantity} {o.tradingsymbol} filled.",
            )
            _push_order(o)
        elif new_trades:
            # fills arriving after a terminal status (e.g. a late trade of a COMPLETE order)
            Order.objects.filter(pk=o.pk).update(
                filled_quantity=fields["filled_quantity"], average_price=fields["average_price"]
            )
            o.refresh_from_db()
            _push_order(o)
        if set_broker_id:  # nothing else wrote it: record the broker's id on its own
            Order.objects.filter(pk=o.pk).update(broker_order_id=bo.broker_order_id)
            o.broker_order_id = bo.broker_order_id
        delta = o.filled_quantity - prior_filled
        if delta > 0:
            after_commit.append(("filled", o.pk, delta))
        if o.status in TERMINAL and o.status != S.COMPLETE:
            after_commit.append(("exit_closed", o.pk))
        if o.parent_id and o.role == OrderRole.SLICE:
            after_commit.append(("slice", o.parent_id))
    for item in after_commit:
        transaction.on_commit(lambda item=item: _follow_up(item))
    seen = _applied_here.get()
    if seen is not None:
        seen[o.pk] = o  # for `_send` (this thread and connection see this row as current)
    return o


def _synthetic_fill_price(o: Order, bo: BrokerOrder, stored_qty: int) -> Decimal:
    """Price of the newly filled part from the cumulative average: (avg_new*F_new - avg_old*F_old)/dq."""
    dq = bo.filled_quantity - stored_qty
    old_value = sum((t.price * t.quantity for t in Trade.objects.filter(order=o)), Decimal("0"))
    px = (bo.average_price * bo.filled_quantity - old_value) / dq if dq else bo.average_price
    return px.quantize(Decimal("0.01")) if px > 0 else bo.average_price


def _avg_price(o: Order) -> Decimal:
    trades = list(Trade.objects.filter(order=o))
    qty = sum(t.quantity for t in trades)
    if not qty:
        return Decimal("0")
    return (sum((t.price * t.quantity for t in trades), Decimal("0")) / qty).quantize(Decimal("0.0001"))


def _status_alert(o: Order, old: str) -> None:
    what = f"#{o.pk} {o.transaction_type} {o.quantity} {o.tradingsymbol}"
    if o.status == S.COMPLETE:
        _alert(o, AlertType.ORDER_FILLED, AlertLevel.INFO, f"Order {what} filled at {o.average_price:.2f}.")
    elif o.status == S.PARTIALLY_FILLED:
        _alert(
            o,
            AlertType.ORDER_PARTIALLY_FILLED,
            AlertLevel.INFO,
            f"Order {what}: {o.filled_quantity} of {o.quantity} filled.",
        )
    elif o.status == S.REJECTED:
        _alert(o, AlertType.ORDER_REJECTED, AlertLevel.WARNING, f"Order {what} was rejected: {o.status_message}")
    elif o.status == S.CANCELLED:
        extra = f" ({o.filled_quantity} filled before)" if o.filled_quantity else ""
        _alert(o, AlertType.ORDER_CANCELLED, AlertLevel.INFO, f"Order {what} was cancelled{extra}.")
    elif o.status == S.EXPIRED:
        _alert(o, AlertType.ORDER_CANCELLED, AlertLevel.INFO, f"Order {what} expired at the close.")


def _crossed(position: Position, trade: Trade) -> bool:
    # The fill moved the position through zero (a reversal): bracket exits of the old side are void.
    sq = signed(trade.transaction_type, trade.quantity)
    before = position.quantity - sq
    return before != 0 and (before > 0) != (position.quantity > 0) and position.quantity != 0


def _trade_json(trade: Trade) -> dict:
    from .presenters import trade_json

    return trade_json(trade)


def _position_json(position: Position) -> dict:
    from .presenters import position_json

    return position_json(position)


# --- positions --------------------------------------------------------------------------------
def _position_apply(o: Order, trade: Trade) -> Position:
    lookup = dict(
        account_id=o.account_id,
        instrument_token=trade.instrument_token,
        product=trade.product,
        strategy_id=o.strategy_id,
    )
    position = Position.objects.select_for_update().filter(**lookup).first()
    if position is None:
        try:
            with transaction.atomic():
                position = Position.objects.create(
                    user_id=o.user_id, exchange=trade.exchange, tradingsymbol=trade.tradingsymbol, **lookup
                )
        except IntegrityError:
            position = Position.objects.select_for_update().get(**lookup)
    day = timezone.localdate(trade.fill_timestamp)
    if position.trading_day is None or position.trading_day < day:
        # A new trading day: what is open now was carried overnight.
        position.overnight_quantity = position.quantity
        position.day_buy_quantity = position.day_sell_quantity = 0
        position.trading_day = day
    state = apply_fill(
        PositionState(position.quantity, Decimal(position.average_price), Decimal(position.realized_pnl)),
        signed(trade.transaction_type, trade.quantity),
        trade.price,
    )
    position.quantity = state.quantity
    position.average_price = state.average_price.quantize(Decimal("0.0001"))
    position.realized_pnl = state.realized.quantize(Decimal("0.01"))
    if trade.transaction_type == "BUY":
        position.buy_quantity += trade.quantity
        position.buy_value += trade.price * trade.quantity
        position.day_buy_quantity += trade.quantity
    else:
        position.sell_quantity += trade.quantity
        position.sell_value += trade.price * trade.quantity
        position.day_sell_quantity += trade.quantity
    position.last_price = trade.price
    position.save()
    return position


# --- follow-ups after commit (brackets, OCO, orphan cleanup, slice parents) ----------------------
def _follow_up(item: tuple) -> None:
    try:
        kind = item[0]
        if kind == "filled":
            _on_fill(item[1], item[2])
        elif kind == "flat":
            _on_position_flat(item[1])
        elif kind == "exit_closed":
            pass
        elif kind == "slice":
            _slice_parent_refresh(item[1])
    except Exception:
        logger.exception("order follow-up %s failed", item)


def _bracket_prices(entry: Order, fill_price: Decimal) -> tuple[Decimal | None, Decimal | None]:
    buy = entry.transaction_type == "BUY"
    sl, tgt = entry.stop_loss, entry.target
    if sl is None and entry.stop_loss_points:
        sl = fill_price - entry.stop_loss_points if buy else fill_price + entry.stop_loss_points
    if tgt is None and entry.target_points:
        tgt = fill_price + entry.target_points if buy else fill_price - entry.target_points
    tick = _tick(entry)
    if sl is not None:
        sl = _to_tick(sl, tick, ROUND_FLOOR if buy else ROUND_CEILING)
    if tgt is not None:
        tgt = _to_tick(tgt, tick, ROUND_CEILING if buy else ROUND_FLOOR)
    return sl, tgt


def _tick(order: Order) -> Decimal:
    try:
        return Decimal(market.instrument_by_token(order.instrument_token).tick_size)
    except errors.InstrumentNotFound:
        return Decimal("0.05")


def _to_tick(v: Decimal, tick: Decimal, rounding: str) -> Decimal:
    return ((v / tick).to_integral_value(rounding=rounding) * tick).quantize(Decimal("0.01"))


def _on_fill(order_id: int, delta: int) -> None:
    o = Order.objects.select_related("user", "account", "strategy").get(pk=order_id)
    if o.role == OrderRole.ENTRY and (o.stop_loss or o.target or o.stop_loss_points or o.target_points):
        _place_bracket_exits(o, delta)
    elif o.role in (OrderRole.STOP_LOSS, OrderRole.TARGET) and o.oco_sibling_id:
        _oco_adjust(o, delta)
    elif o.role in (OrderRole.STOP_LOSS, OrderRole.TARGET):
        sib = Order.objects.filter(oco_sibling=o).first()
        if sib is not None:
            _oco_adjust(o, delta, sibling=sib)


def _place_bracket_exits(entry: Order, qty: int) -> None:
    sl, tgt = _bracket_prices(entry, Decimal(entry.average_price))
    exit_side = opposite(entry.transaction_type)
    actor = "system:bracket"
    placed: list[Order] = []
    common = dict(
        user=entry.user,
        account_id=entry.account_id,
        instrument_token=entry.instrument_token,
        transaction_type=exit_side,
        quantity=qty,
        product=entry.product,
        strategy_id=entry.strategy_id,
        actor=actor,
        parent=entry,
        auto_slice=True,
    )
    for role, kwargs in (
        (OrderRole.STOP_LOSS, {"order_type": OrderType.SLM, "trigger_price": sl}),
        (OrderRole.TARGET, {"order_type": OrderType.LIMIT, "price": tgt}),
    ):
        if (role == OrderRole.STOP_LOSS and sl is None) or (role == OrderRole.TARGET and tgt is None):
            continue
        try:
            placed.append(order_place(role=role, **common, **kwargs))
        except Exception as exc:
            logger.warning("bracket %s for order %s not placed: %s", role, entry.pk, exc)
            with transaction.atomic():
                _event(
                    entry,
                    EventKind.BRACKET_PLACED,
                    actor=actor,
                    frm=entry.status,
                    to=entry.status,
                    reason=f"{role} not placed: {exc}",
                )
    if len(placed) == 2:
        a, b = placed
        Order.objects.filter(pk=a.pk).update(oco_sibling=b)
        Order.objects.filter(pk=b.pk).update(oco_sibling=a)
    with transaction.atomic():
        _event(
            entry,
            EventKind.BRACKET_PLACED,
            actor=actor,
            frm=entry.status,
            to=entry.status,
            reason=f"exits for {qty}: " + ", ".join(f"{p.role} #{p.pk} {p.status}" for p in placed),
        )
    # Exits placed after the fill may be cancelled already (OCO) — nothing else to do.


def _oco_adjust(exit_order: Order, delta: int, sibling: Order | None = None) -> None:
    sib = sibling or Order.objects.get(pk=exit_order.oco_sibling_id)
    sib.refresh_from_db()
    if sib.status in TERMINAL:
        return
    actor = "system:oco"
    if exit_order.status == S.COMPLETE or sib.quantity - delta <= sib.filled_quantity:
        _cancel(sib, actor=actor, reason=f"OCO: {exit_order.role} #{exit_order.pk} filled")
    else:
        try:
            _modify(sib, quantity=sib.quantity - delta, actor=actor, reason=f"OCO: {exit_order.role} filled {delta}")
        except Exception as exc:
            logger.warning("OCO reduce of %s failed: %s", sib.pk, exc)


def _on_position_flat(position_id: int) -> None:
    position = Position.objects.select_related("strategy").filter(pk=position_id).first()
    if position is None:
        return
    if position.strategy is not None and position.strategy.allow_orphaned_orders:
        return
    exits = Order.objects.filter(
        account_id=position.account_id,
        instrument_token=position.instrument_token,
        product=position.product,
        strategy=position.strategy,
        role__in=[OrderRole.STOP_LOSS, OrderRole.TARGET],
        status__in=[*WORKING, S.PENDING_SUBMIT, S.PENDING_APPROVAL],
    )
    for ex in exits:
        # After a reversal, keep exits that protect the new side.
        if position.quantity != 0 and ex.transaction_type != ("SELL" if position.quantity > 0 else "BUY"):
            pass
        elif position.quantity != 0:
            continue
        _cancel(ex, actor="system:bracket", reason="the position was closed; linked exit cancelled")


def _slice_parent_refresh(parent_id: int) -> None:
    with transaction.atomic():
        parent = Order.objects.select_for_update().get(pk=parent_id)
        kids = list(Order.objects.filter(parent_id=parent_id, role=OrderRole.SLICE))
        if not kids:
            return
        filled = sum(k.filled_quantity for k in kids)
        value = sum((k.average_price * k.filled_quantity for k in kids), Decimal("0"))
        statuses = {k.status for k in kids}
        if statuses <= {S.COMPLETE}:
            target = S.COMPLETE
        elif statuses <= TERMINAL:
            target = (
                S.REJECTED
                if statuses == {S.REJECTED}
                else S.EXPIRED
                if statuses <= {S.EXPIRED, S.COMPLETE} and S.EXPIRED in statuses
                else S.CANCELLED
            )
        elif filled:
            target = S.PARTIALLY_FILLED
        elif statuses & {S.UNKNOWN}:
            target = S.UNKNOWN
        elif statuses & {S.OPEN, S.TRIGGER_PENDING, S.SUBMITTED}:
            target = S.OPEN
        else:
            target = parent.status
        fields = {
            "filled_quantity": filled,
            "average_price": (value / filled).quantize(Decimal("0.0001")) if filled else 0,
            "pending_quantity": max(0, parent.quantity - filled) if target not in TERMINAL else 0,
        }
        if target != parent.status and can_transition(parent.status, target):
            _transition(parent, target, actor="system:slices", kind=EventKind.STATUS, reason="slices updated", **fields)
        else:
            Order.objects.filter(pk=parent.pk).update(**fields)
            parent.refresh_from_db()
            _push_order(parent)


# --- modify / cancel --------------------------------------------------------------------------
def _owned(user: AbstractBaseUser, order_id: int) -> Order:
    try:
        return Order.objects.select_related("account", "user").get(pk=order_id, user=user)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise errors.OrderNotFound() from None


def order_modify(
    *,
    user: AbstractBaseUser,
    order_id: int,
    quantity: int | None = None,
    price: Any = None,
    trigger_price: Any = None,
    order_type: str | None = None,
    validity: str | None = None,
    actor: str = "",
) -> Order:
    order = _owned(user, order_id)
    return _modify(
        order,
        quantity=quantity,
        price=_dec(price),
        trigger_price=_dec(trigger_price),
        order_type=order_type,
        validity=validity,
        actor=actor or f"user:{user.pk}",
    )


def _modify(
    order: Order,
    *,
    quantity: int | None = None,
    price: Decimal | None = None,
    trigger_price: Decimal | None = None,
    order_type: str | None = None,
    validity: str | None = None,
    actor: str,
    reason: str = "",
) -> Order:
    changes = {
        k: v
        for k, v in {
            "quantity": quantity,
            "price": price,
            "trigger_price": trigger_price,
            "order_type": order_type,
            "validity": validity,
        }.items()
        if v is not None
    }
    if not changes:
        raise errors.InvalidOrderField(
            "Nothing to change: give quantity, price, trigger_price, order_type or validity."
        )
    if order.children.filter(role=OrderRole.SLICE).exists():
        raise errors.OrderNotModifiable("A sliced order is modified through its slices.")
    if order.status in TERMINAL or order.status in (S.UNKNOWN, S.CANCEL_PENDING):
        raise errors.OrderNotModifiable(f"Order #{order.pk} is {order.status}; it can no longer be modified.")
    if order.modification_count >= MAX_MODIFICATIONS:
        raise errors.ModificationLimitReached(
            details={"modifications": order.modification_count, "limit": MAX_MODIFICATIONS}
        )
    # Re-validate the changed order against the instrument.
    instrument = market.instrument_by_token(order.instrument_token)
    new = {
        f: changes.get(f, getattr(order, f)) for f in ("quantity", "price", "trigger_price", "order_type", "validity")
    }
    draft = validation.OrderDraft(
        transaction_type=order.transaction_type,
        quantity=int(new["quantity"]),
        product=order.product,
        order_type=new["order_type"],
        validity=new["validity"],
        price=new["price"],
        trigger_price=new["trigger_price"],
        validity_ttl=order.validity_ttl,
        market_protection=order.market_protection or (-1 if new["order_type"] in ("MARKET", "SL-M") else None),
    )
    facts = replace(market.facts(instrument, market.quote(instrument)), last_price=None)
    validation.check_enums(draft)
    validation.check_quantity(draft, facts)
    validation.check_prices(draft, facts)
    if int(new["quantity"]) <= order.filled_quantity:
        raise errors.InvalidQuantity(f"Quantity must stay above the {order.filled_quantity} already filled.")
    before = _snapshot(order)
    if order.status in (S.PENDING_APPROVAL,) or (order.status == S.PENDING_SUBMIT and order.submitted_at is None):
        with transaction.atomic():
            n = Order.objects.filter(pk=order.pk, version=order.version, status=order.status).update(
                version=F("version") + 1,
                modification_count=F("modification_count") + 1,
                **changes,
                pending_quantity=int(new["quantity"]) - order.filled_quantity,
            )
            if not n:
                raise errors.OrderNotModifiable("The order changed meanwhile; reload and try again.")
            order.refresh_from_db()
            _event(
                order,
                EventKind.MODIFIED,
                actor=actor,
                before=before,
                frm=order.status,
                to=order.status,
                reason=reason or "modified before sending",
            )
            _push_order(order)
        return order
    rate_limit.acquire(order.account_id)
    with transaction.atomic():
        n = Order.objects.filter(pk=order.pk, version=order.version, modification_count__lt=MAX_MODIFICATIONS).update(
            version=F("version") + 1, modification_count=F("modification_count") + 1
        )
        if not n:
            raise errors.OrderNotModifiable("The order changed meanwhile; reload and try again.")
        order.refresh_from_db()
        _event(
            order,
            EventKind.MODIFY_REQUESTED,
            actor=actor,
            before=before,
            frm=order.status,
            to=order.status,
            reason=reason or json.dumps({k: _s(v) for k, v in changes.items()}),
        )
    broker = broker_for(order.account)
    try:
        broker.modify_order(order.broker_order_id, **changes, variety=order.variety)
    except BrokerRejected as exc:
        with transaction.atomic():
            _event(
                order,
                EventKind.MODIFY_REQUESTED,
                actor=actor,
                frm=order.status,
                to=order.status,
                reason=f"refused by the broker: {exc.message}",
            )
        raise errors.BrokerRefused(f"The broker refused the change: {exc.message}") from None
    except (BrokerUnavailable, BrokerRateLimited) as exc:
        raise errors.BrokerNotReachable(f"The change was not sent: {exc.message}") from None
    except BrokerError as exc:
        raise errors.BrokerNotReachable(
            f"The broker did not confirm the change: {exc.message}. Check the order before retrying."
        ) from None
    with transaction.atomic():
        order.refresh_from_db()
        fields = {k: v for k, v in changes.items()}
        if "quantity" in changes:
            fields["pending_quantity"] = max(0, int(changes["quantity"]) - order.filled_quantity)
        Order.objects.filter(pk=order.pk).update(version=F("version") + 1, **fields)
        order.refresh_from_db()
        _event(
            order,
            EventKind.MODIFIED,
            actor=actor,
            before=before,
            frm=order.status,
            to=order.status,
            reason=reason or "accepted by the broker",
        )
        _push_order(order)
    return order


def order_cancel(*, user: AbstractBaseUser, order_id: int, actor: str = "") -> Order:
    order = _owned(user, order_id)
    return _cancel(order, actor=actor or f"user:{user.pk}", reason="cancelled by the user")


def _cancel(order: Order, *, actor: str, reason: str = "") -> Order:
    order.refresh_from_db()
    kids = list(order.children.filter(role=OrderRole.SLICE))
    if kids:
        for k in kids:
            if k.status not in TERMINAL:
                try:
                    _cancel(k, actor=actor, reason=reason)
                except errors.OrderNotCancellable:
                    pass
        _slice_parent_refresh(order.pk)
        order.refresh_from_db()
        return order
    if order.status in TERMINAL or order.status == S.UNKNOWN:
        raise errors.OrderNotCancellable(f"Order #{order.pk} is {order.status}; it cannot be cancelled.")
    if order.status == S.PENDING_APPROVAL or (order.status == S.PENDING_SUBMIT and order.submitted_at is None):
        with transaction.atomic():
            if not _transition(
                order,
                S.CANCELLED,
                actor=actor,
                kind=EventKind.CANCELLED,
                reason=reason,
                pending_quantity=0,
                cancelled_quantity=order.quantity - order.filled_quantity,
            ):
                raise errors.OrderNotCancellable("The order changed meanwhile; reload and try again.")
        return order
    if not order.broker_order_id:
        raise errors.OrderNotCancellable("The order is being sent; cancel it once the broker has it.")
    with transaction.atomic():
        _event(order, EventKind.CANCEL_REQUESTED, actor=actor, frm=order.status, to=order.status, reason=reason)
    try:
        broker_for(order.account).cancel_order(order.broker_order_id, variety=order.variety)
    except BrokerRejected as exc:
        order.refresh_from_db()
        if order.status in TERMINAL:
            return order
        raise errors.OrderNotCancellable(f"The broker refused the cancel: {exc.message}") from None
    except (BrokerUnavailable, BrokerRateLimited) as exc:
        raise errors.BrokerNotReachable(f"The cancel was not sent: {exc.message}") from None
    except BrokerError as exc:
        raise errors.BrokerNotReachable(f"The broker did not confirm the cancel: {exc.message}") from None
    order.refresh_from_db()
    if order.status not in TERMINAL:
        with transaction.atomic():
            _transition(
                order,
                S.CANCEL_PENDING,
                actor=actor,
                kind=EventKind.CANCEL_REQUESTED,
                reason="cancel accepted by the broker",
            )
    return order


def orders_cancel_all(
    *, user: AbstractBaseUser, account_id: int | None = None, strategy_id: int | None = None, actor: str = ""
) -> list[Order]:
    qs = Order.objects.filter(
        user=user, status__in=[*WORKING, S.PENDING_APPROVAL, S.PENDING_SUBMIT], children__isnull=True
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    out = []
    for order in qs.order_by("id"):
        try:
            out.append(_cancel(order, actor=actor or f"user:{user.pk}", reason="cancel all"))
        except errors.OrderNotCancellable:
            continue
    return out


# --- approval ---------------------------------------------------------------------------------
def order_approve(*, user: AbstractBaseUser, order_id: int, actor: str = "") -> Order:
    order = _owned(user, order_id)
    actor = actor or f"user:{user.pk}"
    with transaction.atomic():
        if order.status != S.PENDING_APPROVAL or not _transition(
            order, S.PENDING_SUBMIT, actor=actor, kind=EventKind.APPROVED, reason="confirmed by the user"
        ):
            raise errors.OrderNotPendingApproval()
        Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL).update(
            status=S.PENDING_SUBMIT, version=F("version") + 1
        )
    rate_limit.acquire(order.account_id)
    transaction.on_commit(lambda: _submit_tree(order, actor=actor))
    return order


def order_reject(*, user: AbstractBaseUser, order_id: int, actor: str = "", reason: str = "not confirmed") -> Order:
    order = _owned(user, order_id)
    with transaction.atomic():
        if order.status != S.PENDING_APPROVAL:
            raise errors.OrderNotPendingApproval()
        _transition(
            order,
            S.CANCELLED,
            actor=actor or f"user:{user.pk}",
            kind=EventKind.CANCELLED,
            reason=reason,
            pending_quantity=0,
            cancelled_quantity=order.quantity,
        )
        for kid in Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL):
            _transition(
                kid,
                S.CANCELLED,
                actor=actor or SYSTEM,
                kind=EventKind.CANCELLED,
                reason=reason,
                pending_quantity=0,
                cancelled_quantity=kid.quantity,
            )
    return order


def approval_alert_handler(alert: Any, action: str, actor: str) -> None:
    """Registered for APPROVAL_REQUIRED alerts: Approve submits the order, Reject/expiry cancels it."""
    links, payload = alert.links or {}, alert.payload or {}
    if payload.get("source") != "orders" or "order_id" not in links:
        return
    order = Order.objects.filter(pk=links["order_id"], user_id=alert.user_id).select_related("user").first()
    if order is None or order.status != S.PENDING_APPROVAL:
        return
    if action == AlertAction.APPROVE:
        order_approve(user=order.user, order_id=order.pk, actor=actor)
    else:
        order_reject(
            user=order.user,
            order_id=order.pk,
            actor=actor,
            reason="not confirmed" if action != "EXPIRED" else "confirmation expired",
        )


# --- positions --------------------------------------------------------------------------------
def position_exit(*, user: AbstractBaseUser, position_id: int, actor: str = "") -> Order:
    position = Position.objects.filter(pk=position_id, user=user).first()
    if position is None:
        raise errors.PositionNotFound()
    if position.quantity == 0:
        raise errors.NothingToExit()
    return order_place(
        user=user,
        account_id=position.account_id,
        instrument_token=position.instrument_token,
        transaction_type="SELL" if position.quantity > 0 else "BUY",
        quantity=abs(position.quantity),
        product=position.product,
        order_type=OrderType.MARKET,
        strategy_id=position.strategy_id,
        role=OrderRole.EXIT,
        auto_slice=True,
        confirm_duplicate=True,
        actor=actor or f"user:{user.pk}",
    )


# --- matcher step: paper matching, trailing stops, unknown outcomes ----------------------------
def paper_match_all(at: datetime | None = None) -> int:
    from accounts.models import TradingAccount

    from .brokers.paper.broker import PaperBroker
    from .brokers.paper.models import PaperVenueOrder
    from .brokers.paper.venue import WORKING as VENUE_WORKING
    from .brokers.paper.venue import match_orders

    at = at or timezone.now()
    refs = set(PaperVenueOrder.objects.filter(status__in=VENUE_WORKING).values_list("account_ref", flat=True))
    venues = {}
    for ref in refs:
        try:
            account = TradingAccount.objects.get(pk=int(ref.split(":", 1)[1]))
        except (TradingAccount.DoesNotExist, ValueError, IndexError):
            continue
        venues[ref] = PaperBroker(account).venue
    qs = PaperVenueOrder.objects.filter(status__in=VENUE_WORKING, account_ref__in=list(venues))
    return match_orders(qs, at, venue_for=venues.__getitem__)


def orders_trail_stops(at: datetime | None = None) -> int:
    """Trailing stop-loss by points: move working STOP_LOSS exits behind the market (never back)."""
    n = 0
    exits = Order.objects.filter(
        role=OrderRole.STOP_LOSS,
        status__in=[S.TRIGGER_PENDING, S.OPEN, S.SUBMITTED],
        parent__trailing_stop_points__isnull=False,
        modification_count__lt=MAX_MODIFICATIONS,
    ).select_related("parent", "account", "user")
    for ex in exits:
        points = ex.parent.trailing_stop_points
        try:
            instrument = market.instrument_by_token(ex.instrument_token)
        except errors.InstrumentNotFound:
            continue
        ltp = market.last_price(instrument, at)
        if ltp is None or ex.trigger_price is None:
            continue
        tick = Decimal(instrument.tick_size)
        if ex.transaction_type == "SELL":  # protects a long
            desired = _to_tick(ltp - points, tick, ROUND_FLOOR)
            better = desired > ex.trigger_price
        else:
            desired = _to_tick(ltp + points, tick, ROUND_CEILING)
            better = desired < ex.trigger_price
        if not better:
            continue
        try:
            _modify(ex, trigger_price=desired, actor="system:trailing", reason=f"trailing stop to {desired}")
            n += 1
        except Exception as exc:
            logger.info("trailing stop %s not moved: %s", ex.pk, exc)
    return n


# --- strategies and preferences ---------------------------------------------------------------
STRATEGY_FIELDS = tuple(STRATEGY_PRESETS["conservative"].keys())


def strategy_create(
    *, user: AbstractBaseUser, name: str, account_id: int | None = None, preset: str = "conservative", **overrides: Any
) -> Strategy:
    account = account_resolve(user=user, account_id=account_id)
    if preset not in STRATEGY_PRESETS:
        raise errors.InvalidOrderField(f"preset must be one of {', '.join(STRATEGY_PRESETS)}.")
    values = {**STRATEGY_PRESETS[preset], **{k: v for k, v in overrides.items() if k in STRATEGY_FIELDS}}
    values = {k: (Decimal(v) if isinstance(v, str) else v) for k, v in values.items()}
    try:
        with transaction.atomic():
            return Strategy.objects.create(user=user, account=account, name=name, preset=preset, **values)
    except IntegrityError:
        raise errors.InvalidOrderField("You already have a strategy with this name.") from None


def strategy_update(*, user: AbstractBaseUser, strategy_id: int, **fields: Any) -> Strategy:
    strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
    if strategy is None:
        raise errors.StrategyNotFound()
    for k, v in fields.items():
        if k in STRATEGY_FIELDS or k in ("name", "is_active"):
            setattr(strategy, k, v)
    strategy.save()
    return strategy


def preferences_update(
    *,
    user: AbstractBaseUser,
    duplicate_window_seconds: Any = None,
    duplicate_action: str | None = None,
    auto_slice: bool | None = None,
) -> OrderPreferences:
    prefs = preferences_for(user)
    if duplicate_window_seconds is not None:
        prefs.duplicate_window_seconds = Decimal(str(duplicate_window_seconds))
    if duplicate_action is not None:
        if duplicate_action not in OrderPreferences.DuplicateAction.values:
            raise errors.InvalidOrderField("duplicate_action must be REFUSE or CONFIRM.")
        prefs.duplicate_action = duplicate_action
    if auto_slice is not None:
        prefs.auto_slice = auto_slice
    prefs.save()
    return prefs


__all__ = [
    name for name in dir() if name.startswith(("order", "orders", "position", "paper", "strategy", "preferences"))
]
_ = settings  # settings names used by rate_limit are documented there
