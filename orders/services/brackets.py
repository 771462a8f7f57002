"""Follow-ups after a fill or a status change: bracket exits (SL/target), OCO, orphaned exits when a
position closes, slice parents; trailing stops."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.db import transaction

from oms_project.lib.pretrade import AlgoParams, OrderIntent
from portfolio.events import PositionClosed
from portfolio.models import Position

from .. import errors, market, orphan_policy, rate_limit, trading_rules
from ..domain import (
    MAX_MODIFICATIONS,
    TERMINAL,
    WORKING,
    EventKind,
    OrderRole,
    OrderType,
    can_transition,
    opposite,
)
from ..events import OrderFilled, OrderUpdated
from ..models import Order
from . import order_changes, placement, submission
from ._common import S, _event, _push_order, _tick, _to_tick, _transition, logger


def on_order_filled(event: OrderFilled) -> None:
    """Subscriber of orders.filled: an entry's bracket exits for what filled; an exit's OCO sibling reduced."""
    _on_fill(event.order_id, event.quantity)


def on_position_closed(event: PositionClosed) -> None:
    """Subscriber of portfolio.position_closed: the position went flat (or reversed), so the bracket exits
    left protecting the closed side are cancelled, unless its strategy allows orphaned orders."""
    _on_position_flat(event.position_id)


def on_slice_updated(event: OrderUpdated) -> None:
    """Subscriber of orders.updated: a slice changed, so its parent re-reads its slices (status, fills)."""
    if event.role == OrderRole.SLICE and event.parent_id:
        _slice_parent_refresh(event.parent_id)


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


def _stop_leg(entry: Order, trigger: Decimal, side: str) -> dict:
    """The stop exit's order type and prices: SL-M, or where the exchange refuses SL-M (options, BSE:
    trading_rules.slm_refused) an SL whose limit is the trigger moved by the documented buffer
    (trading_rules.OPTION_STOP_LIMIT_BUFFER, docs/exchange-rules.md), inside today's band."""
    try:
        instrument = market.instrument_by_token(entry.instrument_token)
    except errors.InstrumentNotFound:
        return {"order_type": OrderType.SLM, "trigger_price": trigger}
    if not trading_rules.slm_refused(instrument_type=instrument.instrument_type, exchange=instrument.exchange):
        return {"order_type": OrderType.SLM, "trigger_price": trigger}
    q = market.quote(instrument)
    price = trading_rules.stop_limit_price(
        trigger,
        side=side,
        tick=Decimal(instrument.tick_size),
        lower=q.lower_circuit_limit if q is not None else None,
        upper=q.upper_circuit_limit if q is not None else None,
    )
    return {"order_type": OrderType.SL, "trigger_price": trigger, "price": price}


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
    """Both exits are created first (not sent), linked as OCO siblings, and only then sent, the stop first:
    a leg that fills the moment it reaches the broker finds its sibling already linked (and, still unsent,
    the sibling is cancelled here before it goes out). Never both legs live without the link."""
    sl, tgt = _bracket_prices(entry, Decimal(entry.average_price))
    exit_side = opposite(entry.transaction_type)
    actor = "system:bracket"
    placed: list[Order] = []
    common = dict(
        user_id=entry.user_id,
        account_id=entry.account_id,
        instrument_token=entry.instrument_token,
        transaction_type=exit_side,
        quantity=qty,
        product=entry.product,
        strategy_id=entry.strategy_id,
        actor=actor,
        parent_id=entry.pk,
        algo=AlgoParams(auto_slice=True),
    )
    for role, kwargs in (
        (OrderRole.STOP_LOSS, _stop_leg(entry, sl, exit_side) if sl is not None else {}),
        (OrderRole.TARGET, {"order_type": OrderType.LIMIT, "price": tgt}),
    ):
        if (role == OrderRole.STOP_LOSS and sl is None) or (role == OrderRole.TARGET and tgt is None):
            continue
        try:
            intent = OrderIntent(role=role, **common, **kwargs)
            placed.append(placement.order_place(intent, user=entry.user, submit=False))
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
    sent: list[Order] = []
    for leg in placed:
        leg.refresh_from_db()
        if leg.status != S.PENDING_SUBMIT or leg.submitted_at is not None:
            sent.append(leg)  # cancelled meanwhile (its sibling filled, or the position closed)
            continue
        if any(other.filled_quantity >= leg.quantity for other in sent):
            # The sibling already filled in full as it was sent: this leg must never go out.
            order_changes._cancel(leg, actor="system:oco", reason="OCO: the other exit filled before this was sent")
            leg.refresh_from_db()
            sent.append(leg)
            continue
        try:
            rate_limit.acquire(leg.account_id, new_order=True)
            submission._submit_tree(leg, actor=actor)
        except Exception as exc:
            logger.warning("bracket %s #%s for order %s not sent: %s", leg.role, leg.pk, entry.pk, exc)
        leg.refresh_from_db()
        sent.append(leg)
    with transaction.atomic():
        _event(
            entry,
            EventKind.BRACKET_PLACED,
            actor=actor,
            frm=entry.status,
            to=entry.status,
            reason=f"exits for {qty}: " + ", ".join(f"{p.role} #{p.pk} {p.status}" for p in sent),
        )


def _oco_adjust(exit_order: Order, delta: int, sibling: Order | None = None) -> None:
    sib = sibling or Order.objects.get(pk=exit_order.oco_sibling_id)
    sib.refresh_from_db()
    if sib.status in TERMINAL:
        return
    actor = "system:oco"
    if exit_order.status == S.COMPLETE or sib.quantity - delta <= sib.filled_quantity:
        order_changes._cancel(sib, actor=actor, reason=f"OCO: {exit_order.role} #{exit_order.pk} filled")
    else:
        try:
            order_changes._modify(
                sib, quantity=sib.quantity - delta, actor=actor, reason=f"OCO: {exit_order.role} filled {delta}"
            )
        except Exception as exc:
            logger.warning("OCO reduce of %s failed: %s", sib.pk, exc)


def _on_position_flat(position_id: int) -> None:
    position = Position.objects.select_related("strategy").filter(pk=position_id).first()
    if position is None:
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
        if not orphan_policy.decide(position.strategy, ex.role).cancel:
            continue  # kept by the strategy's settings; housekeeping flags and lists it
        order_changes._cancel(ex, actor="system:bracket", reason="the position was closed; linked exit cancelled")


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
        limit = None
        if ex.order_type == OrderType.SL:  # a stop-limit (options): its limit moves with the trigger
            q = market.quote(instrument, at)
            limit = trading_rules.stop_limit_price(
                desired,
                side=ex.transaction_type,
                tick=tick,
                lower=q.lower_circuit_limit if q is not None else None,
                upper=q.upper_circuit_limit if q is not None else None,
            )
        try:
            order_changes._modify(
                ex, trigger_price=desired, price=limit, actor="system:trailing", reason=f"trailing stop to {desired}"
            )
            n += 1
        except Exception as exc:
            logger.info("trailing stop %s not moved: %s", ex.pk, exc)
    return n
