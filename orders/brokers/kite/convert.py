"""Kite wire values -> broker dataclasses (no Django, no kiteconnect).

Kite sends naive "YYYY-MM-DD HH:MM:SS" times in Asia/Kolkata (kiteconnect parses 19-char values
into naive datetimes; postbacks and ticker order updates keep them as strings) and prices as JSON
numbers (floats). We keep aware UTC datetimes and Decimal prices
(see /work/shared/research/kite-api.md §1.5, §3, §4).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from oms_project.lib.brokers import BrokerFunds, BrokerOrder, BrokerPosition, BrokerTrade

IST = ZoneInfo("Asia/Kolkata")
KITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def to_decimal(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal("0")
    if isinstance(value, Decimal):
        return value
    try:
        # str() first: Decimal(0.1) would carry the float's binary noise.
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal("0")


def to_utc(value: Any) -> datetime | None:
    """A Kite time (naive IST datetime or 19-char string, or an aware datetime) as aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if len(value) != 19:
            return None  # e.g. trades' "09:16:39", which has no date
        try:
            value = datetime.strptime(value, KITE_TIME_FORMAT)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=IST)
    return value.astimezone(UTC)


def to_kite_time(value: datetime | None) -> str | None:
    """Aware datetime -> Kite's naive IST string."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(IST).strftime(KITE_TIME_FORMAT)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def order_from_kite(row: dict[str, Any]) -> BrokerOrder:
    """One element of GET /orders, GET /orders/{id}, a postback or a ticker order update."""
    raw = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    return BrokerOrder(
        broker_order_id=str(row.get("order_id") or ""),
        status=str(row.get("status") or ""),
        tag=row.get("tag") or None,
        exchange=str(row.get("exchange") or ""),
        tradingsymbol=str(row.get("tradingsymbol") or ""),
        instrument_token=_int(row.get("instrument_token")),
        transaction_type=str(row.get("transaction_type") or ""),
        order_type=str(row.get("order_type") or ""),
        product=str(row.get("product") or ""),
        validity=str(row.get("validity") or "DAY"),
        quantity=_int(row.get("quantity")),
        filled_quantity=_int(row.get("filled_quantity")),
        pending_quantity=_int(row.get("pending_quantity")),
        cancelled_quantity=_int(row.get("cancelled_quantity")),
        price=to_decimal(row.get("price")),
        trigger_price=to_decimal(row.get("trigger_price")),
        average_price=to_decimal(row.get("average_price")),
        status_message=row.get("status_message") or None,
        exchange_order_id=(str(row["exchange_order_id"]) if row.get("exchange_order_id") else None),
        order_timestamp=to_utc(row.get("order_timestamp")),
        exchange_timestamp=to_utc(row.get("exchange_timestamp")),
        raw=raw,
    )


def trade_from_kite(row: dict[str, Any]) -> BrokerTrade:
    fill = to_utc(row.get("fill_timestamp")) or to_utc(row.get("exchange_timestamp"))
    return BrokerTrade(
        trade_id=str(row.get("trade_id") or ""),
        broker_order_id=str(row.get("order_id") or ""),
        exchange=str(row.get("exchange") or ""),
        tradingsymbol=str(row.get("tradingsymbol") or ""),
        instrument_token=_int(row.get("instrument_token")),
        transaction_type=str(row.get("transaction_type") or ""),
        product=str(row.get("product") or ""),
        quantity=_int(row.get("quantity")),
        price=to_decimal(row.get("average_price")),
        fill_timestamp=fill or datetime.now(UTC),
    )


def position_from_kite(row: dict[str, Any]) -> BrokerPosition:
    return BrokerPosition(
        exchange=str(row.get("exchange") or ""),
        tradingsymbol=str(row.get("tradingsymbol") or ""),
        instrument_token=_int(row.get("instrument_token")),
        product=str(row.get("product") or ""),
        quantity=_int(row.get("quantity")),
        overnight_quantity=_int(row.get("overnight_quantity")),
        average_price=to_decimal(row.get("average_price")),
        last_price=to_decimal(row.get("last_price")),
        pnl=to_decimal(row.get("pnl")),
    )


def funds_from_kite(margins: dict[str, Any]) -> BrokerFunds:
    """GET /user/margins -> funds of the equity segment (F&O trades against it)."""
    equity = margins.get("equity", margins) or {}
    available = equity.get("available") or {}
    utilised = equity.get("utilised") or {}
    return BrokerFunds(
        available_cash=to_decimal(available.get("live_balance", available.get("cash"))),
        used_margin=to_decimal(utilised.get("debits")),
        net=to_decimal(equity.get("net")),
    )


def postback_checksum(order_id: str, order_timestamp: str, api_secret: str) -> str:
    """sha256(order_id + order_timestamp + api_secret), hex (kite-api.md §4.1)."""
    return hashlib.sha256(f"{order_id}{order_timestamp}{api_secret}".encode()).hexdigest()


def postback_checksum_ok(payload: dict[str, Any], api_secret: str) -> bool:
    expected = postback_checksum(
        str(payload.get("order_id") or ""), str(payload.get("order_timestamp") or ""), api_secret
    )
    return hmac.compare_digest(expected, str(payload.get("checksum") or ""))


def session_checksum(api_key: str, request_token: str, api_secret: str) -> str:
    """The /session/token checksum: sha256(api_key + request_token + api_secret), hex (§1.1)."""
    return hashlib.sha256(f"{api_key}{request_token}{api_secret}".encode()).hexdigest()
