"""Broker dataclasses -> Kite Connect v3 JSON objects (shapes of /work/shared/kite-mocks/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from oms_project.lib.brokers import BrokerFunds, BrokerOrder, BrokerPosition, BrokerTrade
from orders.brokers.kite.convert import postback_checksum, to_kite_time


def num(value: Decimal | int | None) -> float | int:
    """Kite sends prices as JSON numbers."""
    if value is None:
        return 0
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def order_json(order: BrokerOrder, *, user_id: str) -> dict[str, Any]:
    """An element of GET /orders (orders.json)."""
    raw = order.raw or {}
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
        "meta": {},
        "tag": order.tag,
        "tags": [order.tag] if order.tag else [],
        "guid": f"sandbox-{order.broker_order_id}",
    }


def postback_json(order: BrokerOrder, *, user_id: str, app_id: int, api_secret: str) -> dict[str, Any]:
    """The body Kite POSTs to an app's postback URL (postback.json), with a real checksum."""
    body = order_json(order, user_id=user_id)
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


def position_json(position: BrokerPosition) -> dict[str, Any]:
    qty = position.quantity
    value = -position.average_price * qty
    buy_qty, sell_qty = max(qty, 0), max(-qty, 0)
    return {
        "tradingsymbol": position.tradingsymbol,
        "exchange": position.exchange,
        "instrument_token": position.instrument_token,
        "product": position.product,
        "quantity": qty,
        "overnight_quantity": position.overnight_quantity,
        "multiplier": 1,
        "average_price": num(position.average_price),
        "close_price": 0,
        "last_price": num(position.last_price),
        "value": num(value),
        "pnl": num(position.pnl),
        "m2m": num(position.pnl),
        "unrealised": num(position.pnl),
        "realised": 0,
        "buy_quantity": buy_qty,
        "buy_price": num(position.average_price) if buy_qty else 0,
        "buy_value": num(position.average_price * buy_qty),
        "buy_m2m": num(position.average_price * buy_qty),
        "sell_quantity": sell_qty,
        "sell_price": num(position.average_price) if sell_qty else 0,
        "sell_value": num(position.average_price * sell_qty),
        "sell_m2m": num(position.average_price * sell_qty),
        "day_buy_quantity": buy_qty,
        "day_buy_price": num(position.average_price) if buy_qty else 0,
        "day_buy_value": num(position.average_price * buy_qty),
        "day_sell_quantity": sell_qty,
        "day_sell_price": num(position.average_price) if sell_qty else 0,
        "day_sell_value": num(position.average_price * sell_qty),
    }


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
