"""Execution advice writes (issue #11): the analysis stored with each order (in the placement transaction),
the guard's alerts and their answers, and the slippage of every fill (an `orders.filled` subscriber).

    analysis_record(order, advice)          OrderExecutionAnalysis for a new order (placement calls it)
    guard_alert(order, advice, park=None)    the WIDE_SPREAD / HIGH_IMPACT alert of a converted, parked or
                                             allowed order (with Cancel / Use LIMIT / Proceed anyway when parked)
    guard_alert_handler(alert, action, actor)  the answer: Proceed anyway -> approve, Use LIMIT -> re-price as
                                             LIMIT at the recommended price then approve, Cancel/expiry -> reject
    on_order_filled(event)                   OrderSlippageHistory, once per (order, trade id)
"""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import services as alert_services
from alerts.types import AlertAction, AlertLevel

from ..domain import EventKind, OrderRole, OrderStatus, OrderType
from ..models import Order, OrderExecutionAnalysis, OrderSlippageHistory
from ._common import _event, _snapshot

logger = logging.getLogger(__name__)
S = OrderStatus
GUARD_ACTIONS = ["Cancel", str(AlertAction.USE_LIMIT), str(AlertAction.PROCEED)]
_BPS = Decimal(10_000)
_CENT = Decimal("0.01")


def analysis_record(order: Order, advice: Any, *, at: Any = None) -> OrderExecutionAnalysis | None:
    """Store the analysis `orders.execution` made for `order` (inside the caller's transaction)."""
    if advice is None:
        return None
    a = advice.analysis
    size = advice.position_size
    row = OrderExecutionAnalysis(
        order=order,
        analysed_at=at or timezone.now(),
        transaction_type=order.transaction_type,
        quantity=order.quantity,
        order_type=advice.order_type,
        guard=advice.guard.kind,
        guard_action=advice.action,
        thresholds={k: str(v) if isinstance(v, Decimal) else v for k, v in advice.as_json()["thresholds"].items()},
    )
    if a is not None:
        row.best_bid, row.best_ask, row.mid = a.best_bid, a.best_ask, a.mid
        row.spread_abs, row.spread_pct = a.spread, a.spread_pct
        row.spread_category = str(a.spread_category or "")
        row.expected_price, row.impact_bps, row.estimated_slippage = a.walk.vwap, a.impact_bps, a.slippage
        row.levels_consumed, row.worst_price = a.walk.levels_consumed, a.walk.worst_price
        row.visible_quantity, row.book_shortfall = a.walk.visible_quantity, a.walk.book_shortfall
        row.liquidity_score, row.liquidity_band = a.liquidity_score, str(a.liquidity_band)
        row.recommendation = str(a.recommendation.action)
        row.recommendation_reason = a.recommendation.reason[:200]
        row.recommended_limit_price = advice.recommended_limit_price
        row.recommended_slice_quantity = a.recommendation.slice_quantity
        if size is not None:
            row.recommended_quantity, row.recommended_quantity_limited_by = size.quantity, size.limited_by
    row.save(force_insert=True)
    return row


def guard_alert(order: Order, advice: Any, *, park: Any = None) -> None:
    """The guard's alert for `order`: the parking one (with the three answers, expiring like approvals) or the
    note of a converted / allowed order. In a savepoint: an alert never undoes the order."""
    spec = dict(park.alert) if park is not None else (advice.alert if advice is not None else None)
    if not spec:
        return
    payload = {"source": "orders", "order_id": order.pk, "guard": advice.guard.kind if advice else ""}
    payload.update({k: _plain(v) for k, v in (spec.get("payload") or {}).items()})
    try:
        with transaction.atomic():
            alert_services.alert_raise(
                user=order.user,
                type=spec["type"],
                level=spec.get("level", AlertLevel.WARNING),
                title=spec.get("title", ""),
                message=spec["message"],
                links={"order_id": order.pk},
                payload=payload,
                actions=GUARD_ACTIONS if park is not None else None,
                expires_in=timedelta(minutes=5) if park is not None else None,
            )
    except Exception:  # an alert must never undo an order
        logger.exception("guard alert failed for order %s", order.pk)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def guard_alert_handler(alert: Any, action: str, actor: str) -> None:
    """Registered for WIDE_SPREAD and HIGH_IMPACT alerts: the trader's answer to a parked order."""
    from .order_changes import _approve, order_reject

    links, payload = alert.links or {}, alert.payload or {}
    if payload.get("source") != "orders" or "order_id" not in links:
        return
    order = Order.objects.filter(pk=links["order_id"], user_id=alert.user_id).select_related("user").first()
    if order is None or order.status != S.PENDING_APPROVAL:
        return
    # _approve: a refusal on re-check (the kill switch engaged meanwhile) leaves the order REJECTED, not raised
    # into the alert's answer.
    if action == AlertAction.PROCEED:
        _approve(order, actor=actor)
    elif action == AlertAction.USE_LIMIT:
        order = order_use_recommended_limit(user=order.user, order_id=order.pk, actor=actor)
        _approve(order, actor=actor)
    else:
        order_reject(
            user=order.user,
            order_id=order.pk,
            actor=actor,
            reason="cancelled at the execution warning" if action != "EXPIRED" else "confirmation expired",
        )


def order_use_recommended_limit(*, user: Any, order_id: int, actor: str) -> Order:
    """A parked MARKET order becomes a LIMIT at its analysis' recommended price (audited); still parked."""
    from .. import errors

    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, user=user).first()
        if order is None:
            raise errors.OrderNotFound()
        if order.status != S.PENDING_APPROVAL:
            raise errors.OrderNotPendingApproval()
        analysis = OrderExecutionAnalysis.objects.filter(order=order).first()
        price = analysis.recommended_limit_price if analysis is not None else None
        if price is None:
            raise errors.PriceRequired("This order has no recommended limit price.")
        before = _snapshot(order)
        fields = dict(order_type=OrderType.LIMIT, price=price, market_protection=None)
        Order.objects.filter(pk=order.pk).update(**fields, updated_at=timezone.now())
        Order.objects.filter(parent=order, role=OrderRole.SLICE, status=S.PENDING_APPROVAL).update(**fields)
        order.refresh_from_db()
        _event(
            order,
            EventKind.MODIFIED,
            actor=actor,
            before=before,
            frm=order.status,
            to=order.status,
            reason=f"use LIMIT at the recommended {price} (execution warning)",
        )
    return order


# --- slippage ------------------------------------------------------------------------------------
def _bps(cost_per_unit: Decimal, ref: Decimal) -> Decimal:
    return (cost_per_unit / ref * _BPS).quantize(_CENT, ROUND_HALF_EVEN)


def slippage_of(side: str, arrival: Decimal, fill: Decimal, quantity: int) -> tuple[Decimal, Decimal]:
    """(bps, ₹) of a fill against the arrival price; positive is a cost (a buy above, a sell below)."""
    per_unit = fill - arrival if side == "BUY" else arrival - fill
    return _bps(per_unit, arrival), (per_unit * quantity).quantize(_CENT, ROUND_HALF_EVEN)


def _algorithm_of(order_id: int) -> str:
    """TWAP / ICEBERG for a parent execution's child (its own analysis is its arrival; orders.services.algos). Read
    from the child's key `algo-<execution>-<slice>`: the fill may be booked before the slice's link is written."""
    from ..execution_models import AdvancedOrderExecution

    key = Order.objects.filter(pk=order_id).values_list("client_order_id", flat=True).first() or ""
    parts = key.split("-")
    if len(parts) != 3 or parts[0] != "algo" or not parts[1].isdigit():
        return "NONE"
    algo = AdvancedOrderExecution.objects.filter(pk=int(parts[1])).values_list("algorithm", flat=True).first()
    return algo or "NONE"


def on_order_filled(event: Any) -> None:
    """`orders.filled` subscriber: one OrderSlippageHistory row per fill of an order with an analysis (a slice
    uses its parent's: the order the trader decided). Idempotent by (order, trade id). Runs after the fill's
    commit (autocommit), so a duplicate INSERT from another process only fails its own statement."""
    if not event.trade_id:
        return
    if OrderSlippageHistory.objects.filter(order_id=event.order_id, trade_id=event.trade_id).exists():
        return
    sliced = event.role == OrderRole.SLICE and event.parent_id is not None
    decided_id = event.parent_id if sliced else event.order_id
    analysis = (
        OrderExecutionAnalysis.objects.select_related("order")
        .only("mid", "expected_price", "transaction_type", "order__quantity", "order__order_type",
              "order__tradingsymbol", "order__instrument_token")
        .filter(order_id=decided_id)
        .first()
    )
    if analysis is None or analysis.mid is None or analysis.mid <= 0:
        return
    decided = analysis.order
    from ..market import instrument_by_token

    try:
        lot = max(int(instrument_by_token(decided.instrument_token).lot_size or 1), 1)
    except Exception:
        lot = 1
    side = event.transaction_type or analysis.transaction_type
    price = Decimal(event.price)
    bps, inr = slippage_of(side, analysis.mid, price, int(event.quantity))
    vs_expected = None
    if analysis.expected_price:
        vs_expected, _ = slippage_of(side, analysis.expected_price, price, int(event.quantity))
    try:
        OrderSlippageHistory.objects.create(
            user_id=event.user_id,
            order_id=event.order_id,
            trade_id=event.trade_id,
            instrument_token=decided.instrument_token,
            tradingsymbol=decided.tradingsymbol,
            transaction_type=side,
            order_type=decided.order_type,
            algorithm="SLICED"
            if sliced
            else (_algorithm_of(event.order_id) if event.role == OrderRole.ALGO else "NONE"),
            lots=max(decided.quantity // lot, 1),
            quantity=int(event.quantity),
            arrival_price=analysis.mid,
            expected_price=analysis.expected_price,
            fill_price=price,
            slippage_bps=bps,
            slippage_inr=inr,
            vs_expected_bps=vs_expected,
            filled_at=event.fill_timestamp or timezone.now(),
        )
    except IntegrityError:  # the same fill recorded by another process meanwhile
        logger.info("slippage of %s/%s already recorded", event.order_id, event.trade_id)
