"""Strategy P&L snapshots (seed 001 "Strategy P&L Snapshot", every 5 minutes in market hours): per active
strategy with something open, the positions, open orders, realised and unrealised P&L at the 5-minute
mark, for the intraday M2M chart. One row per (strategy, mark): a rerun in the same 5 minutes updates it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from orders import selectors as order_selectors
from orders.domain import WORKING
from portfolio.models import Position, Strategy

from ..models import StrategySnapshot

MARK_MINUTES = 5


def mark_of(at: datetime) -> datetime:
    return at.replace(minute=at.minute - at.minute % MARK_MINUTES, second=0, microsecond=0)


def job_strategy_snapshots(run: Any) -> None:
    mark = mark_of(run.at)
    strategies = Strategy.objects.filter(is_active=True).annotate(
        n_open=Count("orders", filter=Q(orders__status__in=list(WORKING)), distinct=True)
    )
    if run.strategy_id is not None:
        strategies = strategies.filter(pk=run.strategy_id)
    for s in strategies:
        positions = list(Position.objects.filter(strategy=s))
        if not positions and not s.n_open:
            continue
        run.look("strategies")
        marks = order_selectors.position_marks([p for p in positions if p.quantity], run.at)
        unreal = sum(
            ((Decimal(marks.get(p.instrument_token, p.last_price or p.average_price)) - Decimal(p.average_price))
             * p.quantity for p in positions if p.quantity),
            Decimal(0),
        )  # fmt: skip
        realised = sum((Decimal(p.realized_pnl) for p in positions), Decimal(0))
        StrategySnapshot.objects.update_or_create(
            strategy=s,
            at=mark,
            defaults={
                "positions": sum(1 for p in positions if p.quantity),
                "open_orders": s.n_open,
                "realised_pnl": realised.quantize(Decimal("0.01")),
                "unrealised_pnl": unreal.quantize(Decimal("0.01")),
            },
        )
        run.done("snapshots", s.pk)


def snapshots_for(*, user: Any, strategy_id: int, day: Any = None) -> list[StrategySnapshot]:
    qs = StrategySnapshot.objects.filter(strategy_id=strategy_id, strategy__user=user)
    if day is not None:
        qs = qs.filter(at__date=day)
    return list(qs.order_by("at"))
