"""Orphaned orders: an exit (stop-loss / target) still working after the position it protected closed.

Two paths, one decision (`orders.orphan_policy.decide`, the strategy's five settings):
- event-driven: the order core cancels on `portfolio.position_closed` (orders.services.brackets); this
  app's subscriber (`on_position_closed`) then flags and lists what the settings kept, and tells the trader;
- the sweep (every minute, and on demand per strategy): finds every orphan whatever was missed (a crash
  between the close and the subscriber, an exit placed after the close), cancels or flags it.

Idempotent: a cancelled orphan is no longer working; a flagged one is notified once (`orphaned_at`); a
flag whose order is no longer orphaned (the position reopened on the protected side) or finished is cleared.
A trader's "keep" (`kept_by=user:<id>`) is never overridden by the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project.lib.errors import DomainError
from orders import orphan_policy
from orders import services as order_services
from orders.domain import WORKING, OrderRole, OrderStatus
from orders.models import Order
from portfolio.models import Position

from .. import errors
from ..models import OrderFlags

logger = logging.getLogger(__name__)

ACTOR = "system:housekeeping.orphans"
EXIT_ROLES = (OrderRole.STOP_LOSS, OrderRole.TARGET)
LIVE = [*WORKING, OrderStatus.PENDING_SUBMIT, OrderStatus.PENDING_APPROVAL]


def _exits(**filters: Any) -> Iterable[Order]:
    return (
        Order.objects.filter(role__in=EXIT_ROLES, status__in=LIVE, **filters)
        .select_related("strategy", "user")
        .order_by("id")
    )


def _position_qty(order: Order, cache: dict[tuple, int]) -> int:
    key = (order.account_id, order.strategy_id, order.instrument_token, order.product)
    if key not in cache:
        p = (
            Position.objects.filter(
                account_id=order.account_id,
                strategy_id=order.strategy_id,
                instrument_token=order.instrument_token,
                product=order.product,
            )
            .values_list("quantity", flat=True)
            .first()
        )
        cache[key] = int(p or 0)
    return cache[key]


def is_orphan(order: Order, position_qty: int) -> bool:
    """An exit is orphaned when no position is left on the side it closes (flat, or reversed)."""
    if order.transaction_type == "SELL":  # closes a long
        return position_qty <= 0
    return position_qty >= 0


def orphans_sweep(*, strategy_id: int | None = None, user: Any = None, run: Any = None,
                  cancel_kept: bool = False) -> dict[str, list[int]]:  # fmt: skip
    """Find every orphaned exit (of one strategy, or all) and cancel or flag it by the strategy's settings.
    `cancel_kept` (a trader's manual cleanup) cancels the ones the settings would keep, too."""
    filters: dict[str, Any] = {}
    if strategy_id is not None:
        filters["strategy_id"] = strategy_id
    if user is not None:
        filters["user"] = user
    out: dict[str, list[int]] = {"cancelled": [], "flagged": [], "cleared": [], "failed": []}
    qty_cache: dict[tuple, int] = {}
    seen: set[int] = set()
    for order in _exits(**filters):
        if run is not None:
            run.look("exit_orders")
        seen.add(order.pk)
        if not is_orphan(order, _position_qty(order, qty_cache)):
            continue
        _handle(order, out, cancel_kept=cancel_kept)
    # Flags that no longer hold: the order finished, or its position reopened on the protected side.
    stale = OrderFlags.objects.filter(is_orphaned=True).select_related("order")
    if strategy_id is not None:
        stale = stale.filter(order__strategy_id=strategy_id)
    if user is not None:
        stale = stale.filter(order__user=user)
    for flags in stale:
        o = flags.order
        if o.status in LIVE and (o.pk not in seen or is_orphan(o, _position_qty(o, qty_cache))):
            continue
        OrderFlags.objects.filter(pk=flags.pk).update(is_orphaned=False)
        out["cleared"].append(o.pk)
    if run is not None:
        for k, v in out.items():
            if v:
                run.did[k] = v
        for oid in out["failed"]:
            run.error(f"order #{oid}: cancel refused")
    return out


def _handle(order: Order, out: dict[str, list[int]], *, cancel_kept: bool = False) -> None:
    decision = orphan_policy.decide(order.strategy, order.role)
    flags = OrderFlags.objects.filter(order=order).first()
    kept_by_trader = flags is not None and flags.kept_by.startswith("user:")
    if (decision.cancel and not kept_by_trader) or cancel_kept:
        try:
            order_services.order_cancel(user=order.user, order_id=order.pk, actor=ACTOR)
        except DomainError as exc:
            logger.info("orphan #%s not cancelled: %s", order.pk, exc)
            out["failed"].append(order.pk)
            return
        out["cancelled"].append(order.pk)
        if decision.notify:
            _notify(order, f"Cancelled orphaned {_label(order)}: {decision.reason}.")
        OrderFlags.objects.update_or_create(
            order=order, defaults={"is_orphaned": False, "orphaned_reason": "cancelled: " + decision.reason}
        )
        return
    if flags is not None and flags.is_orphaned:
        return  # flagged (and notified) before
    reason = flags.orphaned_reason if kept_by_trader else decision.reason
    with transaction.atomic():
        OrderFlags.objects.update_or_create(
            order=order,
            defaults={
                "is_orphaned": True,
                "orphaned_reason": reason[:200],
                "orphaned_at": timezone.now(),
                "kept_by": flags.kept_by if kept_by_trader else f"setting:{decision.setting}",
            },
        )
        if decision.notify:
            _notify(order, f"Orphaned {_label(order)} is still working ({reason}). Cancel it or keep it.")
    out["flagged"].append(order.pk)


def _label(order: Order) -> str:
    role = "stop-loss" if order.role == OrderRole.STOP_LOSS else "target"
    return f"{role} #{order.pk} ({order.transaction_type} {order.quantity} {order.tradingsymbol})"


def _notify(order: Order, message: str) -> None:
    alert_raise(
        user=order.user,
        type=AlertType.ORPHANED_ORDER,
        level=AlertLevel.WARNING,
        title="Orphaned order",
        message=message,
        payload={"order_id": order.pk, "strategy_id": order.strategy_id},
        links={"order": f"/orders/{order.pk}/", "orphans": "/housekeeping/orphans/"},
    )


def on_position_closed(event: Any) -> None:
    """Subscriber of portfolio.position_closed: sweep that position's exits (the order core has cancelled
    the ones its settings clean up; this flags and lists the rest)."""
    position = Position.objects.filter(pk=event.position_id).first()
    if position is None:
        return
    out: dict[str, list[int]] = {"cancelled": [], "flagged": [], "cleared": [], "failed": []}
    qty = int(position.quantity)
    for order in _exits(
        account_id=position.account_id,
        strategy_id=position.strategy_id,
        instrument_token=position.instrument_token,
        product=position.product,
    ):
        if is_orphan(order, qty):
            _handle(order, out)


# --- the trader's choices ----------------------------------------------------------------------------------
def orphan_keep(*, user: Any, order_id: int) -> OrderFlags:
    flags = OrderFlags.objects.filter(order_id=order_id, order__user=user, is_orphaned=True).first()
    if flags is None:
        raise errors.OrderNotOrphaned()
    OrderFlags.objects.filter(pk=flags.pk).update(kept_by=f"user:{user.pk}", orphaned_reason="kept by you")
    flags.refresh_from_db()
    return flags


def orphan_cancel(*, user: Any, order_id: int) -> Order:
    flags = OrderFlags.objects.filter(order_id=order_id, order__user=user, is_orphaned=True).first()
    if flags is None:
        raise errors.OrderNotOrphaned()
    order = order_services.order_cancel(user=user, order_id=order_id, actor=f"user:{user.pk}")
    OrderFlags.objects.filter(pk=flags.pk).update(is_orphaned=False, orphaned_reason="cancelled by you")
    return order


def orphans_list(*, user: Any, strategy_id: int | None = None) -> list[Order]:
    qs = Order.objects.filter(user=user, housekeeping__is_orphaned=True).select_related("housekeeping", "strategy")
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    return list(qs.order_by("-id"))


def job_orphans(run: Any) -> None:
    """The every-minute sweep (or one strategy's manual run)."""
    orphans_sweep(strategy_id=run.strategy_id, run=run, cancel_kept=bool(run.options.get("cancel_kept")))
