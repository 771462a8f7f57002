"""Synthetic risk arrays for when no SPAN file is loaded, from NSE's published method (§3.3, §3.5).

Method (also in docs/span.md):
1. Price scan range PSR = max(floor, 6·σ_daily·√2) × underlying price, in rupees per unit. Floors
   (NSE Clearing "SPAN risk parameters", §3.5): index 9.3%, index options with residual maturity
   > 9 months 17.7%, stock 14.2%. The √2 is the two-day margin period of risk.
2. Volatility scan range VSR = max(floor, 25% × annualised volatility), absolute (index 4%, stock
   10%); NSE's file carries the value itself (`scanRate/volScan`), pass it when known.
3. Scenarios (§3.3): the underlying moves by 0, ±1/3, ±2/3, ±1 PSR with the volatility up and
   down by VSR (14), and ±2 PSR at unchanged volatility, of which 35% of the loss counts.
4. Options are revalued with Black-76 (marketdata.simulator.black76) on the carry forward
   F = S·e^(rT) discounted at r (this is Black–Scholes on the spot, the file's `priceModel BS`):
   base value V0 = V(S, σ, T); scenario value Vj = V(S + m·PSR, σ + v·VSR, T − look-ahead).
   a[j] = cover_j × (V0 − Vj) per long unit (loss positive); rounded to 2 decimals like the file.
   The base is the model value, not the traded premium: a far-OTM option quoted at the 0.05 tick
   floor has a model value near 0, and NSE's arrays are differences of model values (their rows
   with a worst loss of exactly 0.00 show it).
5. One volatility per underlying, not a smile: fitting the BANKNIFTY extracts of 8 Aug 2025 shows
   NSE revalued every strike and expiry with the same σ (≈18.4%; docs/span.md, "Validation").
6. Calendar spreads without a file: the published charge, 1.75% (index) / 2.2% (stock) of the
   far-month contract per matched delta unit, for every pair of months, nearer pairs first
   (`synthetic_commodity`).
7. Futures: a[j] = −cover_j × m·PSR (the carry drift over the look-ahead is ignored: T7's
   futures array shows it is under 0.5% of the PSR).
8. Composite delta: the Black-76 delta with respect to the underlying at the look-ahead time.
Floats are used inside the revaluation only; inputs and outputs are Decimal. Pure (no Django).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from margin.span.params import (
    INDEX_CALENDAR_SPREAD_RATE,
    INDEX_FLOORS,
    INDEX_LONG_DATED_FLOORS,
    LONG_DATED_MONTHS,
    NSE_SCENARIOS,
    STOCK_CALENDAR_SPREAD_RATE,
    STOCK_FLOORS,
    ScanFloors,
)
from margin.span.types import (
    CombinedCommodity,
    Contract,
    ContractKind,
    DeltaSpread,
    RiskArray,
    ScanRate,
    ScenarioDef,
    SpreadLeg,
)
from marketdata.simulator import black76, norm_cdf

CENT = Decimal("0.01")
YEAR_DAYS = 365.0
SQRT2 = math.sqrt(2.0)
# Look-ahead of the revaluation: one calendar day. [INFERRED] from the BANKNIFTY extracts of 8 Aug
# 2025: with 1 day every row ≥ ₹1 is within 10%, with 0 days 106 rows are not, with 2 days 122.
# NSE does not publish it.
DEFAULT_LOOK_AHEAD_DAYS = 1.0
# Interest rate for the carry/discount when the file's `intrRate` is not known. [ASSUMPTION]: 6%,
# close to Indian money-market rates in 2025 (RBI repo 5.5% from Jun 2025); its effect on the
# arrays is small (5.5% or 6.5% leave the extract comparison unchanged for rows ≥ ₹1).
DEFAULT_RATE = 0.06


def floors_for(*, index: bool, as_of: date | None = None, expiry: date | None = None) -> ScanFloors:
    """The published floor class: stock, index, or index option with residual maturity > 9 months."""
    if not index:
        return STOCK_FLOORS
    if as_of is not None and expiry is not None and _months_between(as_of, expiry) > LONG_DATED_MONTHS:
        return INDEX_LONG_DATED_FLOORS
    return INDEX_FLOORS


def _months_between(start: date, end: date) -> float:
    return (end - start).days / (YEAR_DAYS / 12.0)


def price_scan_range(
    underlying_price: Decimal,
    floors: ScanFloors,
    daily_sigma: Decimal | None = None,
    sigma_fraction: Decimal | None = None,
) -> Decimal:
    """PSR in rupees per unit: max(floor, 6σ√2) of the underlying price, to the paisa.

    `sigma_fraction` is 6σ√2 itself when it is known as a fraction (e.g. read off a file's PSR);
    the floor still applies on top of it.
    """
    fraction = floors.min_price_scan
    if daily_sigma is not None:
        fraction = max(fraction, floors.sigma_multiple * daily_sigma * Decimal(SQRT2))
    if sigma_fraction is not None:
        fraction = max(fraction, sigma_fraction)
    return (underlying_price * fraction).quantize(CENT, ROUND_HALF_EVEN)


def vol_scan_range(floors: ScanFloors, annual_vol: Decimal | None = None) -> Decimal:
    """VSR as an absolute volatility: max(floor, 25% × annualised volatility)."""
    if annual_vol is None:
        return floors.min_vol_scan
    return max(floors.min_vol_scan, floors.vol_scan_fraction * annual_vol)


def _cents(x: float) -> Decimal:
    return Decimal(repr(x)).quantize(CENT, ROUND_HALF_EVEN)


def _value(is_call: bool, spot: float, strike: float, years: float, vol: float, rate: float) -> float:
    forward = spot * math.exp(rate * years)
    return black76(is_call, forward, strike, years, vol, rate)


def _delta(is_call: bool, spot: float, strike: float, years: float, vol: float, rate: float) -> float:
    if years <= 0.0 or vol <= 0.0:
        forward = spot * math.exp(rate * years)
        itm = forward > strike if is_call else forward < strike
        return (1.0 if is_call else -1.0) if itm else 0.0
    sd = vol * math.sqrt(years)
    d1 = (math.log(spot * math.exp(rate * years) / strike) + 0.5 * sd * sd) / sd
    # dV/dS for V = e^(-rT)·B76(S·e^(rT)) is N(d1) (call) or N(d1) − 1 (put).
    return norm_cdf(d1) if is_call else norm_cdf(d1) - 1.0


@dataclass(frozen=True, slots=True)
class OptionInputs:
    is_call: bool
    underlying_price: Decimal
    strike: Decimal
    years: float  # to expiry, calendar days / 365
    volatility: Decimal  # annualised, one per underlying (point 5 of the method)
    price_scan: Decimal  # PSR in rupees per unit
    vol_scan: Decimal  # VSR, absolute
    rate: float = DEFAULT_RATE
    look_ahead_days: float = DEFAULT_LOOK_AHEAD_DAYS


def option_risk_array(inp: OptionInputs, scenarios: tuple[ScenarioDef, ...] = NSE_SCENARIOS) -> RiskArray:
    s, k, vol = float(inp.underlying_price), float(inp.strike), float(inp.volatility)
    psr, vsr = float(inp.price_scan), float(inp.vol_scan)
    later = max(inp.years - inp.look_ahead_days / YEAR_DAYS, 0.0)
    base = _value(inp.is_call, s, k, inp.years, vol, inp.rate)
    values = []
    for sc in scenarios:
        moved = max(s + float(sc.price_move) * psr, 1e-9)
        v = max(vol + sc.vol_move * vsr, 1e-6)
        values.append(_cents(float(sc.cover) * (base - _value(inp.is_call, moved, k, later, v, inp.rate))))
    delta = _delta(inp.is_call, s, k, later, vol, inp.rate)
    return RiskArray.from_decimals(values, Decimal(repr(round(delta, 6))))


def future_risk_array(price_scan: Decimal, scenarios: tuple[ScenarioDef, ...] = NSE_SCENARIOS) -> RiskArray:
    values = [(-(sc.cover * sc.price_move * price_scan)).quantize(CENT, ROUND_HALF_EVEN) for sc in scenarios]
    return RiskArray.from_decimals(values, Decimal(1))


def synthetic_option(
    *,
    underlying: str,
    kind: ContractKind,
    expiry: date,
    strike: Decimal,
    premium: Decimal,
    underlying_price: Decimal,
    volatility: Decimal,
    as_of: date,
    index: bool = True,
    daily_sigma: Decimal | None = None,
    sigma_fraction: Decimal | None = None,
    vol_scan: Decimal | None = None,
    rate: float = DEFAULT_RATE,
    look_ahead_days: float = DEFAULT_LOOK_AHEAD_DAYS,
) -> Contract:
    """An option Contract with a synthetic array (premium is what NOV and the bought premium use)."""
    floors = floors_for(index=index, as_of=as_of, expiry=expiry)
    psr = price_scan_range(underlying_price, floors, daily_sigma, sigma_fraction)
    vsr = vol_scan if vol_scan is not None else vol_scan_range(floors, volatility)
    inp = OptionInputs(
        kind is ContractKind.CALL,
        underlying_price,
        strike,
        (expiry - as_of).days / YEAR_DAYS,
        volatility,
        psr,
        vsr,
        rate,
        look_ahead_days,
    )
    return Contract(
        underlying=underlying,
        kind=kind,
        expiry=expiry,
        strike=strike,
        price=premium,
        risk_array=option_risk_array(inp),
        volatility=volatility,
        scan_rate=ScanRate(psr, vsr),
    )


def synthetic_future(
    *,
    underlying: str,
    expiry: date,
    price: Decimal,
    underlying_price: Decimal,
    as_of: date,
    index: bool = True,
    daily_sigma: Decimal | None = None,
    sigma_fraction: Decimal | None = None,
) -> Contract:
    floors = floors_for(index=index, as_of=as_of, expiry=expiry)
    psr = price_scan_range(underlying_price, floors, daily_sigma, sigma_fraction)
    return Contract(
        underlying=underlying,
        kind=ContractKind.FUTURE,
        expiry=expiry,
        strike=None,
        price=price,
        risk_array=future_risk_array(psr),
        scan_rate=ScanRate(psr, floors.min_vol_scan),
    )


def synthetic_commodity(
    code: str, far_prices: Sequence[tuple[str, Decimal]], *, index: bool = True
) -> CombinedCommodity:
    """A CombinedCommodity with the published calendar spread charges (§3.5) between its months.

    `far_prices`: (period, futures price) per month, e.g. ("202606", 24051.80); the period is what
    the contracts' `month` starts with. Each pair is charged at the rate × the later month's price.
    """
    rate = INDEX_CALENDAR_SPREAD_RATE if index else STOCK_CALENDAR_SPREAD_RATE
    months = sorted(far_prices)
    pairs = sorted(
        ((i, j) for i in range(len(months)) for j in range(i + 1, len(months))), key=lambda ij: (ij[1] - ij[0], ij)
    )
    spreads = tuple(
        DeltaSpread(
            priority=n,
            rate=(rate * months[j][1]).quantize(CENT, ROUND_HALF_EVEN),
            legs=(SpreadLeg(months[i][0], "A"), SpreadLeg(months[j][0], "B")),
        )
        for n, (i, j) in enumerate(pairs, start=1)
    )
    return CombinedCommodity(code=code, name=code, spreads=spreads)
