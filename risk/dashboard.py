"""Reads of the strategy risk dashboard (issue #12): risk metric cards per strategy and for the account, each with
its risk level (risk/levels.py, the seeds' LOW / MEDIUM / HIGH / EXTREME), built on the same selectors as
`GET /api/v1/risk/summary/` (risk.selectors.risk_summary), the Greeks book (risk.greeks_book.greeks_view) and
margin's per-strategy figures; plus the per-position guards and the monitor's REDUCING statuses. Scoped to the
owner: another user's strategy is not found."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from oms_project.lib.errors import DomainError
from portfolio.models import Strategy

from . import errors, levels, selectors
from .models import PositionGuardConfig, RiskStatus, StrategyRiskDay

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _d(v: Any) -> Decimal | None:
    return Decimal(str(v)) if v is not None else None


def _limit_row(
    title: str, value: Any, limit: Any, *, unit: str = "₹", code: str = "", level: str | None = None
) -> dict[str, Any]:
    """One limit on a card: its value, the limit, the headroom and how much is used; its level from that share
    (`level` given: margin utilisation, whose own figure the seeds' bands judge)."""
    v, cap = _d(value), _d(limit)
    used = levels.used_pct(v, cap)
    return {
        "title": title,
        "code": code,
        "unit": unit,
        "value": v,
        "limit": cap,
        "headroom": (cap - abs(v)) if v is not None and cap is not None else None,
        "used_pct": used,
        "level": level or levels.level_of(used),
    }


def position_guards_for(strategy: Strategy) -> dict[str, Any]:
    """The strategy's per-position guards (its PositionGuardConfig, else the house defaults
    settings.RISK_POSITION_GUARDS, as the monitor reads them)."""
    cfg = PositionGuardConfig.objects.filter(strategy=strategy).first()
    if cfg is not None:
        return {
            "stored": True,
            "enabled": cfg.enabled,
            "target_pnl": cfg.target_pnl,
            "stop_loss_pnl": cfg.stop_loss_pnl,
            "timeout_hours": cfg.timeout_hours,
            "auto_close_on_target": cfg.auto_close_on_target,
            "auto_close_on_stop": cfg.auto_close_on_stop,
            "auto_close_on_timeout": cfg.auto_close_on_timeout,
        }
    house = dict(getattr(settings, "RISK_POSITION_GUARDS", {}) or {})
    return {
        "stored": False,
        "enabled": bool(house.get("enabled", True)),
        "target_pnl": _d(house.get("target_pnl", 2000)),
        "stop_loss_pnl": _d(house.get("stop_loss_pnl", 1000)),
        "timeout_hours": _d(house.get("timeout_hours", 6)),
        "auto_close_on_target": False,
        "auto_close_on_stop": False,
        "auto_close_on_timeout": False,
    }


def _strategy_margin(strategy: Strategy, at: datetime) -> Any:
    try:
        from margin import selectors as margin_selectors

        return margin_selectors.strategy_margin(strategy, at=at)
    except Exception:  # noqa: BLE001 - a broker account or no margin figure: the card shows what it can
        return None


def _status(row: RiskStatus | None, today: Any) -> dict[str, Any] | None:
    if row is None or row.status != RiskStatus.REDUCING or row.trading_day != today:
        return None
    return {"id": row.pk, "code": row.code, "reason": row.reason, "since": row.since}


def strategy_dashboard(
    *, user: AbstractBaseUser, account_id: int | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """The account card and one card per strategy of the account."""
    from . import greeks_book

    at = at or timezone.now()
    today = timezone.localdate(at)
    summary = selectors.risk_summary(user=user, account_id=account_id)
    account_id = summary["account_id"]
    book = greeks_book.greeks_view(user=user, account_id=account_id, at=at)
    greeks_by = {g["strategy_id"]: g for g in book["by_strategy"]}
    strategies = {s.pk: s for s in Strategy.objects.filter(account_id=account_id, user=user)}
    statuses = {
        r.strategy_id: r
        for r in RiskStatus.objects.filter(account_id=account_id, status=RiskStatus.REDUCING, trading_day=today)
    }
    peaks = {
        r.strategy_id: Decimal(r.peak_pnl)
        for r in StrategyRiskDay.objects.filter(strategy_id__in=list(strategies), trading_day=today)
    }
    account_limits = {row["limit_name"]: row for row in summary["limits"]}
    cards = []
    for row in summary["strategies"]:
        s = strategies[row["strategy_id"]]
        resolved = selectors.limits_resolved(account_id=account_id, strategy=s)
        pnl = Decimal(row["pnl_today"])
        peak = max(peaks.get(s.pk, ZERO), ZERO, pnl)
        g = greeks_by.get(s.pk, {})
        m = _strategy_margin(s, at)
        util = _d(m.utilisation_pct) if m is not None and m.utilisation_pct is not None else None
        rows = [
            _limit_row(
                "Loss today (strategy cap)", max(ZERO, -pnl), row["loss_limit"], code=resolved["daily_loss"].code
            )
        ]
        if resolved["open_positions"].enabled:
            rows.append(
                _limit_row(
                    "Open positions",
                    row["open_positions"],
                    resolved["open_positions"]["max"],
                    unit="",
                    code=resolved["open_positions"].code,
                )
            )
        if util is not None:
            mu = resolved["margin_utilisation"]
            rows.append(
                _limit_row(
                    "Margin utilisation",
                    util,
                    mu["pct"] if mu.enabled else None,
                    unit="%",
                    code=mu.code,
                    level=levels.level_of(util),
                )
            )
        gl = resolved["greeks"]
        rows.append(
            _limit_row("Net delta", g.get("delta_inr", ZERO), gl["max_delta_inr"] if gl.enabled else None, code=gl.code)
        )
        rows.append(
            _limit_row("Net vega", g.get("vega_inr", ZERO), gl["max_vega_inr"] if gl.enabled else None, code=gl.code)
        )
        status = _status(statuses.get(s.pk), today)
        card_levels = [r["level"] for r in rows if r["limit"] is not None]
        if util is not None:
            card_levels.append(levels.level_of(util))  # the seeds' bands of utilisation itself
        level = levels.EXTREME if status else levels.worst(card_levels)
        cards.append(
            {
                "strategy_id": s.pk,
                "name": s.name,
                "preset": s.preset,
                "level": level,
                "pnl_today": pnl,
                "peak_pnl": peak.quantize(CENT),
                "drawdown": (peak - pnl).quantize(CENT),
                "utilisation_pct": util,
                "margin_used": _d(m.used) if m is not None else None,
                "greeks": {k: g.get(k, ZERO) for k in ("delta_inr", "gamma_inr", "vega_inr", "theta_inr")},
                "limits": rows,
                "status": status,
                "guards": position_guards_for(s),
            }
        )
    # --- the account's card
    margin = summary["margin"]
    util = _d(margin.get("utilisation_pct"))
    arows = []
    for key, title, unit in (
        ("daily_loss", "Loss today", "₹"),
        ("drawdown", "Drawdown from the day's peak", "%"),
        ("margin_utilisation", "Margin utilisation", "%"),
        ("open_positions", "Open positions", ""),
        ("orders_per_minute", "Orders in the last minute", ""),
    ):
        r = account_limits.get(key)
        if r is not None and r["enabled"] and r["limit"] is not None:
            own = levels.level_of(_d(r["value"])) if key == "margin_utilisation" else None
            arows.append(_limit_row(title, r["value"], r["limit"], unit=unit, code=r["code"], level=own))
    a_status = _status(statuses.get(None), today)
    a_levels = [r["level"] for r in arows]
    if util is not None:
        a_levels.append(levels.level_of(util))
    ks = summary["kill_switch"]
    account_card = {
        "level": levels.EXTREME if (a_status or ks["engaged"]) else levels.worst(a_levels),
        "pnl_today": summary["pnl_today"],
        "equity": summary["equity"],
        "peak_equity": summary["peak_equity"],
        "drawdown": summary["drawdown"],
        "drawdown_pct": summary["drawdown_pct"],
        "utilisation_pct": util,
        "greeks": {k: book["account"][k] for k in ("delta_inr", "gamma_inr", "vega_inr", "theta_inr")},
        "limits": arows,
        "status": a_status,
    }
    return {
        "account_id": account_id,
        "as_of": at,
        "account": account_card,
        "strategies": cards,
        "kill_switch": ks,
        "correlation": book["correlation"],
    }


def strategy_card(*, user: AbstractBaseUser, strategy_id: int, at: datetime | None = None) -> dict[str, Any]:
    """One strategy's card (the strategy page); RiskStrategyNotFound for another user's strategy."""
    strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
    if strategy is None:
        raise errors.RiskStrategyNotFound()
    view = strategy_dashboard(user=user, account_id=strategy.account_id, at=at)
    card = next(c for c in view["strategies"] if c["strategy_id"] == strategy.pk)
    return {**view, "strategy": strategy, "card": card}


def risk_page_extras(
    *, user: AbstractBaseUser, account_id: int, instrument_key: str = "", stop_distance: str = ""
) -> dict[str, Any]:
    """What /risk/ shows beside the kill switch: the correlated exposure of the book (risk.greeks_book), the
    risk-per-trade limit in ₹, and, for an instrument ("NFO:NIFTY26DECFUT") and a stop distance, the
    liquidity-based sizing advice (risk.greeks_book.sizing_view). Unknown instruments or a bad stop give `error`."""
    from decimal import InvalidOperation

    from marketdata import selectors as md
    from portfolio import selectors as portfolio_selectors

    from . import greeks_book

    book = greeks_book.greeks_view(user=user, account_id=account_id)
    account = selectors.owner_objects(user=user, account_id=account_id, strategy_id=None)[0]
    capital = selectors.capital_of(portfolio_selectors.funds_for(account))
    rpt = selectors.limits_resolved(account_id=account.pk)["risk_per_trade"]
    out: dict[str, Any] = {
        "correlation": book["correlation"],
        "by_underlying": book["by_underlying"],
        "risk_per_trade": {
            "enabled": rpt.enabled,
            "pct": rpt["pct"],
            "budget": (capital * Decimal(rpt["pct"]) / 100).quantize(CENT) if rpt.enabled else None,
        },
        "choices": sorted({f"{p['tradingsymbol']}" for p in book["positions"]}),
        "instrument_key": instrument_key,
        "stop_distance": stop_distance,
        "sizing": None,
        "error": "",
    }
    if not instrument_key:
        return out
    try:
        key = instrument_key.strip().upper()
        inst = md.instrument_get_by_key(key if ":" in key else f"NFO:{key}")
        stop = Decimal(stop_distance.strip()) if (stop_distance or "").strip() else None
        if stop is not None and (not stop.is_finite() or stop <= 0):
            raise InvalidOperation
    except InvalidOperation:
        out["error"] = "The stop distance must be a positive number of rupees per unit."
        return out
    except DomainError as exc:
        out["error"] = exc.message
        return out
    out["sizing"] = greeks_book.sizing_view(
        user=user, instrument_token=inst.instrument_token, stop_distance=stop, account_id=account.pk
    )
    return out


def ticket_sizing(
    *, user: AbstractBaseUser, account_id: int | None, instrument_token: int, stop_distance: Decimal | None
) -> dict[str, Any] | None:
    """The order ticket's one-line sizing advice (risk.greeks_book.sizing_view), or None when it cannot be had."""
    from . import greeks_book

    try:
        return greeks_book.sizing_view(
            user=user, instrument_token=instrument_token, stop_distance=stop_distance, account_id=account_id
        )
    except DomainError:
        return None
