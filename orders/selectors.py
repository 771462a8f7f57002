"""Order reads, always scoped to the owner: someone else's order/position is 'not found'."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.utils import timezone

from marketdata.models import Instrument
from oms_project.lib import archive
from portfolio import selectors as portfolio_selectors
from portfolio.kite_conventions import DayTrades, KiteFigures, kite_figures
from portfolio.models import Position, Trade

from . import market
from .domain import TERMINAL, WORKING, OrderStatus
from .errors import OrderNotFound
from .models import Order, OrderEvent, OrderPreferences

OPEN_STATUSES = [
    *WORKING,
    OrderStatus.PENDING_APPROVAL,
    OrderStatus.PENDING_SUBMIT,
    OrderStatus.UNKNOWN,
    OrderStatus.CANCEL_PENDING,
]


def order_list(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    account_id: int | None = None,
    strategy_id: int | None = None,
    instrument_token: int | None = None,
    include_archived: bool = False,
) -> QuerySet[Order]:
    """The owner's orders, newest first. Archived orders (finished, a day old: housekeeping) are left out
    unless `include_archived`; they stay reachable by id (`order_get`) with their audit trail."""
    qs = Order.objects.filter(user=user)
    if not include_archived:
        qs = archive.hide_archived(archive.ORDERS, qs)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        qs = qs.filter(status__in=list(TERMINAL))
    elif status:
        qs = qs.filter(status=status)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    if instrument_token is not None:
        qs = qs.filter(instrument_token=instrument_token)
    return qs.order_by("-created_at", "-id")


def order_get(*, user: AbstractBaseUser, order_id: int) -> Order:
    try:
        return Order.objects.get(pk=order_id, user=user)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise OrderNotFound() from None


def order_history(*, user: AbstractBaseUser, order_id: int) -> QuerySet[OrderEvent]:
    order = order_get(user=user, order_id=order_id)
    return OrderEvent.objects.filter(order=order).order_by("id")


# Fills, positions and strategies are the portfolio's: these names delegate to `portfolio.selectors` (kept
# so the order core's views, presenters and callers have one place to read from).
def trade_list(
    *,
    user: AbstractBaseUser,
    account_id: int | None = None,
    order_id: int | None = None,
    strategy_id: int | None = None,
) -> QuerySet[Trade]:
    return portfolio_selectors.trades_for(user=user, account_id=account_id, order_id=order_id, strategy_id=strategy_id)


def position_list(
    *,
    user: AbstractBaseUser,
    account_id: int | None = None,
    strategy_id: int | None = None,
    open_only: bool = False,
    include_archived: bool = False,
) -> QuerySet[Position]:
    """The owner's positions for the working views: settled positions archived by housekeeping (flat, expired)
    are left out unless `include_archived`."""
    qs = portfolio_selectors.positions_for(
        user=user, account_id=account_id, strategy_id=strategy_id, open_only=open_only
    )
    return qs if include_archived else archive.hide_archived(archive.POSITIONS, qs)


position_get = portfolio_selectors.position_get


def position_marks(
    positions: list[Position], at: datetime | None = None, *, closes: dict[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """Mark prices (LTP) for the positions' instruments; missing quotes fall back to the stored last price.
    `closes`, when given, is filled with each instrument's previous close (Kite's close_price) from the same
    quote."""
    marks: dict[int, Decimal] = {}
    tokens = {p.instrument_token for p in positions}
    if not tokens:
        return marks
    # One query for every instrument (was one per instrument: the list's N+1); prices are computed, not read.
    for instrument in Instrument.objects.filter(instrument_token__in=tokens):
        try:
            q = market.quote(instrument, at)
        except Exception:  # no price: keep the stored one
            q = None
        ltp = q.last_price if q is not None and q.last_price else (instrument.last_price or None)
        if ltp is not None:
            marks[instrument.instrument_token] = ltp
        if closes is not None and q is not None and q.close:
            closes[instrument.instrument_token] = q.close
    return marks  # an instrument gone from the master keeps the stored price


def position_kite_figures(
    positions: list[Position], *, marks: dict[int, Decimal], closes: dict[int, Decimal], at: datetime | None = None
) -> dict[int, KiteFigures]:
    """Kite's day averages, close price and M2M per position id (portfolio.kite_conventions). The day's trades
    are read in one grouped query, and only when a listed position traded today."""
    today = timezone.localdate(at)
    active = [p for p in positions if p.trading_day == today and (p.day_buy_quantity or p.day_sell_quantity)]
    day: dict[tuple, DayTrades] = {}
    if active:
        start = datetime.combine(today, datetime.min.time(), tzinfo=timezone.get_current_timezone())
        rows = (
            Trade.objects.filter(
                account_id__in={p.account_id for p in active},
                instrument_token__in={p.instrument_token for p in active},
                fill_timestamp__gte=start,
            )
            .order_by()
            .values("account_id", "strategy_id", "instrument_token", "product", "transaction_type")
            .annotate(qty=Sum("quantity"), value=Sum(F("quantity") * F("price"), output_field=DecimalField()))
        )
        acc: dict[tuple, dict[str, Any]] = {}
        for r in rows:
            key = (r["account_id"], r["strategy_id"], r["instrument_token"], r["product"])
            side = "buy" if r["transaction_type"] == "BUY" else "sell"
            acc.setdefault(key, {})[side] = (int(r["qty"] or 0), Decimal(r["value"] or 0))
        for key, sides in acc.items():
            bq, bv = sides.get("buy", (0, Decimal("0")))
            sq, sv = sides.get("sell", (0, Decimal("0")))
            day[key] = DayTrades(bq, bv, sq, sv)
    out: dict[int, KiteFigures] = {}
    for p in positions:
        traded_today = p.trading_day == today
        figures = day.get((p.account_id, p.strategy_id, p.instrument_token, p.product), DayTrades())
        out[p.pk] = kite_figures(
            quantity=p.quantity,
            overnight_quantity=p.overnight_quantity if traded_today else p.quantity,
            day=figures if traded_today else DayTrades(),
            last_price=Decimal(marks.get(p.instrument_token, p.last_price or p.average_price)),
            close_price=closes.get(p.instrument_token),
        )
    return out


strategy_list = portfolio_selectors.strategy_list
strategy_get = portfolio_selectors.strategy_get
strategy_presets = portfolio_selectors.strategy_presets


def preferences_get(*, user: AbstractBaseUser) -> OrderPreferences:
    return OrderPreferences.objects.filter(user=user).first() or OrderPreferences(user=user)


def metrics_summary(*, user: AbstractBaseUser, account_id: int | None = None) -> dict[str, Any]:
    orders = Order.objects.filter(user=user, children__isnull=True)
    if account_id is not None:
        orders = orders.filter(account_id=account_id)
    by_status = {row["status"]: row["n"] for row in orders.values("status").annotate(n=Count("id"))}
    today = timezone.localdate()
    today_qs = orders.filter(created_at__date=today)
    filled_today = today_qs.filter(status=OrderStatus.COMPLETE).count()
    rejected_today = today_qs.filter(status=OrderStatus.REJECTED).count()
    decided = today_qs.filter(status__in=list(TERMINAL)).count()
    positions = list(position_list(user=user, account_id=account_id))
    marks = position_marks([p for p in positions if p.quantity])
    realized = sum((Decimal(p.realized_pnl) for p in positions), Decimal("0"))
    unrealized = sum(
        (
            (marks.get(p.instrument_token, Decimal(p.last_price)) - Decimal(p.average_price)) * p.quantity
            for p in positions
            if p.quantity
        ),
        Decimal("0"),
    )
    return {
        "total": sum(by_status.values()),
        "open": sum(n for s, n in by_status.items() if s in OPEN_STATUSES),
        "by_status": by_status,
        "filled_today": filled_today,
        "rejected_today": rejected_today,
        "fill_rate_pct": round(100.0 * filled_today / decided, 1) if decided else 0.0,
        "realized_pnl": realized.quantize(Decimal("0.01")),
        "unrealized_pnl": unrealized.quantize(Decimal("0.01")),
        "open_positions": sum(1 for p in positions if p.quantity),
    }


def ticket_preview(*, instrument: Any, lots: int, price: Decimal | None) -> dict[str, Any]:
    """Market facts for the order ticket: price, spread and lot/order value (display only; no cost or
    margin figures until that engine exists)."""
    quote = market.quote(instrument)
    ltp = quote.last_price if quote else (instrument.last_price or None)
    quantity = lots * instrument.lot_size
    reference = price or ltp
    return {
        "ltp": ltp,
        "bid": quote.best_bid if quote else None,
        "ask": quote.best_ask if quote else None,
        "spread": quote.spread if quote else None,
        "spread_pct": quote.spread_pct if quote else None,
        "lots": lots,
        "lot_size": instrument.lot_size,
        "quantity": quantity,
        "lot_value": (ltp * instrument.lot_size).quantize(Decimal("0.01")) if ltp else None,
        "order_value": (reference * quantity).quantize(Decimal("0.01")) if reference else None,
    }


# --- working orders for margin (registered with oms_project.lib.open_orders in OrdersConfig.ready) ---------
MARGINED_OPEN_STATUSES = (
    OrderStatus.PENDING_SUBMIT,
    OrderStatus.SUBMITTED,
    OrderStatus.UNKNOWN,
    OrderStatus.OPEN,
    OrderStatus.TRIGGER_PENDING,
    OrderStatus.PARTIALLY_FILLED,
    OrderStatus.CANCEL_PENDING,
)


def open_orders_for_margin(account_id: int) -> list[Any]:
    """The unfilled part of the account's working entries, slices and exits (one query). Bracket exits
    (STOP_LOSS/TARGET) are left out: they only close what their entry opened, and an OCO pair would count
    twice. A parent that was split into slices is left out too (its slices are the working orders)."""
    from oms_project.lib.open_orders import OpenOrder

    from .domain import OrderRole

    rows = (
        Order.objects.filter(account_id=account_id, status__in=MARGINED_OPEN_STATUSES)
        .exclude(role__in=(OrderRole.STOP_LOSS, OrderRole.TARGET))
        .filter(children__isnull=True)
        .values_list(
            "pk",
            "instrument_token",
            "exchange",
            "tradingsymbol",
            "transaction_type",
            "quantity",
            "filled_quantity",
            "product",
            "order_type",
            "price",
            "trigger_price",
            "strategy_id",
            "tag",
        )
    )
    out = []
    for pk, token, exch, sym, side, qty, filled, product, otype, price, trigger, strategy_id, tag in rows:
        left = int(qty) - int(filled or 0)
        if left > 0:
            out.append(OpenOrder(pk, token, exch, sym, side, left, product, otype, price, trigger, strategy_id, tag))
    return out


def broker_basket_margins(account: Any, orders: list[dict], *, consider_positions: bool = True) -> Any:
    """Kite's basket margin for a Kite account (None for paper accounts or when the broker cannot answer);
    registered with oms_project.lib.broker_margins in OrdersConfig.ready."""
    if account.is_paper:
        return None
    from oms_project.lib.brokers import BrokerError, broker_margins

    from .brokers import broker_for

    try:
        return broker_margins(broker_for(account), orders, consider_positions=consider_positions)
    except BrokerError:
        return None


def broker_order_margins(account: Any, orders: list[dict]) -> list[dict] | None:
    """Kite's margin of each order (POST /margins/orders through kiteconnect) for a Kite account; None for paper
    accounts, a broker without the calculator, or when the broker cannot answer. Registered with
    oms_project.lib.broker_margins in OrdersConfig.ready."""
    if account.is_paper:
        return None
    from oms_project.lib.brokers import BrokerError

    from .brokers import broker_for

    calculator = getattr(broker_for(account), "order_margins", None)
    if calculator is None:
        return None
    try:
        return calculator(orders)
    except BrokerError:
        return None
