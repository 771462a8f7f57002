"""The OMS's own safety buffer on top of the exchange margin (dynamic factors). Pure: no Django.

No exchange rule uses India VIX or the time of day (reference data §6): these factors are OUR
conservative buffer, shown apart from the exchange figure, each with its reason. The ranges are
the seeds' (VIX 1.0–2.0×, expiry day 1.0–3.5×, price move 1.0–1.6×, regulatory 1.0–2.0×, plus the
strategy's or account's `margin_buffer_pct`); the schedules inside the ranges are our choice and
are parameters of `BufferPolicy` (configurable per account and per strategy, docs/margin.md):

    VIX            1.0 at VIX ≤ vix_calm, rising linearly to vix_max_factor at VIX ≥ vix_stressed
    expiry day     when the basket holds a contract expiring today: expiry_steps by IST time of day
                   (the later in the session, the larger; gamma risk peaks into the close)
    price move     1.0 while |move since the previous close| ≤ move_calm, linear to move_max_factor
                   at ≥ move_stressed (the largest move among the basket's underlyings)
    regulatory     the largest factor operations set for one of the basket's underlyings (an
                   announced additional margin), clamped to 1.0–2.0
    buffer %       margin_buffer_pct of the (factored) exchange margin

    factored = SPAN × vix × expiry × move × regulatory + exposure + VaR
    total    = factored × (1 + buffer_pct/100)     buffer = total − (SPAN + exposure + VaR)
The option premium is cash, not risk: it is never buffered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

D = Decimal
ONE = D(1)
ZERO = D(0)
PAISA = D("0.01")


@dataclass(frozen=True, slots=True)
class BufferFactor:
    name: str  # vix, expiry_day, price_move, regulatory, margin_buffer_pct
    factor: Decimal
    reason: str

    def as_tuple(self) -> tuple[str, Decimal, str]:
        return (self.name, self.factor, self.reason)


@dataclass(frozen=True, slots=True)
class BufferPolicy:
    """Which factors apply and their schedules. Defaults are the product's; accounts and strategies
    override them (margin.models.MarginSettings)."""

    vix_enabled: bool = True
    vix_calm: Decimal = D(15)
    vix_stressed: Decimal = D(35)
    vix_max_factor: Decimal = D("2.0")
    expiry_enabled: bool = True
    # (from IST time, factor): the factor in force from that time on the expiry day.
    expiry_steps: tuple[tuple[time, Decimal], ...] = (
        (time(0, 0), D("1.5")),
        (time(11, 0), D("2.0")),
        (time(13, 0), D("2.75")),
        (time(14, 30), D("3.5")),
    )
    move_enabled: bool = True
    move_calm: Decimal = D("0.01")
    move_stressed: Decimal = D("0.04")
    move_max_factor: Decimal = D("1.6")
    regulatory_enabled: bool = True
    buffer_pct: Decimal = ZERO  # margin_buffer_pct

    # The seeds' ranges: every factor is clamped into them.
    RANGES = {
        "vix": (ONE, D("2.0")),
        "expiry_day": (ONE, D("3.5")),
        "price_move": (ONE, D("1.6")),
        "regulatory": (ONE, D("2.0")),
    }


@dataclass(frozen=True, slots=True)
class MarketState:
    """What the factors look at: VIX, today's date and IST time, the basket's expiries and
    underlyings' moves, and operations' regulatory factors per underlying."""

    vix: Decimal | None
    today: date
    now_ist: time
    expiries: frozenset[date] = frozenset()
    moves: Mapping[str, Decimal] = field(default_factory=dict)  # underlying -> move since previous close
    regulatory: Mapping[str, tuple[Decimal, str]] = field(default_factory=dict)  # underlying -> (factor, reason)


def _clamp(name: str, value: Decimal) -> Decimal:
    lo, hi = BufferPolicy.RANGES[name]
    return min(max(value, lo), hi)


def _linear(x: Decimal, calm: Decimal, stressed: Decimal, top: Decimal) -> Decimal:
    if x <= calm:
        return ONE
    if x >= stressed or stressed <= calm:
        return top
    return ONE + (top - ONE) * (x - calm) / (stressed - calm)


def _q(x: Decimal) -> Decimal:
    return x.quantize(D("0.001"), ROUND_HALF_UP)


def active_factors(policy: BufferPolicy, state: MarketState) -> list[BufferFactor]:
    """The factors above 1.0 (and the buffer %), each with its reason."""
    out: list[BufferFactor] = []
    if policy.vix_enabled and state.vix is not None:
        f = _clamp("vix", _q(_linear(state.vix, policy.vix_calm, policy.vix_stressed, policy.vix_max_factor)))
        if f > ONE:
            out.append(BufferFactor("vix", f, f"VIX {state.vix.quantize(D('0.1'))}"))
    if policy.expiry_enabled and state.today in state.expiries:
        f = ONE
        for start, factor in policy.expiry_steps:
            if state.now_ist >= start:
                f = factor
        f = _clamp("expiry_day", f)
        if f > ONE:
            out.append(BufferFactor("expiry_day", f, "expiry day"))
    if policy.move_enabled and state.moves:
        name, move = max(state.moves.items(), key=lambda kv: abs(kv[1]))
        f = _clamp("price_move", _q(_linear(abs(move), policy.move_calm, policy.move_stressed, policy.move_max_factor)))
        if f > ONE:
            pct = (move * 100).quantize(D("0.1"))
            out.append(BufferFactor("price_move", f, f"{name} {'+' if pct > 0 else ''}{pct}% today"))
    if policy.regulatory_enabled and state.regulatory:
        name, (factor, reason) = max(state.regulatory.items(), key=lambda kv: kv[1][0])
        f = _clamp("regulatory", factor)
        if f > ONE:
            out.append(BufferFactor("regulatory", f, reason or f"regulatory margin on {name}"))
    if policy.buffer_pct > 0:
        out.append(BufferFactor("margin_buffer_pct", ONE + policy.buffer_pct / 100, f"buffer {policy.buffer_pct}%"))
    return out


def buffer_amount(span: Decimal, exposure: Decimal, var: Decimal, factors: Iterable[BufferFactor]) -> Decimal:
    """The OMS's buffer on top of SPAN + exposure + VaR (never negative, to the paisa)."""
    multiplier, pct_factor = ONE, ONE
    for f in factors:
        if f.name == "margin_buffer_pct":
            pct_factor *= f.factor
        else:
            multiplier *= f.factor
    base = span + exposure + var
    total = (span * multiplier + exposure + var) * pct_factor
    return max(ZERO, (total - base).quantize(PAISA, ROUND_HALF_UP))
