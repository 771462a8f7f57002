"""Intraday square-off of MIS positions before the broker does it (and charges for it).

Times per segment are Zerodha's published auto square-off times, less a margin so the OMS acts first:
Zerodha squares off MIS at **15:20 for equity (cash)** and **15:25 for equity/index derivatives**
(https://support.zerodha.com/category/trading-and-markets/margin-leverage-and-product-and-order-types/articles/intraday-auto-square-off-timings,
/work/shared/research/reference-data.md §5.3; ₹50 + GST per order it squares off, §1.2). The seed's
15:15 warning / 15:20 square-off / 15:25 forced matches the derivatives cut-off; the forced step runs one
minute before the broker's own run, and equity runs five minutes earlier throughout.

The job runs every minute from 15:05 to 15:29 on trading days; each run does what the clock says:
  warn    -> one SQUARE_OFF_WARNING per trader with open MIS positions (once per day)
  start   -> each open MIS position exited through the pre-trade pipeline as the system
  forced  -> what is still open: its working orders cancelled and exited again at market
Exits go through `orders.services.square_off.square_off` when the risk app's square-off service exists,
else through `orders.services.position_exit` (the same pipeline: an OrderIntent with actor
system:housekeeping.square_off). A position with an exit already working is not exited twice before
the forced step, so reruns are safe.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from alerts.models import Alert
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project.lib.errors import DomainError
from orders import services as order_services
from orders.domain import WORKING, OrderStatus
from orders.models import Order
from portfolio.models import Position

from ..jobs import IST

ACTOR = "system:housekeeping.square_off"
# segment -> (warn, start, forced); the broker's own time in the docstring.
TIMES: dict[str, tuple[time, time, time]] = {
    "equity": (time(15, 10), time(15, 15), time(15, 19)),  # broker 15:20
    "derivatives": (time(15, 15), time(15, 20), time(15, 24)),  # broker 15:25
}
DERIVATIVE_EXCHANGES = {"NFO", "BFO"}


def segment_of(exchange: str) -> str:
    return "derivatives" if exchange in DERIVATIVE_EXCHANGES else "equity"


def phase(exchange: str, local: time) -> str:
    warn, start, forced = TIMES[segment_of(exchange)]
    if local >= forced:
        return "forced"
    if local >= start:
        return "start"
    if local >= warn:
        return "warn"
    return ""


def _exit(position: Position, reason: str) -> Any:
    try:
        from orders.services import square_off as risk_square_off  # the risk helper's service, when present
    except ImportError:
        risk_square_off = None
    if risk_square_off is not None and hasattr(risk_square_off, "square_off"):
        return risk_square_off.square_off(user=position.user, position_ids=[position.pk], actor=ACTOR, reason=reason)
    return order_services.position_exit(user=position.user, position_id=position.pk, actor=ACTOR)


def job_mis_square_off(run: Any) -> None:
    local = timezone.localtime(run.at, IST)
    now_t = local.time().replace(tzinfo=None)
    positions = Position.objects.filter(product="MIS").exclude(quantity=0).select_related("user")
    warn_users: dict[int, list[str]] = {}
    live = [*WORKING, OrderStatus.PENDING_SUBMIT, OrderStatus.PENDING_APPROVAL]
    for p in positions:
        run.look("mis_positions")
        step = phase(p.exchange, now_t)
        if not step:
            continue
        if step == "warn":
            warn_users.setdefault(p.user_id, []).append(f"{p.tradingsymbol} {p.quantity:+d}")
            continue
        closing_side = "SELL" if p.quantity > 0 else "BUY"
        working = Order.objects.filter(account_id=p.account_id, instrument_token=p.instrument_token, product="MIS",
                                       strategy_id=p.strategy_id, status__in=live)  # fmt: skip
        exits_working = working.filter(transaction_type=closing_side, role="EXIT")
        if step == "start" and exits_working.exists():
            continue  # its square-off is already working
        if step == "forced":
            for o in working:
                try:
                    order_services.order_cancel(user=p.user, order_id=o.pk, actor=ACTOR)
                    run.done("cancelled", o.pk)
                except DomainError as exc:
                    run.error(f"order #{o.pk}: {exc}")
        try:
            order = _exit(p, reason=f"MIS square-off ({step})")
        except DomainError as exc:
            run.error(f"position {p.pk} {p.tradingsymbol}: {exc.code} {exc}")
            continue
        run.done(f"exited_{step}", getattr(order, "pk", None) or str(order))
    if warn_users:
        today = local.date()
        users = get_user_model().objects.in_bulk(list(warn_users))
        for uid, lines in warn_users.items():
            if Alert.objects.filter(user_id=uid, type=AlertType.SQUARE_OFF_WARNING,
                                    created_at__date=today).exists():  # fmt: skip
                continue
            alert_raise(user=users[uid], type=AlertType.SQUARE_OFF_WARNING, level=AlertLevel.WARNING,
                        title="Intraday square-off soon",
                        message="Your MIS positions will be squared off from "
                        f"{TIMES['derivatives'][1]:%H:%M} (F&O) / {TIMES['equity'][1]:%H:%M} (equity): "
                        + ", ".join(lines[:10]))  # fmt: skip
            run.done("warned", uid)
