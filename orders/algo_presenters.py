"""The JSON of a parent execution (TWAP / ICEBERG / DEPTH_SPLIT): the API's answer and the `/ws/orders/` push
(frame type "execution") are the same dict. Decimals are strings (the API's money format)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .domain import TERMINAL
from .execution_models import AdvancedExecutionSlice, AdvancedOrderExecution


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _q4(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v).quantize(Decimal("0.0001"))


def _iso(v: datetime | None) -> str | None:
    return None if v is None else v.isoformat()


def time_left_seconds(ex: AdvancedOrderExecution, now: datetime) -> int | None:
    """A TWAP's (or a depth-aware split's) seconds until its planned end (0 when past it or ended); None for an
    iceberg (no clock)."""
    ends = (ex.params or {}).get("ends_at")
    if ex.algorithm == AdvancedOrderExecution.Algorithm.ICEBERG or not ends:
        return None
    if ex.status not in ("PENDING", "RUNNING", "PAUSED"):
        return 0
    return max(0, int((datetime.fromisoformat(ends) - now).total_seconds()))


def slippage_vs_arrival_bps(ex: AdvancedOrderExecution) -> Decimal | None:
    """Average fill vs the arrival price in bps; a cost is positive (a buy above, a sell below arrival)."""
    if ex.average_price is None or not ex.arrival_price:
        return None
    sign = 1 if ex.transaction_type == "BUY" else -1
    bps = sign * (Decimal(ex.average_price) - Decimal(ex.arrival_price)) / Decimal(ex.arrival_price) * 10_000
    return bps.quantize(Decimal("0.01"))


def slice_json(s: AdvancedExecutionSlice) -> dict[str, Any]:
    o = s.order
    return {
        "number": s.number,
        "status": s.status,
        "planned_at": _iso(s.planned_at),
        "quantity": s.quantity,
        "send_quantity": s.send_quantity,
        "sent_at": _iso(s.sent_at),
        "order_id": s.order_id,
        "order_status": o.status if o is not None else None,
        "filled_quantity": o.filled_quantity if o is not None else 0,
        "average_price": _s(o.average_price) if o is not None else None,
        "note": s.note,
    }


def execution_json(
    ex: AdvancedOrderExecution, *, now: datetime | None = None, with_slices: bool = False
) -> dict[str, Any]:
    now = now or timezone.now()
    slices = list(ex.slices.select_related("order").order_by("number")) if ex.pk else []
    done = sum(
        1
        for s in slices
        if s.status == AdvancedExecutionSlice.Status.SKIPPED
        or (s.status == AdvancedExecutionSlice.Status.SENT and s.order is not None and s.order.status in TERMINAL)
    )
    params = {k: v for k, v in (ex.params or {}).items() if k not in ("paused_at", "claim")}
    out = {
        "id": ex.pk,
        "algorithm": ex.algorithm,
        "status": ex.status,
        "status_message": ex.status_message,
        "account_id": ex.account_id,
        "strategy_id": ex.strategy_id,
        "instrument_token": ex.instrument_token,
        "exchange": ex.exchange,
        "tradingsymbol": ex.tradingsymbol,
        "transaction_type": ex.transaction_type,
        "product": ex.product,
        "total_quantity": ex.total_quantity,
        "filled_quantity": ex.filled_quantity,
        "progress_pct": _s((Decimal(ex.filled_quantity) * 100 / ex.total_quantity).quantize(Decimal("0.1")))
        if ex.total_quantity
        else "0.0",
        "limit_price": _s(ex.limit_price),
        "arrival_price": _s(_q4(ex.arrival_price)),
        "average_price": _s(_q4(ex.average_price)),
        "slippage_bps": _s(slippage_vs_arrival_bps(ex)),
        "slices_total": ex.slices_total if ex.algorithm == AdvancedOrderExecution.Algorithm.TWAP else len(slices),
        "slices_sent": ex.slices_sent,
        "slices_done": done,
        "time_left_seconds": time_left_seconds(ex, now),
        "next_slice_at": _iso(ex.next_slice_at),
        "started_at": _iso(ex.started_at),
        "ended_at": _iso(ex.ended_at),
        "updated_at": _iso(ex.updated_at or now),
        "params": params,
    }
    if with_slices:
        out["slices"] = [slice_json(s) for s in slices]
    return out
