"""Presentation helpers for the order pages (no rules, no writes): the contract facts a row needs to
show quantities as lots and prices at the tick's precision, the open / closed-today split of the
positions page with LTP and day change, and the live quotes shown in the ticket's suggestions.

Views call these after their one selector; templates format with `{% load oms_format %}`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import market


def _instruments(tokens: Iterable[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for token in set(tokens):
        try:
            found[token] = market.instrument_by_token(token)
        except Exception:  # an instrument that left the master: rows still render, as plain units
            continue
    return found


def with_contract_facts(rows: Iterable[Any]) -> list[Any]:
    """Set `lot_size` and `tick_size` on each order/position/trade row (one read per instrument)."""
    rows = list(rows)
    instruments = _instruments(r.instrument_token for r in rows)
    for r in rows:
        inst = instruments.get(r.instrument_token)
        r.lot_size = inst.lot_size if inst else None
        r.tick_size = inst.tick_size if inst else None
        if getattr(r, "filled_quantity", None) and getattr(r, "average_price", None) is not None:
            r.filled_value = Decimal(r.average_price) * r.filled_quantity
        if getattr(r, "trade_id", None) and getattr(r, "price", None) is not None:
            r.value = Decimal(r.price) * r.quantity
    return rows


def mark_positions(rows: list[Any], marks: dict[int, Decimal]) -> list[Any]:
    """LTP, previous close, unrealised and total P&L and the day change on each position row."""
    with_contract_facts(rows)
    instruments = _instruments(r.instrument_token for r in rows)
    for p in rows:
        ltp = marks.get(p.instrument_token, p.last_price)
        p.last_price = ltp
        quote = market.quote(instruments[p.instrument_token]) if p.instrument_token in instruments else None
        close = quote.close if quote is not None and quote.close else None
        avg = Decimal(p.average_price or 0)
        p.unrealised_pnl = (Decimal(ltp) - avg) * p.quantity if p.quantity and ltp else Decimal(0)
        # Booked so far: realised P&L plus the daily futures M2M already settled into the ledger (the position is
        # then carried at the settlement price, so the unrealised part starts there).
        p.booked_pnl = Decimal(p.realized_pnl or 0) + Decimal(getattr(p, "m2m_settled", 0) or 0)
        p.total_pnl = p.booked_pnl + p.unrealised_pnl
        p.prev_close = close
        p.day_change = day_change(ltp=ltp, close=close, avg=avg, quantity=p.quantity,
                                  overnight=getattr(p, "overnight_quantity", 0) or 0)
        p.day_change_pct = (Decimal(ltp) - close) / close * 100 if close and ltp else None
    return rows


def day_change(*, ltp: Any, close: Any, avg: Decimal, quantity: int, overnight: int) -> Decimal | None:
    """Today's P&L on the open quantity: what was carried from yesterday moves from the previous close,
    what was opened today from its average (as static/js/orders.js recomputes it on each tick)."""
    if not ltp or not quantity:
        return None
    ltp = Decimal(ltp)
    carried = overnight if overnight and (overnight > 0) == (quantity > 0) else 0
    carried = max(carried, quantity) if quantity < 0 else min(carried, quantity)
    if carried and not close:
        return None
    return (ltp - Decimal(close or 0)) * carried + (ltp - avg) * (quantity - carried)


def split_positions(rows: list[Any], today: date | None = None) -> dict[str, list[Any]]:
    """Open positions; the ones closed today (flat, touched today); older flat ones."""
    today = today or timezone.localdate()
    opened = [p for p in rows if p.quantity]
    flat = [p for p in rows if not p.quantity]

    def day(p: Any) -> date | None:
        if getattr(p, "trading_day", None):
            return p.trading_day
        return timezone.localdate(p.updated_at) if getattr(p, "updated_at", None) else None

    return {
        "open": opened,
        "closed_today": [p for p in flat if day(p) == today],
        "closed_earlier": [p for p in flat if day(p) != today],
    }


def typeahead_quotes(instruments: list[Any]) -> list[Any]:
    """The live LTP (not the master's previous close) on each ticket suggestion."""
    for inst in instruments:
        q = market.quote(inst)
        inst.live_ltp = q.last_price if q is not None and q.last_price else None
        inst.live_change_pct = q.change_pct if q is not None else None
    return instruments
