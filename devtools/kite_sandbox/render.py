"""Broker dataclasses -> Kite Connect v3 JSON objects (shapes of /work/shared/kite-mocks/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from oms_project.lib.brokers import BrokerFunds, BrokerOrder, BrokerTrade
from orders import kite_iceberg
from orders.brokers.kite.convert import postback_checksum, to_kite_time
from portfolio import positions_math

IST = ZoneInfo("Asia/Kolkata")


def num(value: Decimal | int | None) -> float | int:
    """Kite sends prices as JSON numbers."""
    if value is None:
        return 0
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def order_json(order: BrokerOrder, *, user_id: str, iceberg: tuple[int, int] | None = None) -> dict[str, Any]:
    """An element of GET /orders (orders.json). `iceberg` = (legs, leg quantity) of an iceberg-variety order: its
    `meta.iceberg` says which leg works (the sandbox keeps every leg under the first order id, see
    docs/architecture.md "Kite's iceberg")."""
    raw = order.raw or {}
    meta: dict[str, Any] = {}
    if iceberg is not None:
        meta["iceberg"] = kite_iceberg.leg_progress(
            total=order.quantity, legs=iceberg[0], leg_quantity=iceberg[1], filled=order.filled_quantity
        )
        raw = {**raw, "variety": "iceberg"}
    exchange_time = to_kite_time(order.exchange_timestamp)
    return {
        "account_id": user_id,
        "placed_by": user_id,
        "order_id": order.broker_order_id,
        "exchange_order_id": order.exchange_order_id,
        "parent_order_id": None,
        "status": order.status,
        "status_message": order.status_message,
        "status_message_raw": order.status_message,
        "order_timestamp": to_kite_time(order.order_timestamp),
        "exchange_update_timestamp": exchange_time,
        "exchange_timestamp": exchange_time,
        "variety": raw.get("variety", "regular"),
        "modified": bool(raw.get("modified", False)),
        "exchange": order.exchange,
        "tradingsymbol": order.tradingsymbol,
        "instrument_token": order.instrument_token,
        "order_type": order.order_type,
        "transaction_type": order.transaction_type,
        "validity": order.validity,
        "validity_ttl": 0,
        "product": order.product,
        "quantity": order.quantity,
        "disclosed_quantity": 0,
        "price": num(order.price),
        "trigger_price": num(order.trigger_price),
        "average_price": num(order.average_price),
        "filled_quantity": order.filled_quantity,
        "pending_quantity": order.pending_quantity,
        "cancelled_quantity": order.cancelled_quantity,
        "market_protection": 0,
        "meta": meta,
        "tag": order.tag,
        "tags": [order.tag] if order.tag else [],
        "guid": f"sandbox-{order.broker_order_id}",
    }


def postback_json(
    order: BrokerOrder, *, user_id: str, app_id: int, api_secret: str, iceberg: tuple[int, int] | None = None
) -> dict[str, Any]:
    """The body Kite POSTs to an app's postback URL (postback.json), with a real checksum."""
    body = order_json(order, user_id=user_id, iceberg=iceberg)
    for key in ("account_id", "validity_ttl", "tags"):
        body.pop(key, None)
    body.pop("modified", None)
    checksum = postback_checksum(body["order_id"], body["order_timestamp"] or "", api_secret)
    return {"user_id": user_id, "unfilled_quantity": 0, "app_id": app_id, "checksum": checksum, **body}


def trade_json(trade: BrokerTrade) -> dict[str, Any]:
    fill = to_kite_time(trade.fill_timestamp)
    return {
        "trade_id": trade.trade_id,
        "order_id": trade.broker_order_id,
        "exchange": trade.exchange,
        "tradingsymbol": trade.tradingsymbol,
        "instrument_token": trade.instrument_token,
        "product": trade.product,
        "average_price": num(trade.price),
        "quantity": trade.quantity,
        "exchange_order_id": f"13{trade.broker_order_id[-14:]}",
        "transaction_type": trade.transaction_type,
        "fill_timestamp": fill,
        "order_timestamp": (fill or "")[11:],
        "exchange_timestamp": fill,
    }


def _kite_position(
    key: tuple[str, str, str, int],
    *,
    overnight: tuple[int, Decimal],
    buys: list[BrokerTrade],
    sells: list[BrokerTrade],
    last_price: Decimal,
    close_price: Decimal,
) -> dict[str, Any]:
    """One position object as Kite computes it (kite-api.md §3.4, the official mock `positions.json`):
    an overnight long counts as bought (short: sold) at its average; buy_m2m/sell_m2m carry it at the previous
    close; pnl = sell_value - buy_value + quantity * last; m2m = sell_m2m - buy_m2m + quantity * last (so the
    m2m of an overnight position is against the previous close); value = sell_value - buy_value; realised 0
    and unrealised = pnl, as the mock shows them; day_* are the day's own trades (averages over ALL the
    day's buys / sells, reference-data.md §9.4)."""
    exchange, symbol, product, token = key
    o_qty, o_avg = overnight
    day_buy_q = sum(t.quantity for t in buys)
    day_sell_q = sum(t.quantity for t in sells)
    day_buy_v = sum((t.price * t.quantity for t in buys), Decimal("0"))
    day_sell_v = sum((t.price * t.quantity for t in sells), Decimal("0"))
    o_long, o_short = max(o_qty, 0), max(-o_qty, 0)
    buy_q, sell_q = day_buy_q + o_long, day_sell_q + o_short
    buy_v, sell_v = day_buy_v + o_long * o_avg, day_sell_v + o_short * o_avg
    buy_m2m, sell_m2m = day_buy_v + o_long * close_price, day_sell_v + o_short * close_price
    qty = o_qty + day_buy_q - day_sell_q
    state = positions_math.PositionState(o_qty, o_avg)
    for t in sorted([*buys, *sells], key=lambda t: (t.fill_timestamp, t.trade_id)):
        state = positions_math.apply_fill(state, positions_math.signed(t.transaction_type, t.quantity), t.price)
    pnl = sell_v - buy_v + qty * last_price
    m2m = sell_m2m - buy_m2m + qty * last_price

    def avg(value: Decimal, quantity: int) -> Decimal:
        return (value / quantity).quantize(Decimal("0.01")) if quantity else Decimal("0")

    return {
        "tradingsymbol": symbol,
        "exchange": exchange,
        "instrument_token": token,
        "product": product,
        "quantity": qty,
        "overnight_quantity": o_qty,
        "multiplier": 1,
        "average_price": num(state.average_price.quantize(Decimal("0.01")) if qty else Decimal("0")),
        "close_price": num(close_price),
        "last_price": num(last_price),
        "value": num(sell_v - buy_v),
        "pnl": num(pnl.quantize(Decimal("0.01"))),
        "m2m": num(m2m.quantize(Decimal("0.01"))),
        "unrealised": num(pnl.quantize(Decimal("0.01"))),
        "realised": 0,
        "buy_quantity": buy_q,
        "buy_price": num(avg(buy_v, buy_q)),
        "buy_value": num(buy_v),
        "buy_m2m": num(buy_m2m),
        "sell_quantity": sell_q,
        "sell_price": num(avg(sell_v, sell_q)),
        "sell_value": num(sell_v),
        "sell_m2m": num(sell_m2m),
        "day_buy_quantity": day_buy_q,
        "day_buy_price": num(avg(day_buy_v, day_buy_q)),
        "day_buy_value": num(day_buy_v),
        "day_sell_quantity": day_sell_q,
        "day_sell_price": num(avg(day_sell_v, day_sell_q)),
        "day_sell_value": num(day_sell_v),
    }


def positions_payload(
    trades: list[BrokerTrade],
    *,
    today: date,
    last_price: Callable[[str, str], Decimal],
    close_price: Callable[[str, str], Decimal],
) -> dict[str, list[dict[str, Any]]]:
    """Kite's `GET /portfolio/positions` answer from the account's trades: `net` (everything, with what
    was carried overnight) and `day` (today's trades only), flat positions included."""
    book: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    for t in sorted(trades, key=lambda t: (t.fill_timestamp, t.trade_id)):
        key = (t.exchange, t.tradingsymbol, t.product, t.instrument_token)
        entry = book.setdefault(key, {"overnight": positions_math.PositionState(), "buys": [], "sells": []})
        if timezone_ist_date(t.fill_timestamp) < today:
            state = positions_math.apply_fill(
                entry["overnight"], positions_math.signed(t.transaction_type, t.quantity), t.price
            )
            entry["overnight"] = state
        else:
            entry["buys" if t.transaction_type == "BUY" else "sells"].append(t)
    net, day = [], []
    for key, entry in book.items():
        exchange, symbol = key[0], key[1]
        ltp, close = Decimal(last_price(exchange, symbol)), Decimal(close_price(exchange, symbol))
        o = entry["overnight"]
        net.append(_kite_position(key, overnight=(o.quantity, o.average_price), buys=entry["buys"],
                                  sells=entry["sells"], last_price=ltp, close_price=close))  # fmt: skip
        if entry["buys"] or entry["sells"]:
            day.append(_kite_position(key, overnight=(0, Decimal("0")), buys=entry["buys"], sells=entry["sells"],
                                      last_price=ltp, close_price=close))  # fmt: skip
    return {"net": net, "day": day}


def timezone_ist_date(moment: datetime) -> date:
    return moment.astimezone(IST).date()


def _segment(funds: BrokerFunds) -> dict[str, Any]:
    return {
        "enabled": True,
        "net": num(funds.net),
        "available": {
            "adhoc_margin": 0,
            "cash": num(funds.available_cash + funds.used_margin),
            "opening_balance": num(funds.available_cash + funds.used_margin),
            "live_balance": num(funds.available_cash),
            "collateral": 0,
            "intraday_payin": 0,
        },
        "utilised": {
            "debits": num(funds.used_margin),
            "exposure": 0,
            "m2m_realised": 0,
            "m2m_unrealised": 0,
            "option_premium": 0,
            "payout": 0,
            "span": num(funds.used_margin),
            "holding_sales": 0,
            "turnover": 0,
            "liquid_collateral": 0,
            "stock_collateral": 0,
            "delivery": 0,
        },
    }


def margins_json(funds: BrokerFunds) -> dict[str, Any]:
    zero = BrokerFunds(available_cash=Decimal("0"), used_margin=Decimal("0"), net=Decimal("0"))
    return {"equity": _segment(funds), "commodity": _segment(zero)}


def segment_margins_json(funds: BrokerFunds) -> dict[str, Any]:
    return _segment(funds)


def quote_json(q: Any) -> dict[str, Any]:
    """marketdata.types.Quote -> an entry of GET /quote (quote.json)."""

    def levels(depth: Any) -> list[dict[str, Any]]:
        rows = [{"price": num(d.price), "quantity": d.quantity, "orders": d.orders} for d in depth][:5]
        return rows + [{"price": 0, "quantity": 0, "orders": 0}] * (5 - len(rows))

    ts = to_kite_time(q.timestamp)
    return {
        "instrument_token": q.instrument_token,
        "timestamp": ts,
        "last_trade_time": ts,
        "last_price": num(q.last_price),
        "last_quantity": q.last_quantity,
        "buy_quantity": sum(d.quantity for d in q.buy_depth),
        "sell_quantity": sum(d.quantity for d in q.sell_depth),
        "volume": q.volume,
        "average_price": num(q.average_price),
        "oi": q.oi,
        "oi_day_high": 0,
        "oi_day_low": 0,
        "net_change": num(q.last_price - q.close),
        "lower_circuit_limit": num(q.lower_circuit_limit),
        "upper_circuit_limit": num(q.upper_circuit_limit),
        "ohlc": {"open": num(q.open), "high": num(q.high), "low": num(q.low), "close": num(q.close)},
        "depth": {"buy": levels(q.buy_depth), "sell": levels(q.sell_depth)},
    }
