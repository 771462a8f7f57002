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
Exits go through the order core's `orders.services.square_off.square_off(account, product="MIS")` (the
kill switch's and margin call's path: open MIS orders cancelled, one reducing MARKET exit per position
through the pre-trade pipeline, actor system:housekeeping.square_off); when only some of an account's MIS
positions are due (equity before derivatives) those go through `position_exit` (the same pipeline). A
position with an exit already working is not exited twice before the forced step, so reruns are safe.
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


def _exit_one(position: Position, reason: str) -> Any:
    return order_services.position_exit(user=position.user, position_id=position.pk, actor=ACTOR)


def job_mis_square_off(run: Any) -> None:
    from orders.services.square_off import square_off  # the order core's square-off (kill switch, margin call)

    local = timezone.localtime(run.at, IST)
    now_t = local.time().replace(tzinfo=None)
    positions = Position.objects.filter(product="MIS").exclude(quantity=0).select_related("user")
    warn_users: dict[int, list[str]] = {}
    live = [*WORKING, OrderStatus.PENDING_SUBMIT, OrderStatus.PENDING_APPROVAL]
    by_account: dict[int, list[tuple[Position, str]]] = {}
    for p in positions:
        run.look("mis_positions")
        by_account.setdefault(p.account_id, []).append((p, phase(p.exchange, now_t)))
    for account_id, items in by_account.items():
        due = [(p, step) for p, step in items if step in ("start", "forced")]
        for p, step in items:
            if step == "warn":
                warn_users.setdefault(p.user_id, []).append(f"{p.tradingsymbol} {p.quantity:+d}")
        if not due:
            continue
        forced = any(step == "forced" for _, step in due)
        if not forced:
            # An exit already working for every due position: this minute has nothing to add.
            pending = [p for p, _ in due if not Order.objects.filter(
                account_id=account_id, instrument_token=p.instrument_token, product="MIS", strategy_id=p.strategy_id,
                role="EXIT", status__in=live).exists()]  # fmt: skip
            if not pending:
                continue
            due = [(p, "start") for p in pending]
        step = "forced" if forced else "start"
        reason = f"MIS square-off ({step}, before the broker's own at {'15:25 F&O / 15:20 equity'})"
        if len(due) == len(items):  # every open MIS position of the account is due: one square-off pass
            result = square_off(account_id, product="MIS", reason=reason, actor=ACTOR, cancel_working=True)
            for o in result.cancelled:
                run.done("cancelled", o.pk)
            for o in result.orders:
                run.done(f"exited_{step}", o.pk)
            for f in result.failures:
                run.error(f"account {account_id}: {f}")
            continue
        for p, _ in due:  # only some segments are due (equity before derivatives)
            try:
                run.done(f"exited_{step}", _exit_one(p, reason).pk)
            except DomainError as exc:
                run.error(f"position {p.pk} {p.tradingsymbol}: {exc.code} {exc}")
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
