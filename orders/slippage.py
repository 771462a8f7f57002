"""Slippage reads (issue #11): the recent median per instrument and the summaries behind
`GET /api/v1/analytics/slippage/` and the slippage page. Always scoped to the owner.

Buckets (docs/execution.md):
    size          1 lot, 2-5, 6-20, 21+ lots (the decided order's size)
    time of day   the IST half hour the fill happened in ("09:15" is 09:15-09:44, then "09:45", ...)
Figures per bucket: fills, quantity, quantity-weighted average bps, median bps (of fills), total ₹, and the
share of fills at the expected price or better (the seeds' "95%+ orders executed at expected price or
better" [QR Success Metrics]).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from .models import OrderSlippageHistory

IST = ZoneInfo("Asia/Kolkata")
RECENT_FILLS = 50  # the median shown next to an estimate: the instrument's last 50 fills
DIMENSIONS = ("instrument", "order_type", "algorithm", "size_bucket", "time_of_day")
_CENT = Decimal("0.01")


def recent_median_bps(*, user_id: int, instrument_token: int, limit: int = RECENT_FILLS) -> dict[str, Any] | None:
    """The median slippage (bps vs arrival) of the owner's last `limit` fills of an instrument, or None."""
    values = list(
        OrderSlippageHistory.objects.filter(user_id=user_id, instrument_token=instrument_token)
        .order_by("-filled_at")
        .values_list("slippage_bps", flat=True)[:limit]
    )
    if not values:
        return None
    return {"median_bps": _q(Decimal(statistics.median(values))), "fills": len(values)}


def size_bucket(lots: int) -> str:
    if lots <= 1:
        return "1 lot"
    if lots <= 5:
        return "2-5 lots"
    if lots <= 20:
        return "6-20 lots"
    return "21+ lots"


def time_bucket(at: datetime) -> str:
    local = at.astimezone(IST)
    minutes = local.hour * 60 + local.minute
    # Half hours aligned on the 09:15 open: 09:15, 09:45, 10:15, ...
    start = 9 * 60 + 15 + ((minutes - (9 * 60 + 15)) // 30) * 30
    return f"{start // 60:02d}:{start % 60:02d}"


@dataclass(frozen=True, slots=True)
class Fill:
    """The figures of one slippage row a summary needs (plain values: the summary is pure)."""

    instrument: str
    order_type: str
    algorithm: str
    lots: int
    quantity: int
    slippage_bps: Decimal
    slippage_inr: Decimal
    vs_expected_bps: Decimal | None
    filled_at: datetime

    def key(self, dimension: str) -> str:
        if dimension == "size_bucket":
            return size_bucket(self.lots)
        if dimension == "time_of_day":
            return time_bucket(self.filled_at)
        return str(getattr(self, dimension))


def _q(x: Decimal) -> Decimal:
    return x.quantize(_CENT, ROUND_HALF_EVEN)


def _figures(fills: list[Fill]) -> dict[str, Any]:
    qty = sum(f.quantity for f in fills)
    weighted = sum((f.slippage_bps * f.quantity for f in fills), Decimal(0))
    judged = [f for f in fills if f.vs_expected_bps is not None]
    at_or_better = sum(1 for f in judged if f.vs_expected_bps <= 0)  # type: ignore[operator]
    return {
        "fills": len(fills),
        "quantity": qty,
        "avg_bps": _q(weighted / qty) if qty else None,
        "median_bps": _q(Decimal(statistics.median(f.slippage_bps for f in fills))) if fills else None,
        "total_inr": _q(sum((f.slippage_inr for f in fills), Decimal(0))),
        "at_or_better_pct": _q(Decimal(100 * at_or_better) / len(judged)) if judged else None,
    }


def summarise(fills: Iterable[Fill]) -> dict[str, Any]:
    """Overall figures and one list of buckets per dimension (sorted by key)."""
    rows = list(fills)
    out: dict[str, Any] = {"overall": _figures(rows)}
    for dim in DIMENSIONS:
        groups: dict[str, list[Fill]] = defaultdict(list)
        for f in rows:
            groups[f.key(dim)].append(f)
        out[f"by_{dim}"] = [{"key": k, **_figures(v)} for k, v in sorted(groups.items())]
    return out


def slippage_summary(
    *, user: Any, days: int = 30, instrument_token: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The owner's slippage over the last `days` days (optionally one instrument)."""
    qs = OrderSlippageHistory.objects.filter(user=user)
    if now is None:
        from django.utils import timezone

        now = timezone.now()
    qs = qs.filter(filled_at__gte=now - timedelta(days=days))
    if instrument_token is not None:
        qs = qs.filter(instrument_token=instrument_token)
    fills = (
        Fill(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])
        for r in qs.values_list(
            "tradingsymbol",
            "order_type",
            "algorithm",
            "lots",
            "quantity",
            "slippage_bps",
            "slippage_inr",
            "vs_expected_bps",
            "filled_at",
        ).iterator()
    )
    return {"days": days, "instrument_token": instrument_token, **summarise(fills)}
