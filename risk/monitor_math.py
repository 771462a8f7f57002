"""The live monitor's arithmetic (issue #12): a whole book revalued at once with numpy.

Pure (no Django; import-linter checks it). Inputs are arrays, one row per open position, in any order; groups
(accounts, strategies) are dense integer codes 0..n-1 so a sum per group is one `np.bincount`. Money here is
float: these are marks for a monitor that decides *whether* to act; what is booked stays Decimal in portfolio.

Per position:    unrealised = (mark − entry) × quantity (signed units, long > 0)
Per group:       pnl_today  = realised today + unrealised (bincount sums)
Per account:     equity = capital + pnl_today; peak = max(peak so far, equity, capital);
                 drawdown % = (peak − equity) / peak × 100
Breach checks (vectorised over accounts): daily loss %, drawdown %, margin utilisation %, |net delta ₹|,
|net vega ₹|. The level of each check is `alert_level(used)`, `used` = value / limit:
    < 0.8 none · ≥ 0.8 WARNING · ≥ 1 CRITICAL (breach: act) · ≥ 1.25 URGENT (well past the limit: the action
    has not held it; a person must look)
INFO is kept for the per-position guards' target (a good outcome worth a note).

Per-position guards (the seeds' position monitor, seeds/002 "Position Monitor Configuration"): a target and a
stop in ₹ of the position's unrealised P&L and a timeout in hours since it opened; `guard_hits` answers one code
per row (GUARD_NONE, GUARD_TARGET, GUARD_STOP, GUARD_TIMEOUT; the stop wins over the target, both over the
timeout).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

WARNING_AT = 0.8
CRITICAL_AT = 1.0
URGENT_AT = 1.25

LEVEL_NONE = 0
LEVEL_WARNING = 1
LEVEL_CRITICAL = 2
LEVEL_URGENT = 3
LEVEL_NAMES = {LEVEL_WARNING: "WARNING", LEVEL_CRITICAL: "CRITICAL", LEVEL_URGENT: "URGENT"}

GUARD_NONE = 0
GUARD_TARGET = 1
GUARD_STOP = 2
GUARD_TIMEOUT = 3
GUARD_NAMES = {GUARD_TARGET: "TARGET", GUARD_STOP: "STOP", GUARD_TIMEOUT: "TIMEOUT"}

# The account checks, in the order of the columns of `AccountChecks.used`.
CHECKS = ("daily_loss", "drawdown", "margin_utilisation", "greeks_delta", "greeks_vega")


def unrealised(quantity: FloatArray, entry: FloatArray, mark: FloatArray) -> FloatArray:
    return (mark - entry) * quantity


def group_sum(codes: IntArray, values: FloatArray, groups: int) -> FloatArray:
    """Σ values per group code (codes in 0..groups-1)."""
    return np.bincount(codes, weights=values, minlength=groups).astype(np.float64, copy=False)


@dataclass(frozen=True, slots=True)
class BookValuation:
    unrealised: FloatArray  # per position
    account_pnl: FloatArray  # per account: realised today + unrealised
    strategy_pnl: FloatArray  # per strategy code: realised today + unrealised
    equity: FloatArray  # per account
    peak: FloatArray  # per account (raised by this valuation)
    drawdown: FloatArray  # per account, ₹
    drawdown_pct: FloatArray  # per account, % of the peak


def revalue_book(
    *,
    quantity: FloatArray,
    entry: FloatArray,
    mark: FloatArray,
    account: IntArray,
    strategy: IntArray,
    accounts: int,
    strategies: int,
    account_realised: FloatArray,
    strategy_realised: FloatArray,
    capital: FloatArray,
    peak: FloatArray,
) -> BookValuation:
    """P&L per position, strategy and account, equity, the day's peak and drawdown, for a whole book."""
    unreal = unrealised(quantity, entry, mark)
    account_pnl = account_realised + group_sum(account, unreal, accounts)
    strategy_pnl = strategy_realised + group_sum(strategy, unreal, strategies)
    equity = capital + account_pnl
    new_peak = np.maximum(np.maximum(peak, equity), capital)
    drawdown = new_peak - equity
    with np.errstate(divide="ignore", invalid="ignore"):
        drawdown_pct = np.where(new_peak > 0, drawdown * 100.0 / new_peak, 0.0)
    return BookValuation(unreal, account_pnl, strategy_pnl, equity, new_peak, drawdown, drawdown_pct)


def alert_level(used: FloatArray) -> IntArray:
    """The alert level per row of a used fraction (value / limit); NaN (limit off) is no level."""
    used = np.nan_to_num(used, nan=0.0)
    return np.select(
        [used >= URGENT_AT, used >= CRITICAL_AT, used >= WARNING_AT],
        [LEVEL_URGENT, LEVEL_CRITICAL, LEVEL_WARNING],
        default=LEVEL_NONE,
    ).astype(np.int64)


def _ratio(value: FloatArray, limit: FloatArray) -> FloatArray:
    """value / limit where the limit is on (finite and > 0), NaN where it is off."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.isfinite(limit) & (limit > 0), value / limit, np.nan)


@dataclass(frozen=True, slots=True)
class AccountChecks:
    value: FloatArray  # accounts × CHECKS: the measured value (%, or ₹ for Greeks)
    used: FloatArray  # accounts × CHECKS: value / limit (NaN: the limit is off or unknown)
    level: IntArray  # accounts × CHECKS: LEVEL_*


def account_checks(
    *,
    pnl: FloatArray,
    capital: FloatArray,
    drawdown_pct: FloatArray,
    utilisation_pct: FloatArray,
    delta_inr: FloatArray,
    vega_inr: FloatArray,
    max_loss_pct: FloatArray,
    max_drawdown_pct: FloatArray,
    max_utilisation_pct: FloatArray,
    max_delta_inr: FloatArray,
    max_vega_inr: FloatArray,
) -> AccountChecks:
    """Every account's checks at once. A limit that is off is passed as NaN (or inf); an unknown utilisation
    (a broker account) as NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_pct = np.where(capital > 0, np.maximum(-pnl, 0.0) * 100.0 / capital, 0.0)
    value = np.column_stack([loss_pct, drawdown_pct, utilisation_pct, np.abs(delta_inr), np.abs(vega_inr)])
    used = np.column_stack(
        [
            _ratio(loss_pct, max_loss_pct),
            _ratio(drawdown_pct, max_drawdown_pct),
            _ratio(np.nan_to_num(utilisation_pct, nan=0.0), max_utilisation_pct),
            _ratio(np.abs(delta_inr), max_delta_inr),
            _ratio(np.abs(vega_inr), max_vega_inr),
        ]
    )
    return AccountChecks(value=value, used=used, level=alert_level(used))


def strategy_loss_used(strategy_pnl: FloatArray, loss_cap_inr: FloatArray) -> FloatArray:
    """A strategy's loss today as a fraction of its cap (₹; NaN where there is none)."""
    return _ratio(np.maximum(-strategy_pnl, 0.0), loss_cap_inr)


def guard_hits(
    *,
    pnl: FloatArray,
    age_hours: FloatArray,
    target_inr: FloatArray,
    stop_inr: FloatArray,
    timeout_hours: FloatArray,
) -> IntArray:
    """One GUARD_* code per position. `stop_inr` is a loss given as a positive number of ₹ (the seeds' −1000 is
    1000 here); NaN switches a guard off for that row."""
    stop = np.nan_to_num(stop_inr, nan=np.inf)
    target = np.nan_to_num(target_inr, nan=np.inf)
    timeout = np.nan_to_num(timeout_hours, nan=np.inf)
    return np.select(
        [pnl <= -stop, pnl >= target, age_hours >= timeout],
        [GUARD_STOP, GUARD_TARGET, GUARD_TIMEOUT],
        default=GUARD_NONE,
    ).astype(np.int64)


def dense_codes(keys: list) -> tuple[IntArray, list]:
    """Dense integer codes for hashable keys (first-seen order) and the distinct keys in that order."""
    index: dict = {}
    codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    return codes, list(index)
