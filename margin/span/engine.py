"""The SPAN computation per combined commodity (underlying) and for a portfolio (reference data §3.4).

Per underlying, with signed quantities in units (long +, short −):
    loss[j]        = Σ qty × a[j]                       j = 1..16 (the arrays as published: the 35%
                                                         cover of the extreme moves is in the values)
    scan_risk      = max(0, max_j loss[j])
    calendar       = Σ over dSpreads by priority: n = min(|ΔA|/iA, |ΔB|/iB) when the two months' net
                     composite deltas have opposite signs; charge += n × rate; both legs consume n
    SOM            = som_rate × short option units
    NOV            = Σ qty × option price               (long options +, short −)
    SPAN           = max(0, max(scan_risk + calendar, SOM) − NOV)
Portfolio SPAN is the sum over underlyings (NSE files carry no inter-commodity credits, §3.2).

On a contract's expiry day (from 10 Feb 2025) the positions expiring that day get no calendar-spread
benefit (§3.4): they are scanned as their own group and left out of the spread charge.

Risk arrays are integers (1/10_000 rupee, types.RA_SCALE), so the scan is exact integer arithmetic;
deltas, prices and charges are Decimal. Pure (no Django).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from margin.span.exposure import ElmTable, exposure_lines
from margin.span.params import NO_CALENDAR_BENEFIT_ON_EXPIRY_FROM, NSE_EXPOSURE, NSE_INDEX_UNDERLYINGS, ExposureRule
from margin.span.types import (
    SCENARIO_COUNT,
    CombinedCommodity,
    Contract,
    ContractKey,
    DeltaSpread,
    PortfolioMargin,
    Position,
    UnderlyingMargin,
    from_ra_units,
)

ZERO = Decimal(0)


def net_positions(positions: Iterable[Position]) -> list[Position]:
    """One position per contract (quantities summed); flat contracts dropped."""
    qty: dict[ContractKey, int] = defaultdict(int)
    contract: dict[ContractKey, Contract] = {}
    for p in positions:
        qty[p.contract.key] += p.quantity
        contract[p.contract.key] = p.contract
    return [Position(contract[k], q) for k, q in qty.items() if q]


def scenario_losses(positions: Sequence[Position]) -> list[int]:
    """Σ qty × a[j] for each scenario, in RA units."""
    total = [0] * SCENARIO_COUNT
    for p in positions:
        q = p.quantity
        values = p.contract.risk_array.values
        for j in range(SCENARIO_COUNT):
            total[j] += q * values[j]
    return total


def _scan(losses: Sequence[int]) -> tuple[int, int]:
    """(worst loss in RA units floored at 0, 1-based scenario number or 0)."""
    worst = max(losses)
    if worst <= 0:
        return 0, 0
    return worst, losses.index(worst) + 1


def _leg_matches(leg_period: str, month: str) -> bool:
    # A leg names a contract month (YYYYMM) or day (YYYYMMDD); a YYYYMM leg covers every expiry in it.
    return bool(leg_period) and month.startswith(leg_period)


def calendar_spread_charge(positions: Sequence[Position], spreads: Sequence[DeltaSpread]) -> Decimal:
    """Charge for the delta offset between months, formed in priority order (chargeMeth 'F')."""
    if not spreads:
        return ZERO
    delta: dict[str, Decimal] = defaultdict(Decimal)
    for p in positions:
        delta[p.contract.month] += p.quantity * p.contract.risk_array.composite_delta
    charge = ZERO
    for spread in sorted(spreads, key=lambda s: s.priority):
        leg_a, leg_b = spread.legs
        months_a = [m for m in delta if _leg_matches(leg_a.period, m)]
        months_b = [m for m in delta if _leg_matches(leg_b.period, m)]
        for ma in months_a:
            for mb in months_b:
                da, db = delta[ma], delta[mb]
                if ma == mb or da == 0 or db == 0 or (da > 0) == (db > 0):
                    continue
                n = min(abs(da) / leg_a.ratio, abs(db) / leg_b.ratio)
                charge += n * spread.rate
                delta[ma] = da - n * leg_a.ratio * (1 if da > 0 else -1)
                delta[mb] = db - n * leg_b.ratio * (1 if db > 0 else -1)
    return charge


def short_option_minimum(positions: Sequence[Position], som_rate: Decimal) -> Decimal:
    if not som_rate:
        return ZERO
    units = sum(-p.quantity for p in positions if p.contract.kind.is_option and p.quantity < 0)
    return som_rate * units


def net_option_value(positions: Sequence[Position]) -> Decimal:
    return sum((p.quantity * p.contract.price for p in positions if p.contract.kind.is_option), ZERO)


def underlying_margin(
    positions: Sequence[Position],
    commodity: CombinedCommodity | None = None,
    *,
    as_of: date | None = None,
) -> UnderlyingMargin:
    """SPAN for the positions of one underlying (all positions must share it)."""
    positions = net_positions(positions)
    names = {p.contract.underlying for p in positions}
    if len(names) > 1:
        raise ValueError(f"positions of several underlyings: {sorted(names)}")
    underlying = names.pop() if names else (commodity.code if commodity else "")
    spreads = commodity.spreads if commodity else ()
    som_rate = commodity.som_rate if commodity else ZERO

    expiring: list[Position] = []
    rest = positions
    if as_of is not None and as_of >= NO_CALENDAR_BENEFIT_ON_EXPIRY_FROM:
        expiring = [p for p in positions if p.contract.expiry == as_of]
        rest = [p for p in positions if p.contract.expiry != as_of]

    losses = scenario_losses(positions)
    if expiring:
        # Scanned apart: no offset between the expiring contract and later months on its last day.
        worst_exp, _ = _scan(scenario_losses(expiring))
        worst_rest, _ = _scan(scenario_losses(rest))
        scan_units = worst_exp + worst_rest
        _, worst_scenario = _scan(losses)
    else:
        scan_units, worst_scenario = _scan(losses)
    scan_risk = from_ra_units(scan_units)
    calendar = calendar_spread_charge(rest, spreads)
    som = short_option_minimum(positions, som_rate)
    nov = net_option_value(positions)
    span = max(ZERO, max(scan_risk + calendar, som) - nov)
    return UnderlyingMargin(
        underlying=underlying,
        scenario_losses=tuple(from_ra_units(v) for v in losses),
        worst_scenario=worst_scenario,
        scan_risk=scan_risk,
        calendar_spread_charge=calendar,
        short_option_minimum=som,
        net_option_value=nov,
        span=span,
    )


def portfolio_margin(
    positions: Iterable[Position],
    *,
    commodities: Mapping[str, CombinedCommodity] | None = None,
    spot: Mapping[str, Decimal] | None = None,
    as_of: date | None = None,
    exposure_rule: ExposureRule = NSE_EXPOSURE,
    elm: ElmTable | None = None,
    index_underlyings: frozenset[str] = NSE_INDEX_UNDERLYINGS,
) -> PortfolioMargin:
    """SPAN per underlying summed, exposure margin (§3.6) and the premium of bought options.

    `spot` gives the underlying price the exposure notional of options is taken on (SpanData.spot
    from a file); without it a short option's exposure cannot be computed and is refused.
    """
    netted = net_positions(positions)
    groups: dict[str, list[Position]] = defaultdict(list)
    for p in netted:
        groups[p.contract.underlying].append(p)
    commodities = commodities or {}
    by_underlying = {
        name: underlying_margin(group, commodities.get(name), as_of=as_of) for name, group in sorted(groups.items())
    }
    lines = exposure_lines(
        netted, spot=spot or {}, as_of=as_of, rule=exposure_rule, elm=elm, index_underlyings=index_underlyings
    )
    premium = sum((p.quantity * p.contract.price for p in netted if p.contract.kind.is_option and p.quantity > 0), ZERO)
    return PortfolioMargin(
        by_underlying=by_underlying,
        span=sum((m.span for m in by_underlying.values()), ZERO),
        exposure=sum((line.amount for line in lines), ZERO),
        exposure_lines=tuple(lines),
        premium=premium,
    )
