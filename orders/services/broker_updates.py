"""Applying the broker's view of an order (paper venue, Kite postbacks/ticker, the resolver): fills stored
once, positions, status, audit events, alerts and pushes in one transaction; follow-ups after commit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.types import AlertLevel, AlertType
from oms_project.lib import events
from oms_project.lib.brokers import (
    BrokerOrder,
    BrokerTrade,
)
from portfolio import selectors as portfolio_selectors
from portfolio import services as portfolio_services
from portfolio.models import Position, Trade

from ..domain import (
    TERMINAL,
    EventKind,
    can_transition,
    normalize_broker_status,
)
from ..events import OrderFilled, fact_fields
from ..models import Order
from ._common import S, _alert, _event, _push, _push_order, _snapshot, _transition, logger


def _find_order(account: Any, bo: BrokerOrder) -> Order | None:
    # A plain locked read: the update path uses ids; related rows load lazily on the rare paths needing them.
    qs = Order.objects.select_for_update().filter(account=account)
    if bo.tag:
        found = list(qs.filter(tag=bo.tag).order_by()[:1])  # tags are unique: no ordering needed
        if found:
            return found[0]
    return qs.filter(broker_order_id=bo.broker_order_id).first()


def _held_unfilled(held: Order | None, bo: BrokerOrder, trades: Any) -> bool:
    """`held` (the caller's copy of the order this report is about) may stand in for the locked read: nothing
    filled anywhere, so no fill is stored and the status is written by the conditional (status, version) UPDATE."""
    return (
        held is not None
        and bool(bo.tag)
        and held.tag == bo.tag
        and not trades
        and not bo.filled_quantity
        and not held.filled_quantity
    )


def order_apply_broker_update(
    *,
    account: Any,
    order: BrokerOrder,
    trades: list[BrokerTrade] | tuple = (),
    source: str = "broker",
    held: Order | None = None,
) -> Order | None:
    """Apply one broker report. `held`: the caller's current copy of the order (submission, right after the
    venue answered); an unfilled report then needs no locked read, and if the row moved meanwhile (the
    conditional UPDATE is refused) the report is applied again the usual way, under the row lock."""
    bo = order
    actor = f"broker:{source}"
    on_held = _held_unfilled(held, bo, trades)
    with transaction.atomic():
        o = held if on_held else _find_order(account, bo)
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
            stored: list[tuple[int, Decimal]] = []  # nothing filled anywhere (trades are stored only here)
        else:
            stored = portfolio_selectors.order_fills(order_id=o.pk)  # read once: the average below uses it too
        stored_qty = sum(q for q, _ in stored)
        if not fills and bo.filled_quantity > stored_qty:
            # Updates without trade records (postback/ticker): one synthetic fill per increase.
            qty = bo.filled_quantity - stored_qty
            px = _synthetic_fill_price(bo, stored, stored_qty)
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
            # Stored once by trade id and booked into its position by the portfolio (which publishes the
            # position events after commit: a closed position's bracket exits are cancelled by a subscriber).
            booked = portfolio_services.fill_record(account=account, order=o, fill=t)
            if booked is None:
                continue  # stored before (a replay, or a concurrent writer)
            new_trades.append(booked.trade)
            _push(o.user_id, "trade", _trade_json(booked.trade))
            _push(o.user_id, "position", _position_json(booked.position))
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
            "average_price": (
                _avg_price([*stored, *((t.quantity, Decimal(t.price)) for t in new_trades)])
                if new_trades
                else o.average_price
            ),
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
        if new_trades and fields["filled_quantity"] > prior_filled:
            # Published before the status change below, so a subscriber hears "filled" before "terminal".
            _publish_filled(o, new_trades, fields["filled_quantity"] - prior_filled, fields["filled_quantity"])
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
            elif on_held:  # the copy was stale (the row moved since it was read): again, under the row lock
                return order_apply_broker_update(account=account, order=bo, trades=trades, source=source)
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
    return o


def order_apply_executions(*, account: Any, executions: Any, source: str, held: Order | None = None) -> list[Order]:
    """A synchronous broker's reports (a request's `BrokerReport.executions`, the paper matcher's changes),
    in the order they happened, through the same idempotent path as postbacks (`held`: see
    order_apply_broker_update)."""
    applied = []
    for execution in executions:
        o = order_apply_broker_update(
            account=account, order=execution.order, trades=execution.trades, source=source, held=held
        )
        if o is not None:
            applied.append(o)
    return applied


def _publish_filled(o: Order, new_trades: list[Trade], delta: int, filled_total: int) -> None:
    """One orders.filled per update (a MARKET order walking three levels is one fill event of its total, at
    its VWAP), so a bracket places one pair of exits for what filled."""
    qty = sum(t.quantity for t in new_trades)
    vwap = sum((t.price * t.quantity for t in new_trades), Decimal(0)) / qty
    last = new_trades[-1]
    events.publish(
        OrderFilled(
            **fact_fields(o),
            trade_id=",".join(t.trade_id for t in new_trades),
            transaction_type=o.transaction_type,
            quantity=delta,
            price=vwap,
            filled_quantity=filled_total,
            fill_timestamp=last.fill_timestamp,
        )
    )


def _synthetic_fill_price(bo: BrokerOrder, stored: list[tuple[int, Decimal]], stored_qty: int) -> Decimal:
    """Price of the newly filled part from the cumulative average: (avg_new*F_new - avg_old*F_old)/dq."""
    dq = bo.filled_quantity - stored_qty
    old_value = sum((p * q for q, p in stored), Decimal("0"))
    px = (bo.average_price * bo.filled_quantity - old_value) / dq if dq else bo.average_price
    return px.quantize(Decimal("0.01")) if px > 0 else bo.average_price


def _avg_price(fills: list[tuple[int, Decimal]]) -> Decimal:
    """The order's average over every stored fill (quantity, price)."""
    qty = sum(q for q, _ in fills)
    if not qty:
        return Decimal("0")
    return (sum((p * q for q, p in fills), Decimal("0")) / qty).quantize(Decimal("0.0001"))


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


def _trade_json(trade: Trade) -> dict:
    from ..presenters import trade_json

    return trade_json(trade)


def _position_json(position: Position) -> dict:
    from ..presenters import position_json

    return position_json(position)
