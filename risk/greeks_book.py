"""The Greeks of a book and the correlation view (issue #12): reads for `GET /api/v1/risk/greeks/`, the Greeks
dashboard and the risk dashboard's correlated exposure, plus the 5-minute snapshot service (the seeds'
`strategy_greeks_snapshots`, beat `risk.greeks_snapshots_due`).

Greeks per position are Black-76 on the underlying's spot as the forward (risk/monitor.py::position_greeks_for,
IV from each option's last price); aggregated per strategy, per underlying (units: futures-equivalent delta,
gamma per ₹1 move, only meaningful within one underlying) and per account (₹ only).

Correlation: the underlyings' 1-minute spot history over the last `window` minutes of the session (marketdata's
intraday history: `marketdata.selectors.spot_for` at each minute; the simulated market is a deterministic path,
a live feed's recorded candles would stand in the same place), risk/correlation.py for the maths."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import TradingAccount

from . import correlation, greeks
from .models import StrategyGreeksSnapshot

logger = logging.getLogger(__name__)

FIGURES = ("delta_inr", "gamma_inr", "vega_inr", "theta_inr", "premium_inr")
SNAPSHOT_SLOT_MINUTES = 5
DEFAULT_WINDOW = 120


def _r(v: float, places: int = 2) -> Decimal:
    return Decimal(str(round(float(v), places)))


def _totals_json(t: greeks.GreeksTotals, *, units: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"positions": t.positions, **{k: _r(getattr(t, k)) for k in FIGURES}}
    if units:
        out["delta_units"] = _r(t.delta_units, 4)
        out["gamma_units"] = _r(t.gamma_units, 6)
    return out


def book_positions(
    account: TradingAccount, at: datetime | None = None
) -> tuple[list[Any], list[greeks.PositionGreeks]]:
    from portfolio.models import Position

    from .monitor import _marks_for, position_greeks_for

    at = at or timezone.now()
    positions = list(
        Position.objects.filter(account=account).exclude(quantity=0).select_related("strategy").order_by("id")
    )
    marks = _marks_for(positions, {}, at)
    return positions, position_greeks_for(positions, marks, at)


def greeks_view(*, user: AbstractBaseUser, account_id: int | None = None, at: datetime | None = None) -> dict[str, Any]:
    """Per position, per strategy, per underlying and the account's totals; the Greeks limit; today's snapshots
    per strategy (the chart); the correlated exposure."""
    from accounts.selectors import account_resolve

    from . import selectors

    account = account_resolve(user=user, account_id=account_id)
    at = at or timezone.now()
    positions, pg = book_positions(account, at)
    names = {p.strategy_id: p.strategy.name for p in positions if p.strategy_id}
    rows = [
        {
            "position_id": p.pk,
            "tradingsymbol": p.tradingsymbol,
            "strategy_id": p.strategy_id,
            "underlying": g.underlying,
            "quantity": p.quantity,
            "delta_units": _r(g.delta_units, 4),
            "gamma_units": _r(g.gamma_units, 6),
            **{k: _r(getattr(g, k)) for k in FIGURES},
        }
        for p, g in zip(positions, pg, strict=True)
    ]
    by_strategy = [
        {"strategy_id": sid, "name": names.get(sid, "(no strategy)"), **_totals_json(t, units=False)}
        for sid, t in sorted(greeks.totals_by_strategy(pg).items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    by_underlying = [
        {"underlying": u, **_totals_json(t, units=True)} for u, t in sorted(greeks.totals_by_underlying(pg).items())
    ]
    limit = selectors.limits_resolved(account_id=account.pk)["greeks"]
    return {
        "account_id": account.pk,
        "as_of": at,
        "account": _totals_json(greeks.total(pg), units=False),
        "by_strategy": by_strategy,
        "by_underlying": by_underlying,
        "positions": rows,
        "limit": {
            "enabled": limit.enabled,
            "max_delta_inr": limit["max_delta_inr"],
            "max_vega_inr": limit["max_vega_inr"],
        },
        "snapshots": snapshots_today(account, at),
        "correlation": correlation_view({row["underlying"]: float(row["delta_inr"]) for row in by_underlying}, at=at),
    }


def snapshots_today(account: TradingAccount, at: datetime) -> list[dict[str, Any]]:
    start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        {
            "strategy_id": s.strategy_id,
            "taken_at": s.taken_at,
            "positions": s.positions,
            **{k: getattr(s, k) for k in FIGURES},
        }
        for s in StrategyGreeksSnapshot.objects.filter(account=account, taken_at__gte=start, taken_at__lte=at).order_by(
            "taken_at", "strategy_id"
        )
    ]


# --- correlation -----------------------------------------------------------------------------------------------
def minute_history(names: list[str], at: datetime, window: int = DEFAULT_WINDOW) -> np.ndarray:
    """names × (window + 1) spot levels at each minute of the session up to `at` (or the last session's close
    when the market is shut), from marketdata's intraday history."""
    from marketdata import calendar
    from marketdata import selectors as md

    day = timezone.localdate(at)
    if not calendar.is_trading_day("NSE", day):
        day = calendar.previous_trading_day("NSE", day)
    open_at, close_at = calendar.session_bounds(day)
    if at < open_at + timedelta(minutes=window):
        prev = calendar.previous_trading_day("NSE", day)
        open_at, close_at = calendar.session_bounds(prev)
        end = close_at
    else:
        end = min(at, close_at)
    end = end.replace(second=0, microsecond=0)
    times = [end - timedelta(minutes=window - i) for i in range(window + 1)]
    return np.array([[float(md.spot_for(n, t)) for t in times] for n in names])


def correlation_view(exposure: dict[str, float], *, at: datetime, window: int = DEFAULT_WINDOW) -> dict[str, Any]:
    """The held underlyings' rolling correlation (plus NIFTY and BANKNIFTY for reference) and the correlated
    exposure of the book's ₹ delta."""
    threshold = float(getattr(settings, "RISK_CORRELATION_THRESHOLD", correlation.DEFAULT_THRESHOLD))
    names = sorted({*exposure, "NIFTY", "BANKNIFTY"})
    try:
        corr = correlation.rolling_correlation(minute_history(names, at, window), window)
    except Exception:  # noqa: BLE001 - an underlying without a history: shown without correlation
        logger.exception("correlation history failed")
        corr = np.eye(len(names))
    ex = correlation.correlated_exposure(names, corr, {k: v for k, v in exposure.items() if v}, threshold)
    return {
        "window_minutes": window,
        "threshold": threshold,
        "names": names,
        "matrix": [[round(float(x), 3) for x in row] for row in corr],
        "gross_inr": _r(ex.gross_inr),
        "net_inr": _r(ex.net_inr),
        "effective_inr": _r(ex.effective_inr),
        "clusters": [
            {"names": list(c.names), "net_inr": _r(c.net_inr), "gross_inr": _r(c.gross_inr)} for c in ex.clusters
        ],
    }


def sizing_view(
    *, user: AbstractBaseUser, instrument_token: int, stop_distance: Decimal | None, account_id: int | None = None
) -> dict[str, Any]:
    """Liquidity-based sizing advice for one contract next to the risk-per-trade limit (risk/correlation.py)."""
    from accounts.selectors import account_resolve
    from marketdata import lookup
    from portfolio import selectors as portfolio_selectors

    from . import selectors

    account = account_resolve(user=user, account_id=account_id)
    inst = lookup.instrument_by_token(instrument_token)
    quote = lookup.quote(inst)
    capital = float(selectors.capital_of(portfolio_selectors.funds_for(account)))
    rpt = selectors.limits_resolved(account_id=account.pk)["risk_per_trade"]
    house = dict(getattr(settings, "RISK_SIZING", {}) or {})
    advice = correlation.sizing_advice(
        lot_size=int(inst.lot_size or 1),
        capital=capital,
        risk_pct=float(rpt["pct"]) if rpt.enabled else None,
        stop_distance=float(stop_distance) if stop_distance else None,
        volume=int(quote.volume) if quote is not None and quote.volume else None,
        oi=int(quote.oi) if quote is not None and quote.oi else None,
        participation_pct=float(house.get("participation_pct", 1.0)),
        oi_pct=float(house.get("oi_pct", 5.0)),
    )
    return {
        "instrument_token": inst.instrument_token,
        "tradingsymbol": inst.tradingsymbol,
        "lot_size": inst.lot_size,
        "lots": advice.lots,
        "quantity": advice.lots * int(inst.lot_size or 1) if advice.lots is not None else None,
        "binding": advice.binding,
        "by_constraint": advice.by_constraint,
        "risk_per_trade_pct": rpt["pct"] if rpt.enabled else None,
        "volume": quote.volume if quote is not None else None,
        "oi": quote.oi if quote is not None else None,
    }


# --- snapshots (writes) ----------------------------------------------------------------------------------------
def slot_key(now: datetime) -> str:
    local = timezone.localtime(now)
    minute = local.minute - local.minute % SNAPSHOT_SLOT_MINUTES
    return f"{local:%Y-%m-%dT%H}:{minute:02d}"


def greeks_snapshot_take(account: TradingAccount, *, now: datetime) -> int:
    """One row per strategy (and one for the positions without one) in the 5-minute slot; 0 if already taken."""
    slot = slot_key(now)
    if StrategyGreeksSnapshot.objects.filter(account=account, slot=slot).exists():
        return 0
    positions, pg = book_positions(account, now)
    if not positions:
        return 0
    rows = []
    for sid, t in greeks.totals_by_strategy(pg).items():
        mine = [g for g in pg if g.strategy_id == sid]
        rows.append(
            StrategyGreeksSnapshot(
                user_id=account.user_id,
                account=account,
                strategy_id=sid,
                slot=slot,
                taken_at=now,
                positions=t.positions,
                **{k: _r(getattr(t, k)) for k in FIGURES},
                by_underlying={
                    u: {"delta_units": round(x.delta_units, 4), "delta_inr": round(x.delta_inr, 2)}
                    for u, x in greeks.totals_by_underlying(mine).items()
                },
            )
        )
    try:
        with transaction.atomic():
            StrategyGreeksSnapshot.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent run took the slot
        return 0
    return len(rows)


def greeks_snapshots_due(*, now: datetime | None = None) -> int:
    """Every active account with open positions, once per 5-minute slot, only while the NSE session is open."""
    from marketdata import calendar
    from portfolio.models import Position

    now = now or timezone.now()
    if calendar.session_state("NSE", now) != calendar.SessionState.OPEN:
        return 0
    ids = set(Position.objects.exclude(quantity=0).values_list("account_id", flat=True).distinct())
    taken = 0
    for account in TradingAccount.objects.filter(is_active=True, pk__in=ids):
        try:
            taken += greeks_snapshot_take(account, now=now)
        except Exception:  # one account's failure must not stop the others
            logger.exception("Greeks snapshot of account %s failed", account.pk)
    return taken
