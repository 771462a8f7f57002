"""Option Greeks on the future (Black-76), implied volatility, and position Greeks (issue #12).

Pure (no Django; checked by import-linter). Prices and Greeks are floats: this is model output,
not money that is booked. docs/analytics.md describes the model.

Black-76, a European option on a future F with strike K, T years to expiry, volatility σ and a
discount rate r (premium paid today, so the payoff is discounted by D = e^(−rT)):
    d1 = (ln(F/K) + σ²T/2) / (σ√T),  d2 = d1 − σ√T
    call = D (F N(d1) − K N(d2)),     put = D (K N(−d2) − F N(−d1))
Greeks (per unit of the underlying, derivatives with respect to F, σ and T):
    delta  call D N(d1), put −D N(−d1)
    gamma  D φ(d1) / (F σ √T)
    vega   D F φ(d1) √T per 1.00 of vol; `vega_per_point` is per 1 vol point (0.01)
    theta  −∂V/∂T = −D F φ(d1) σ / (2√T) + r V per year; `theta_per_day` is per calendar day (/365)
These are the conventions of py_vollib's `black` module (vega per point, theta per calendar day),
which the tests compare against.

At expiry (T ≤ 0) or with σ = 0 an option is worth its discounted intrinsic value: delta is the
discounted step (½ at the money, so put-call parity still holds), gamma and vega are 0.

Position Greeks (quantity signed, in units as Kite counts them: lots × lot size; long > 0):
    delta_units = delta × qty         futures-equivalent units of the underlying
    gamma_units = gamma × qty         change of delta_units per ₹1 move of F
    delta_inr   = delta × qty × F     ₹ exposure, as if holding delta_units futures
    gamma_inr   = gamma × qty × F² / 100   change of delta_inr for a 1% move of F
    vega_inr    = vega_per_point × qty     ₹ per 1 vol point
    theta_inr   = theta_per_day × qty      ₹ per calendar day
    premium_inr = price × qty         ₹ value of the options (0 for futures)
A futures position has delta 1 (a future's price moves one for one with itself, no discount) and
no gamma, vega or theta. Unit totals only make sense within one underlying; across underlyings
(an account) use the ₹ figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

DAYS_PER_YEAR = 365.0  # theta per calendar day (py_vollib's convention)
VOL_POINT = 0.01
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

InstrumentKind = Literal["CE", "PE", "FUT"]


def norm_cdf(x: float) -> float:
    # erfc keeps full relative precision in the lower tail (deep OTM prices, their IVs).
    return 0.5 * math.erfc(-x * _INV_SQRT2)


def norm_pdf(x: float) -> float:
    return _INV_SQRT_2PI * math.exp(-0.5 * x * x)


@dataclass(frozen=True, slots=True)
class OptionGreeks:
    """Per unit of the underlying."""

    price: float
    delta: float
    gamma: float
    vega: float  # per 1.00 of volatility
    theta: float  # −∂V/∂T per year

    @property
    def vega_per_point(self) -> float:
        return self.vega * VOL_POINT

    @property
    def theta_per_day(self) -> float:
        return self.theta / DAYS_PER_YEAR


def _check(forward: float, strike: float, years: float, vol: float) -> None:
    if not (forward > 0.0 and strike > 0.0):
        raise ValueError("forward and strike must be positive")
    if not (math.isfinite(years) and math.isfinite(vol)) or vol < 0.0:
        raise ValueError("years must be finite and vol finite and non-negative")


def black76_greeks(is_call: bool, forward: float, strike: float, years: float, vol: float, rate: float) -> OptionGreeks:
    """The scalar reference implementation: price and Greeks of one option."""
    _check(forward, strike, years, vol)
    t = max(years, 0.0)
    df = math.exp(-rate * t)
    sd = vol * math.sqrt(t)
    if sd <= 0.0:
        intrinsic = max(forward - strike, 0.0) if is_call else max(strike - forward, 0.0)
        step = 1.0 if forward > strike else 0.0 if forward < strike else 0.5
        price = df * intrinsic
        delta = df * step if is_call else -df * (1.0 - step)
        return OptionGreeks(price=price, delta=delta, gamma=0.0, vega=0.0, theta=rate * price)
    d1 = (math.log(forward / strike) + 0.5 * sd * sd) / sd
    d2 = d1 - sd
    pdf_d1 = norm_pdf(d1)
    if is_call:
        price = df * (forward * norm_cdf(d1) - strike * norm_cdf(d2))
        delta = df * norm_cdf(d1)
    else:
        price = df * (strike * norm_cdf(-d2) - forward * norm_cdf(-d1))
        delta = -df * norm_cdf(-d1)
    gamma = df * pdf_d1 / (forward * sd)
    vega = df * forward * pdf_d1 * math.sqrt(t)
    theta = -df * forward * pdf_d1 * vol / (2.0 * math.sqrt(t)) + rate * price
    return OptionGreeks(price=price, delta=delta, gamma=gamma, vega=vega, theta=theta)


def black76_price(is_call: bool, forward: float, strike: float, years: float, vol: float, rate: float) -> float:
    return black76_greeks(is_call, forward, strike, years, vol, rate).price


# --- implied volatility ---------------------------------------------------------------------


class IVStatus(StrEnum):
    SOLVED = "SOLVED"
    BELOW_INTRINSIC = "BELOW_INTRINSIC"  # price < discounted intrinsic: no volatility gives it
    ABOVE_MAXIMUM = "ABOVE_MAXIMUM"  # price ≥ the no-arbitrage ceiling (D·F for a call, D·K for a put)
    NO_TIME_VALUE = "NO_TIME_VALUE"  # (next to) no time value left: no vol can be told apart
    BELOW_VOL_BOUND = "BELOW_VOL_BOUND"  # the vol would be under vol_low
    ABOVE_VOL_BOUND = "ABOVE_VOL_BOUND"  # the vol would be over vol_high
    EXPIRED = "EXPIRED"  # no time left: volatility is undefined
    NO_PRICE = "NO_PRICE"  # no usable price (missing side, not finite, negative)
    NOT_CONVERGED = "NOT_CONVERGED"  # max_iterations reached (not seen on the tested grid)


@dataclass(frozen=True, slots=True)
class ImpliedVolatility:
    vol: float | None  # None unless status is SOLVED
    status: IVStatus
    iterations: int = 0


VOL_LOW = 1e-4  # 0.01%: below any traded vol
VOL_HIGH = 5.0  # 500%: above any vol seen on NSE index or stock options, even near expiry
_PRICE_ULPS = 8 * 2.220446049250313e-16  # float noise in a computed Black price, relative
_VOL_ULPS = 4 * 2.220446049250313e-16
_TIME_VALUE_TOLERANCE = 1e-13
_MIN_TIME_VALUE = 1e-12  # of the contract's size (D·max(F, K)): ₹0.00000003 on NIFTY


def implied_volatility(
    price: float,
    is_call: bool,
    forward: float,
    strike: float,
    years: float,
    rate: float,
    *,
    vol_low: float = VOL_LOW,
    vol_high: float = VOL_HIGH,
    max_iterations: int = 100,
) -> ImpliedVolatility:
    """σ in [vol_low, vol_high] with black76_price(σ) = price.

    Newton steps inside a bracket that shrinks every iteration (price is increasing in σ); a step
    that would leave the bracket, or with no vega to divide by, is a bisection instead. So it
    converges quadratically near the root and can never diverge. It stops when the price matches
    to 1e-13 of the option's time value (or a few float ulps of the price, whichever is larger),
    or when σ stops moving at float precision.
    """
    if not math.isfinite(price) or price < 0.0:
        return ImpliedVolatility(None, IVStatus.NO_PRICE)
    if years <= 0.0:
        return ImpliedVolatility(None, IVStatus.EXPIRED)
    _check(forward, strike, years, vol_low)
    df = math.exp(-rate * years)
    intrinsic = df * (max(forward - strike, 0.0) if is_call else max(strike - forward, 0.0))
    ceiling = df * (forward if is_call else strike)
    float_noise = _PRICE_ULPS * max(price, intrinsic)
    time_value = price - intrinsic
    if time_value < -float_noise:
        return ImpliedVolatility(None, IVStatus.BELOW_INTRINSIC)
    # A time value this small (vs the contract's size) pins no volatility down: its IV would be
    # noise, and far OTM it underflows.
    if time_value <= max(float_noise, _MIN_TIME_VALUE * df * max(forward, strike)):
        return ImpliedVolatility(None, IVStatus.NO_TIME_VALUE)
    if price >= ceiling:
        return ImpliedVolatility(None, IVStatus.ABOVE_MAXIMUM)
    tolerance = max(_TIME_VALUE_TOLERANCE * time_value, float_noise)
    lo, hi = vol_low, vol_high
    if black76_price(is_call, forward, strike, years, lo, rate) - price > tolerance:
        return ImpliedVolatility(None, IVStatus.BELOW_VOL_BOUND)
    if black76_price(is_call, forward, strike, years, hi, rate) - price < -tolerance:
        return ImpliedVolatility(None, IVStatus.ABOVE_VOL_BOUND)
    # Start from the at-the-money approximation (time value ≈ D·F·σ·√(T/2π)), inside the bracket.
    vol = min(max(time_value / (df * forward) * math.sqrt(2.0 * math.pi / years), lo), hi)
    for iteration in range(1, max_iterations + 1):
        g = black76_greeks(is_call, forward, strike, years, vol, rate)
        diff = g.price - price
        if abs(diff) <= tolerance:
            return ImpliedVolatility(vol, IVStatus.SOLVED, iteration)
        if diff > 0.0:
            hi = vol
        else:
            lo = vol
        step = vol - diff / g.vega if g.vega > 0.0 else math.nan
        previous = vol
        vol = step if lo < step < hi else 0.5 * (lo + hi)
        if hi - lo <= _VOL_ULPS * hi or abs(vol - previous) <= _VOL_ULPS * vol:
            return ImpliedVolatility(vol, IVStatus.SOLVED, iteration)
    return ImpliedVolatility(None, IVStatus.NOT_CONVERGED, max_iterations)


def implied_volatility_from_mid(
    bid: Decimal | None,
    ask: Decimal | None,
    is_call: bool,
    forward: float,
    strike: float,
    years: float,
    rate: float,
) -> ImpliedVolatility:
    """IV of the option's mid price; NO_PRICE without both sides of the book."""
    if bid is None or ask is None or bid <= 0 or ask < bid:
        return ImpliedVolatility(None, IVStatus.NO_PRICE)
    return implied_volatility(float((bid + ask) / 2), is_call, forward, strike, years, rate)


# --- positions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionInput:
    kind: InstrumentKind
    quantity: int  # signed units (long > 0)
    forward: float  # the future's price (the option's underlying future)
    years: float  # to the option's expiry
    vol: float  # annualised, e.g. 0.14 (from implied_volatility)
    rate: float = 0.0  # discount rate for the premium
    strike: float = 0.0  # options only
    strategy_id: int | None = None
    underlying: str = ""  # e.g. "NIFTY"
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class PositionGreeks:
    strategy_id: int | None
    underlying: str
    account_id: int | None
    delta_units: float
    gamma_units: float
    delta_inr: float
    gamma_inr: float  # change of delta_inr for a 1% move of F
    vega_inr: float  # per vol point
    theta_inr: float  # per calendar day
    premium_inr: float


def position_greeks(p: PositionInput) -> PositionGreeks:
    q, f = float(p.quantity), p.forward
    if p.kind == "FUT":
        return PositionGreeks(p.strategy_id, p.underlying, p.account_id, q, 0.0, q * f, 0.0, 0.0, 0.0, 0.0)
    g = black76_greeks(p.kind == "CE", f, p.strike, p.years, p.vol, p.rate)
    return PositionGreeks(
        strategy_id=p.strategy_id,
        underlying=p.underlying,
        account_id=p.account_id,
        delta_units=g.delta * q,
        gamma_units=g.gamma * q,
        delta_inr=g.delta * q * f,
        gamma_inr=g.gamma * q * f * f / 100.0,
        vega_inr=g.vega_per_point * q,
        theta_inr=g.theta_per_day * q,
        premium_inr=g.price * q,
    )


@dataclass(frozen=True, slots=True)
class GreeksTotals:
    positions: int
    delta_units: float
    gamma_units: float
    delta_inr: float
    gamma_inr: float
    vega_inr: float
    theta_inr: float
    premium_inr: float


def total(positions: Iterable[PositionGreeks]) -> GreeksTotals:
    n = 0
    sums = [0.0] * 7
    for p in positions:
        n += 1
        for i, v in enumerate(
            (p.delta_units, p.gamma_units, p.delta_inr, p.gamma_inr, p.vega_inr, p.theta_inr, p.premium_inr)
        ):
            sums[i] += v
    return GreeksTotals(n, *sums)


GroupKey = TypeVar("GroupKey", bound=Hashable)


def totals_by(
    positions: Iterable[PositionGreeks], key: Callable[[PositionGreeks], GroupKey]
) -> dict[GroupKey, GreeksTotals]:
    groups: dict[GroupKey, list[PositionGreeks]] = {}
    for p in positions:
        groups.setdefault(key(p), []).append(p)
    return {k: total(v) for k, v in groups.items()}


def totals_by_strategy(positions: Iterable[PositionGreeks]) -> dict[int | None, GreeksTotals]:
    return totals_by(positions, lambda p: p.strategy_id)


def totals_by_underlying(positions: Iterable[PositionGreeks]) -> dict[str, GreeksTotals]:
    return totals_by(positions, lambda p: p.underlying)


def totals_by_account(positions: Iterable[PositionGreeks]) -> dict[int | None, GreeksTotals]:
    return totals_by(positions, lambda p: p.account_id)


# --- batch revaluation (numpy) ---------------------------------------------------------------

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PositionGreeksBatch:
    """position_greeks for many positions at once, one array per figure (same order as the input)."""

    delta_units: FloatArray
    gamma_units: FloatArray
    delta_inr: FloatArray
    gamma_inr: FloatArray
    vega_inr: FloatArray
    theta_inr: FloatArray
    premium_inr: FloatArray


def black76_greeks_batch(
    is_call: NDArray[np.bool_],
    forward: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    vol: FloatArray,
    rate: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(price, delta, gamma, vega, theta) arrays, the same formulas as black76_greeks (tested equal)."""
    t = np.maximum(years, 0.0)
    df = np.exp(-rate * t)
    sqrt_t = np.sqrt(t)
    sd = vol * sqrt_t
    live = sd > 0.0
    safe_sd = np.where(live, sd, 1.0)  # the degenerate rows are replaced below
    d1 = (np.log(forward / strike) + 0.5 * safe_sd * safe_sd) / safe_sd
    d2 = d1 - safe_sd
    pdf_d1 = np.exp(-0.5 * d1 * d1) * _INV_SQRT_2PI
    call_price = df * (forward * ndtr(d1) - strike * ndtr(d2))
    put_price = df * (strike * ndtr(-d2) - forward * ndtr(-d1))
    price = np.where(is_call, call_price, put_price)
    delta = np.where(is_call, df * ndtr(d1), -df * ndtr(-d1))
    gamma = df * pdf_d1 / (forward * safe_sd)
    vega = df * forward * pdf_d1 * sqrt_t
    theta = -df * forward * pdf_d1 * vol / (2.0 * np.where(live, sqrt_t, 1.0)) + rate * price
    if not live.all():
        intrinsic = np.where(is_call, np.maximum(forward - strike, 0.0), np.maximum(strike - forward, 0.0))
        step = np.where(forward > strike, 1.0, np.where(forward < strike, 0.0, 0.5))
        dead_price = df * intrinsic
        price = np.where(live, price, dead_price)
        delta = np.where(live, delta, np.where(is_call, df * step, -df * (1.0 - step)))
        gamma = np.where(live, gamma, 0.0)
        vega = np.where(live, vega, 0.0)
        theta = np.where(live, theta, rate * dead_price)
    return price, delta, gamma, vega, theta


def revalue_batch(positions: Sequence[PositionInput]) -> PositionGreeksBatch:
    """position_greeks for every position, vectorised (the arrays are built here from the inputs)."""
    n = len(positions)
    kinds = [p.kind for p in positions]
    is_future = np.fromiter((k == "FUT" for k in kinds), dtype=np.bool_, count=n)
    is_call = np.fromiter((k == "CE" for k in kinds), dtype=np.bool_, count=n)
    qty = np.fromiter((p.quantity for p in positions), dtype=np.float64, count=n)
    forward = np.fromiter((p.forward for p in positions), dtype=np.float64, count=n)
    strike = np.fromiter((p.strike for p in positions), dtype=np.float64, count=n)
    years = np.fromiter((p.years for p in positions), dtype=np.float64, count=n)
    vol = np.fromiter((p.vol for p in positions), dtype=np.float64, count=n)
    rate = np.fromiter((p.rate for p in positions), dtype=np.float64, count=n)
    return revalue_arrays(is_call, is_future, qty, forward, strike, years, vol, rate)


def revalue_arrays(
    is_call: NDArray[np.bool_],
    is_future: NDArray[np.bool_],
    quantity: FloatArray,
    forward: FloatArray,
    strike: FloatArray,
    years: FloatArray,
    vol: FloatArray,
    rate: FloatArray,
) -> PositionGreeksBatch:
    """The batch revaluation on arrays (a caller that keeps its book as arrays skips the conversion)."""
    if (forward <= 0.0).any() or (strike[~is_future] <= 0.0).any() or (vol < 0.0).any():
        raise ValueError("forward and strike must be positive and vol non-negative")
    strike = np.where(is_future, forward, strike)  # futures rows: any valid strike, replaced below
    price, delta, gamma, vega, theta = black76_greeks_batch(is_call, forward, strike, years, vol, rate)
    delta = np.where(is_future, 1.0, delta)
    option = ~is_future
    gamma, vega, theta, price = (np.where(option, a, 0.0) for a in (gamma, vega, theta, price))
    return PositionGreeksBatch(
        delta_units=delta * quantity,
        gamma_units=gamma * quantity,
        delta_inr=delta * quantity * forward,
        gamma_inr=gamma * quantity * forward * forward / 100.0,
        vega_inr=vega * VOL_POINT * quantity,
        theta_inr=theta / DAYS_PER_YEAR * quantity,
        premium_inr=price * quantity,
    )
