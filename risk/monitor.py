"""The live monitor (issue #12): the book revalued on every tick batch, and what risk does about a breach.

marketdata's feed publishes `marketdata.tick_batch` (marketdata/events.py) after each iteration; `on_tick_batch`
(subscribed in risk/apps.py) revalues every account holding one of the batch's instruments, in the feed's own
iteration (so a breach is acted on within the same second as the tick that caused it):

    P&L per position, strategy and account (risk/monitor_math.py, numpy), equity, the day's peak (raised in
    AccountRiskDay) and drawdown, margin utilisation (margin.selectors.account_margin), Greeks (Black-76,
    risk/greeks.py: IV from each option's last price, the underlying's spot as the forward).

Levels (monitor_math.alert_level): WARNING at 80 % of a limit, CRITICAL at the limit, URGENT at 125 %. Each level
is alerted once per check and day (RiskStatus.alerted). At CRITICAL:
    daily loss, drawdown        the account's kill switch is engaged (AUTO): REDUCING, open orders cancelled and
                                the book squared off by the order core (risk.kill_switch_engaged), then HALTED
    margin utilisation, Greeks  the account's RiskStatus → REDUCING: the `risk.monitor` stage refuses orders that
                                do not reduce a position (the book is left as it is: the trader decides)
    a strategy's loss cap       the strategy's RiskStatus (its `risk_status`) → REDUCING; its positions squared
                                off when `auto_square_off_on_loss_limit` (risk.square_off_requested → orders)
and a risk event is logged. Per-position guards (target / stop in ₹ of P&L, timeout in hours; PositionGuardConfig
or settings.RISK_POSITION_GUARDS) alert once a day per position, and close it when auto-close is on
(risk.position_exit_requested → orders' position_exit as the system).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import TradingAccount
from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType
from oms_project.lib import events

from . import greeks
from . import monitor_math as mm
from .domain import EngagedBy, Scope
from .models import (
    AccountRiskDay,
    PositionGuardConfig,
    PositionGuardHit,
    RiskEvent,
    RiskStatus,
    StrategyRiskDay,
)
from .monitor_events import PositionExitRequested, SquareOffRequested

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
LEVEL_ALERT = {
    mm.LEVEL_WARNING: AlertLevel.WARNING,
    mm.LEVEL_CRITICAL: AlertLevel.CRITICAL,
    mm.LEVEL_URGENT: AlertLevel.URGENT,
}
CHECK_CODES = {
    "daily_loss": "RISK_DAILY_LOSS",
    "drawdown": "RISK_DRAWDOWN",
    "margin_utilisation": "RISK_MARGIN_UTILISATION",
    "greeks_delta": "RISK_GREEKS",
    "greeks_vega": "RISK_GREEKS",
}
CHECK_UNITS = {
    "daily_loss": "%",
    "drawdown": "%",
    "margin_utilisation": "%",
    "greeks_delta": "INR",
    "greeks_vega": "INR",
}
KILL_SWITCH_CHECKS = {"daily_loss", "drawdown"}


def _f(v: Any) -> float:
    return float(v) if v is not None else math.nan


# --- Greeks of positions ---------------------------------------------------------------------------------------
def years_to_expiry(expiry: Any, at: datetime) -> float:
    """To 15:30 IST on the expiry day, in years of 365 days."""
    end = datetime.combine(expiry, dtime(10, 0), tzinfo=UTC)
    return max((end - at).total_seconds(), 0.0) / (365.0 * 86400)


def position_greeks_for(positions: list[Any], marks: dict[int, Decimal], at: datetime) -> list[greeks.PositionGreeks]:
    """Black-76 Greeks of open positions (same order). An option's vol is implied from its mark (solved once per
    instrument); an option whose vol cannot be solved counts zero; equity counts delta 1."""
    from marketdata import selectors as md
    from marketdata.models import Instrument

    tokens = {p.instrument_token for p in positions}
    instruments = {i.instrument_token: i for i in Instrument.objects.filter(instrument_token__in=tokens)}
    spots: dict[str, float] = {}
    vols: dict[int, float | None] = {}
    out: list[greeks.PositionGreeks] = []
    for p in positions:
        inst = instruments.get(p.instrument_token)
        qty = int(p.quantity)
        mark = float(marks.get(p.instrument_token) or p.last_price or p.average_price or 0)
        name = inst.name if inst is not None else p.tradingsymbol
        kind = inst.instrument_type if inst is not None else "EQ"
        zero = greeks.PositionGreeks(p.strategy_id, name, p.account_id, 0, 0, 0, 0, 0, 0, 0)
        if kind not in ("CE", "PE", "FUT"):
            out.append(greeks.PositionGreeks(p.strategy_id, name, p.account_id, qty, 0, qty * mark, 0, 0, 0, 0))
            continue
        if name not in spots:
            try:
                spots[name] = float(md.spot_for(name, at))
            except Exception:  # noqa: BLE001 - no spot: the leg's own price stands in for futures
                spots[name] = 0.0
        forward = spots[name] or (mark if kind == "FUT" else 0.0)
        if kind == "FUT":
            out.append(
                greeks.position_greeks(
                    greeks.PositionInput(
                        "FUT",
                        qty,
                        mark or forward,
                        0.0,
                        0.0,
                        strategy_id=p.strategy_id,
                        underlying=name,
                        account_id=p.account_id,
                    )
                )
            )
            continue
        if not forward or inst.expiry is None or inst.strike is None:
            out.append(zero)
            continue
        years = years_to_expiry(inst.expiry, at)
        if p.instrument_token not in vols:
            iv = (
                greeks.implied_volatility(mark, kind == "CE", forward, float(inst.strike), years, 0.0) if mark else None
            )
            vols[p.instrument_token] = iv.vol if iv is not None else None
        vol = vols[p.instrument_token]
        if vol is None:
            out.append(zero)
            continue
        out.append(
            greeks.position_greeks(
                greeks.PositionInput(
                    kind,
                    qty,
                    forward,
                    years,
                    vol,
                    strike=float(inst.strike),
                    strategy_id=p.strategy_id,
                    underlying=name,
                    account_id=p.account_id,
                )
            )
        )
    return out


# --- the monitor's pass ----------------------------------------------------------------------------------------
@dataclass
class MonitorResult:
    accounts: int = 0
    positions: int = 0
    actions: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    valuations: dict[int, dict[str, Any]] = field(default_factory=dict)


def _marks_for(positions: list[Any], given: dict[int, Decimal], at: datetime) -> dict[int, Decimal]:
    from marketdata import lookup
    from marketdata.models import Instrument

    marks = dict(given)
    missing = {p.instrument_token for p in positions} - set(marks)
    for inst in Instrument.objects.filter(instrument_token__in=missing):
        try:
            ltp = lookup.last_price(inst, at)
        except Exception:  # noqa: BLE001
            ltp = None
        if ltp is not None:
            marks[inst.instrument_token] = Decimal(ltp)
    return marks


def _guard_settings(strategy_ids: set[int]) -> dict[int | None, dict[str, Any]]:
    house = dict(getattr(settings, "RISK_POSITION_GUARDS", {}) or {})
    default = {
        "enabled": bool(house.get("enabled", True)),
        "target": _f(house.get("target_pnl", 2000)),
        "stop": _f(house.get("stop_loss_pnl", 1000)),
        "timeout": _f(house.get("timeout_hours", 6)),
        "auto": {"TARGET": False, "STOP": False, "TIMEOUT": False},
    }
    out: dict[int | None, dict[str, Any]] = {None: default}
    for cfg in PositionGuardConfig.objects.filter(strategy_id__in=strategy_ids):
        out[cfg.strategy_id] = {
            "enabled": cfg.enabled,
            "target": _f(cfg.target_pnl),
            "stop": _f(cfg.stop_loss_pnl),
            "timeout": _f(cfg.timeout_hours),
            "auto": {
                "TARGET": cfg.auto_close_on_target,
                "STOP": cfg.auto_close_on_stop,
                "TIMEOUT": cfg.auto_close_on_timeout,
            },
        }
    return out


def _opened_at(positions: list[Any], day_start: datetime) -> dict[int, datetime]:
    """When each position opened: its first fill today (a position carried overnight: the session's start)."""
    from django.db.models import Min

    from portfolio.models import Trade

    out: dict[int, datetime] = {}
    keys = {(p.account_id, p.strategy_id, p.instrument_token, p.product): p for p in positions}
    rows = (
        Trade.objects.filter(
            account_id__in={p.account_id for p in positions},
            instrument_token__in={p.instrument_token for p in positions},
            fill_timestamp__gte=day_start,
        )
        .values("account_id", "strategy_id", "instrument_token", "product")
        .annotate(first=Min("fill_timestamp"))
    )
    for r in rows:
        p = keys.get((r["account_id"], r["strategy_id"], r["instrument_token"], r["product"]))
        if p is not None and not p.overnight_quantity:
            out[p.pk] = r["first"]
    return {p.pk: out.get(p.pk, day_start) for p in positions}


def monitor_accounts(
    account_ids: list[int], *, marks: dict[int, Decimal] | None = None, at: datetime | None = None
) -> MonitorResult:
    """Revalue the accounts' books and act on breaches (see the module doc)."""
    from margin import selectors as margin_selectors
    from marketdata.calendar import session_bounds
    from portfolio import selectors as portfolio_selectors
    from portfolio.models import Position, Strategy

    from . import selectors

    started = time.perf_counter()
    at = at or timezone.now()
    today = timezone.localdate(at)
    result = MonitorResult()
    accounts = list(
        TradingAccount.objects.filter(pk__in=account_ids, is_active=True).select_related("user").order_by("id")
    )
    if not accounts:
        return result
    positions = list(Position.objects.filter(account__in=accounts).exclude(quantity=0).order_by("id"))
    marks = _marks_for(positions, marks or {}, at)
    # --- per account facts
    funds = {a.pk: portfolio_selectors.funds_for(a) for a in accounts}
    capital = np.array([float(selectors.capital_of(funds[a.pk])) for a in accounts])
    realised = np.array([float(funds[a.pk].realised_pnl_today) for a in accounts])
    peaks_rows = {
        r.account_id: float(r.peak_equity)
        for r in AccountRiskDay.objects.filter(account__in=accounts, trading_day=today)
    }
    peak = np.array([peaks_rows.get(a.pk, 0.0) for a in accounts])
    # --- strategies
    strategies = {s.pk: s for s in Strategy.objects.filter(account__in=accounts)}
    strat_keys = sorted(strategies)
    strat_index = {sid: i for i, sid in enumerate(strat_keys)}
    strat_realised = np.zeros(len(strat_keys) + 1)
    for p in Position.objects.filter(account__in=accounts, strategy_id__in=strat_keys, trading_day=today):
        strat_realised[strat_index[p.strategy_id]] += float(p.realized_pnl)
    acc_index = {a.pk: i for i, a in enumerate(accounts)}
    n = len(positions)
    qty = np.fromiter((p.quantity for p in positions), dtype=np.float64, count=n)
    entry = np.fromiter((float(p.average_price) for p in positions), dtype=np.float64, count=n)
    mark = np.fromiter(
        (float(marks.get(p.instrument_token) or p.average_price) for p in positions), dtype=np.float64, count=n
    )
    acc_codes = np.fromiter((acc_index[p.account_id] for p in positions), dtype=np.int64, count=n)
    none_code = len(strat_keys)
    strat_codes = np.fromiter((strat_index.get(p.strategy_id, none_code) for p in positions), dtype=np.int64, count=n)
    val = mm.revalue_book(
        quantity=qty,
        entry=entry,
        mark=mark,
        account=acc_codes,
        strategy=strat_codes,
        accounts=len(accounts),
        strategies=len(strat_keys) + 1,
        account_realised=realised,
        strategy_realised=strat_realised,
        capital=capital,
        peak=peak,
    )
    # --- Greeks
    pg = position_greeks_for(positions, marks, at)
    delta = mm.group_sum(acc_codes, np.array([g.delta_inr for g in pg], dtype=np.float64), len(accounts))
    vega = mm.group_sum(acc_codes, np.array([g.vega_inr for g in pg], dtype=np.float64), len(accounts))
    # --- limits and utilisation
    resolved = {a.pk: selectors.limits_resolved(account_id=a.pk) for a in accounts}
    util = []
    for a in accounts:
        try:
            m = margin_selectors.account_margin(a, at=at)
            util.append(_f(m.utilisation_pct))
        except Exception:  # noqa: BLE001 - a broker account, or no margin figure
            util.append(math.nan)

    def param(key: str, name: str) -> np.ndarray:
        return np.array([_f(resolved[a.pk][key][name]) if resolved[a.pk][key].enabled else math.nan for a in accounts])

    checks = mm.account_checks(
        pnl=val.account_pnl,
        capital=capital,
        drawdown_pct=val.drawdown_pct,
        utilisation_pct=np.array(util),
        delta_inr=delta,
        vega_inr=vega,
        max_loss_pct=param("daily_loss", "pct"),
        max_drawdown_pct=param("drawdown", "pct"),
        max_utilisation_pct=param("margin_utilisation", "pct"),
        max_delta_inr=param("greeks", "max_delta_inr"),
        max_vega_inr=param("greeks", "max_vega_inr"),
    )
    # --- strategy loss caps (as the summary computes them)
    caps = np.full(len(strat_keys) + 1, math.nan)
    for sid, i in strat_index.items():
        s = strategies[sid]
        cap = _f(
            selectors.limits_resolved(account_id=s.account_id, strategy=s)["daily_loss"]["max_loss_per_strategy_abs"]
        )
        cap_capital = capital[acc_index[s.account_id]] if s.account_id in acc_index else 0.0
        if cap_capital > 0:
            cap = min(cap, cap_capital * float(s.max_loss_per_strategy_pct) / 100.0)
        caps[i] = cap
    strat_used = mm.strategy_loss_used(val.strategy_pnl, caps)
    # --- guards
    guard_cfg = _guard_settings({p.strategy_id for p in positions if p.strategy_id})
    cfg_rows = [guard_cfg.get(p.strategy_id, guard_cfg[None]) for p in positions]
    on = np.array([c["enabled"] for c in cfg_rows], dtype=bool)
    day_start = session_bounds(today)[0]
    opened = _opened_at(positions, day_start)
    age = np.array([max((at - opened[p.pk]).total_seconds(), 0.0) / 3600.0 for p in positions])
    hits = mm.guard_hits(
        pnl=val.unrealised,
        age_hours=age,
        target_inr=np.where(on, [c["target"] for c in cfg_rows], math.nan) if n else np.zeros(0),
        stop_inr=np.where(on, [c["stop"] for c in cfg_rows], math.nan) if n else np.zeros(0),
        timeout_hours=np.where(on, [c["timeout"] for c in cfg_rows], math.nan) if n else np.zeros(0),
    )
    result.accounts, result.positions = len(accounts), n
    # --- act
    for i, a in enumerate(accounts):
        if val.peak[i] > peak[i]:
            _raise_peak(a.pk, today, val.peak[i])
        result.valuations[a.pk] = {
            "pnl_today": val.account_pnl[i],
            "equity": val.equity[i],
            "peak": val.peak[i],
            "drawdown_pct": val.drawdown_pct[i],
            "delta_inr": delta[i],
            "vega_inr": vega[i],
            "levels": dict(zip(mm.CHECKS, checks.level[i].tolist(), strict=True)),
        }
        for j, check in enumerate(mm.CHECKS):
            level = int(checks.level[i, j])
            if level:
                _act_account(a, check, level, float(checks.value[i, j]), float(checks.used[i, j]), today, result)
    _raise_strategy_peaks(strat_index, val.strategy_pnl, today)
    for sid, i in strat_index.items():
        level = int(mm.alert_level(np.array([strat_used[i]]))[0])
        if level:
            _act_strategy(strategies[sid], level, float(val.strategy_pnl[i]), float(caps[i]), today, result)
    for k in np.flatnonzero(hits):
        p = positions[int(k)]
        _act_guard(p, mm.GUARD_NAMES[int(hits[k])], float(val.unrealised[k]), cfg_rows[int(k)], today, result)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def _raise_peak(account_id: int, day: Any, value: float) -> None:
    q = Decimal(str(round(value, 2)))
    AccountRiskDay.objects.bulk_create(
        [AccountRiskDay(account_id=account_id, trading_day=day, peak_equity=q)], ignore_conflicts=True
    )
    AccountRiskDay.objects.filter(account_id=account_id, trading_day=day, peak_equity__lt=q).update(peak_equity=q)


def _raise_strategy_peaks(strat_index: dict[int, int], pnl: np.ndarray, day: Any) -> None:
    """The strategies' best P&L today (StrategyRiskDay): one read, then one upsert of those that rose (the day
    starts at 0: a peak is stored once the strategy has been in profit). The feed's one process revalues a book,
    so the read-then-write does not race another writer."""
    if not strat_index:
        return
    stored = {
        r.strategy_id: float(r.peak_pnl)
        for r in StrategyRiskDay.objects.filter(strategy_id__in=list(strat_index), trading_day=day)
    }
    now = timezone.now()
    rose = [
        StrategyRiskDay(
            strategy_id=sid, trading_day=day, peak_pnl=Decimal(str(round(float(pnl[i]), 2))), updated_at=now
        )
        for sid, i in strat_index.items()
        if float(pnl[i]) > stored.get(sid, 0.0)
    ]
    if rose:
        StrategyRiskDay.objects.bulk_create(
            rose,
            update_conflicts=True,
            unique_fields=["strategy", "trading_day"],
            update_fields=["peak_pnl", "updated_at"],
        )


def _status_row(account: TradingAccount, strategy: Any, today: Any) -> RiskStatus:
    lookup = {"strategy": strategy} if strategy is not None else {"account": account, "strategy__isnull": True}
    row = RiskStatus.objects.select_for_update().filter(**lookup).first()
    if row is None:
        RiskStatus.objects.bulk_create([RiskStatus(account=account, strategy=strategy)], ignore_conflicts=True)
        row = RiskStatus.objects.select_for_update().filter(**lookup).first()
    if row.trading_day != today:  # a new day: the status and the alert memory start afresh
        row.trading_day, row.alerted, row.status, row.code, row.reason = today, {}, RiskStatus.ACTIVE, "", ""
    return row


def _first_at_level(row: RiskStatus, check: str, level: int) -> bool:
    if int(row.alerted.get(check, 0)) >= level:
        return False
    row.alerted = {**row.alerted, check: level}
    return True


def _act_account(
    a: TradingAccount, check: str, level: int, value: float, used: float, today: Any, result: MonitorResult
) -> None:
    unit = CHECK_UNITS[check]
    shown = f"{value:,.2f}{'%' if unit == '%' else ' ₹'}"
    limit = value / used if used else math.nan
    message = f"{check.replace('_', ' ').capitalize()} is {shown} ({used * 100:.0f}% of the limit {limit:,.2f})"
    engage = False
    with transaction.atomic():
        row = _status_row(a, None, today)
        if not _first_at_level(row, check, level):
            row.save()
            return
        if level >= mm.LEVEL_CRITICAL:
            if check in KILL_SWITCH_CHECKS:
                engage = True
            elif row.status != RiskStatus.REDUCING:
                row.status, row.code, row.reason, row.since = (
                    RiskStatus.REDUCING,
                    CHECK_CODES[check],
                    message,
                    timezone.now(),
                )
        row.save()
        atype = AlertType.GREEKS_LIMIT if check.startswith("greeks") else AlertType.RISK_BREACH
        alert_raise(
            user=a.user,
            type=atype,
            level=LEVEL_ALERT[level],
            message=f"{a.name}: {message}",
            payload={
                "account_id": a.pk,
                "check": check,
                "code": CHECK_CODES[check],
                "value": round(value, 2),
                "used": round(used, 4),
            },
        )
        if level >= mm.LEVEL_CRITICAL:
            RiskEvent.objects.create(
                user_id=a.user_id,
                account_id=a.pk,
                kind="MONITOR_BREACH",
                code=CHECK_CODES[check],
                message=message[:500],
                details={
                    "check": check,
                    "value": round(value, 2),
                    "used": round(used, 4),
                    "level": mm.LEVEL_NAMES[level],
                },
            )
    result.actions.append(f"account {a.pk} {check} {mm.LEVEL_NAMES[level]}")
    if engage:
        from . import selectors, services

        if selectors.engaged_switch(selectors.kill_switches_governing(a)) is None:
            services.kill_switch_engage(
                user=None,
                reason=f"automatic (live monitor): {CHECK_CODES[check]} — {message}",
                scope=Scope.ACCOUNT,
                account_id=a.pk,
                by=EngagedBy.AUTO,
                actor="system:risk-monitor",
            )
            result.actions.append(f"account {a.pk} kill switch engaged")


def _act_strategy(s: Any, level: int, pnl: float, cap: float, today: Any, result: MonitorResult) -> None:
    message = f"Strategy {s.name}: loss today ₹{-pnl:,.2f} is {(-pnl / cap) * 100:.0f}% of its cap ₹{cap:,.2f}"
    square = False
    with transaction.atomic():
        row = _status_row(s.account, s, today)
        if not _first_at_level(row, "strategy_loss", level):
            row.save()
            return
        if level >= mm.LEVEL_CRITICAL and row.status != RiskStatus.REDUCING:
            row.status, row.code, row.reason, row.since = (
                RiskStatus.REDUCING,
                "RISK_DAILY_LOSS",
                message,
                timezone.now(),
            )
            square = bool(s.auto_square_off_on_loss_limit)
        row.save()
        alert_raise(
            user=s.user,
            type=AlertType.RISK_BREACH,
            level=LEVEL_ALERT[level],
            message=message,
            payload={"account_id": s.account_id, "strategy_id": s.pk, "code": "RISK_DAILY_LOSS", "pnl": round(pnl, 2)},
        )
        if level >= mm.LEVEL_CRITICAL:
            RiskEvent.objects.create(
                user_id=s.user_id,
                account_id=s.account_id,
                kind="MONITOR_BREACH",
                code="RISK_DAILY_LOSS",
                message=message[:500],
                details={"strategy_id": s.pk, "pnl": round(pnl, 2), "cap": round(cap, 2)},
            )
        if square:
            events.publish(SquareOffRequested(account_id=s.account_id, strategy_id=s.pk, reason=message))
    result.actions.append(f"strategy {s.pk} {mm.LEVEL_NAMES[level]}" + (" square-off" if square else ""))


def _act_guard(p: Any, guard: str, pnl: float, cfg: dict[str, Any], today: Any, result: MonitorResult) -> None:
    auto = bool(cfg["auto"].get(guard))
    with transaction.atomic():
        if PositionGuardHit.objects.filter(position_id=p.pk, guard=guard, trading_day=today).exists():
            return
        PositionGuardHit.objects.create(
            position_id=p.pk,
            account_id=p.account_id,
            guard=guard,
            trading_day=today,
            pnl=Decimal(str(round(pnl, 2))),
            auto_close=auto,
        )
        level = AlertLevel.INFO if guard == "TARGET" else AlertLevel.WARNING
        what = {"TARGET": "reached its target", "STOP": "hit its stop", "TIMEOUT": "timed out"}[guard]
        message = f"{p.tradingsymbol} {what} (P&L ₹{pnl:,.2f})" + (": closing it." if auto else ".")
        alert_raise(
            user=p.user,
            type=AlertType.RISK_BREACH,
            level=level,
            message=message,
            payload={"account_id": p.account_id, "position_id": p.pk, "guard": guard, "pnl": round(pnl, 2)},
        )
        RiskEvent.objects.create(
            user_id=p.user_id,
            account_id=p.account_id,
            kind="POSITION_GUARD",
            code=f"GUARD_{guard}",
            message=message[:500],
            details={"position_id": p.pk, "pnl": round(pnl, 2), "auto_close": auto},
        )
        if auto:
            events.publish(PositionExitRequested(account_id=p.account_id, position_id=p.pk, reason=message))
    result.actions.append(f"position {p.pk} {guard}" + (" close" if auto else ""))


def on_tick_batch(event: Any) -> None:
    """marketdata.tick_batch: revalue every account holding an instrument of the batch."""
    if not getattr(settings, "RISK_MONITOR_ENABLED", True):
        return
    from portfolio.models import Position

    try:
        tokens = list(event.marks)
        ids = sorted(
            set(
                Position.objects.filter(instrument_token__in=tokens)
                .exclude(quantity=0)
                .values_list("account_id", flat=True)
            )
        )
        if ids:
            monitor_accounts(ids, marks={int(t): Decimal(v) for t, v in event.marks.items()}, at=event.at)
    except Exception:  # noqa: BLE001 - the feed must go on
        logger.exception("risk monitor failed on a tick batch")
