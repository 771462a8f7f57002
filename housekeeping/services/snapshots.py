"""Strategy P&L snapshots (seed 001 "Strategy P&L Snapshot", every 5 minutes in market hours): per active
strategy with something open, the positions, open orders, realised and unrealised P&L, margin used and Greeks
at the 5-minute mark, for the intraday M2M chart. One row per (strategy, mark): a rerun in the same 5 minutes
updates it.

- margin used: the margin engine's figure for the strategy alone (`margin.selectors.strategy_margin`: its open
  positions and working orders margined together with the strategy's buffer policy; `total_blocked`);
- Greeks: the risk engine's Greeks book (`risk.greeks_book.book_positions`, Black-76 per position, summed per
  strategy with `risk.greeks.totals_by_strategy`), ₹ figures as strings; empty when the strategy holds
  nothing open. A failure of either is logged on the run and leaves that figure empty (None / {}); the P&L
  is still stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from margin import selectors as margin_selectors
from orders import selectors as order_selectors
from orders.domain import WORKING
from portfolio.models import Position, Strategy
from risk import greeks as risk_greeks
from risk import greeks_book

from ..models import StrategySnapshot

MARK_MINUTES = 5
GREEK_FIGURES = greeks_book.FIGURES  # delta_inr, gamma_inr, vega_inr, theta_inr, premium_inr


def mark_of(at: datetime) -> datetime:
    return at.replace(minute=at.minute - at.minute % MARK_MINUTES, second=0, microsecond=0)


def greeks_json(t: risk_greeks.GreeksTotals) -> dict[str, Any]:
    """A strategy's Greeks totals as stored on the snapshot (₹ figures as 2-decimal strings)."""
    return {"positions": t.positions, **{k: f"{Decimal(str(round(getattr(t, k), 2))):.2f}" for k in GREEK_FIGURES}}


def _account_greeks(account: Any, at: datetime) -> dict[int | None, dict[str, Any]]:
    _, pg = greeks_book.book_positions(account, at)
    return {sid: greeks_json(t) for sid, t in risk_greeks.totals_by_strategy(pg).items()}


def job_strategy_snapshots(run: Any) -> None:
    mark = mark_of(run.at)
    strategies = (
        Strategy.objects.filter(is_active=True)
        .select_related("account")
        .annotate(n_open=Count("orders", filter=Q(orders__status__in=list(WORKING)), distinct=True))
    )
    if run.strategy_id is not None:
        strategies = strategies.filter(pk=run.strategy_id)
    greeks_by_account: dict[int, dict[int | None, dict[str, Any]]] = {}
    due: dict[int, list[tuple[Any, list[Position]]]] = defaultdict(list)
    for s in strategies:
        positions = list(Position.objects.filter(strategy=s))
        if positions or s.n_open:
            due[s.account_id].append((s, positions))
    for account_id, rows in due.items():
        account = rows[0][0].account
        if any(p.quantity for _, positions in rows for p in positions):
            try:
                greeks_by_account[account_id] = _account_greeks(account, run.at)
            except Exception as exc:  # noqa: BLE001 - the P&L is still worth storing
                run.error(f"account {account_id} Greeks: {exc}")
        for s, positions in rows:
            _snapshot(run, s, positions, mark, greeks_by_account.get(account_id, {}).get(s.pk, {}))


def _snapshot(run: Any, s: Any, positions: list[Position], mark: datetime, greeks: dict[str, Any]) -> None:
    run.look("strategies")
    open_positions = [p for p in positions if p.quantity]
    marks = order_selectors.position_marks(open_positions, run.at)
    unreal = sum(
        ((Decimal(marks.get(p.instrument_token, p.last_price or p.average_price)) - Decimal(p.average_price))
         * p.quantity for p in open_positions),
        Decimal(0),
    )  # fmt: skip
    realised = sum((Decimal(p.realized_pnl) for p in positions), Decimal(0))
    try:
        margin_used: Decimal | None = margin_selectors.strategy_margin(s, at=run.at).total_blocked
        margin_used = Decimal(margin_used).quantize(Decimal("0.01"))
    except Exception as exc:  # noqa: BLE001 - no margin figure: stored empty, said in the log
        run.error(f"strategy {s.pk} margin: {exc}")
        margin_used = None
    StrategySnapshot.objects.update_or_create(
        strategy=s,
        at=mark,
        defaults={
            "positions": len(open_positions),
            "open_orders": s.n_open,
            "realised_pnl": realised.quantize(Decimal("0.01")),
            "unrealised_pnl": unreal.quantize(Decimal("0.01")),
            "margin_used": margin_used,
            "greeks": greeks if open_positions else {},
        },
    )
    run.done("snapshots", s.pk)


def snapshots_for(*, user: Any, strategy_id: int, day: Any = None) -> list[StrategySnapshot]:
    qs = StrategySnapshot.objects.filter(strategy_id=strategy_id, strategy__user=user)
    if day is not None:
        qs = qs.filter(at__date=day)
    return list(qs.order_by("at"))
