"""Exchange margin of a set of legs (positions and orders), in Kite's components. Pure: no Django.

A leg is a signed quantity in units of one instrument: a derivative (with its SPAN `Contract`, from
the day's file or synthetic) or an equity (VaR margin: a fraction of its value by product). For a
set of legs:

    span, exposure      margin.span.portfolio_margin of the derivative legs (hedges offset)
    option_premium      Σ qty × trade price of option legs: bought +; sold − when `credit_sold`
                        (Kite's basket `final`: net premium, can be negative), else 0 (Kite's
                        per-order figures show the premium of bought options only)
    var                 Σ |value| × rate of equity legs (MIS 20%, CNC 100% bought; CNC sells of
                        holdings need none)
    total               span + exposure + option_premium + var + additional
See docs/margin.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from margin.span import CombinedCommodity, Contract, Position, portfolio_margin
from margin.span.exposure import ElmTable

ZERO = Decimal(0)
PAISA = Decimal("0.01")


def q2(x: Decimal) -> Decimal:
    return x.quantize(PAISA, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Leg:
    """One signed quantity (units; long/buy +, short/sell −)."""

    ref: Any  # the caller's handle (position id, order index)
    token: int
    quantity: int
    trade_price: Decimal  # premium per unit for options, price for equity (cash paid or received)
    contract: Contract | None = None  # derivatives
    equity_rate: Decimal | None = None  # equity: margin as a fraction of value (None: not equity)
    is_option: bool = False
    underlying: str = ""
    expiry: date | None = None


@dataclass(frozen=True, slots=True)
class Figures:
    """Kite's margin components (rupees, to the paisa)."""

    span: Decimal = ZERO
    exposure: Decimal = ZERO
    option_premium: Decimal = ZERO
    var: Decimal = ZERO
    additional: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.span + self.exposure + self.option_premium + self.var + self.additional

    @property
    def risk(self) -> Decimal:
        """What the buffer applies to: SPAN + exposure + VaR (not the premium)."""
        return self.span + self.exposure + self.var

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.span + other.span,
            self.exposure + other.exposure,
            self.option_premium + other.option_premium,
            self.var + other.var,
            self.additional + other.additional,
        )

    def __sub__(self, other: Figures) -> Figures:
        return Figures(
            self.span - other.span,
            self.exposure - other.exposure,
            self.option_premium - other.option_premium,
            self.var - other.var,
            self.additional - other.additional,
        )

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "span": self.span,
            "exposure": self.exposure,
            "option_premium": self.option_premium,
            "var": self.var,
            "additional": self.additional,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class MarketData:
    """The engine's inputs besides the legs: spot per underlying, calendar spreads and SOM per
    underlying, the AEL table, the trade date and where the arrays came from."""

    spot: Mapping[str, Decimal] = field(default_factory=dict)
    commodities: Mapping[str, CombinedCommodity] = field(default_factory=dict)
    elm: ElmTable | None = None
    as_of: date | None = None
    source: str = "synthetic"  # "span-file:<date>" or "synthetic"


def net_legs(legs: Iterable[Leg]) -> list[Leg]:
    """Legs summed per instrument (the trade price of the sum: quantity-weighted, signed)."""
    by: dict[int, list[Leg]] = {}
    for leg in legs:
        by.setdefault(leg.token, []).append(leg)
    out = []
    for group in by.values():
        qty = sum(g.quantity for g in group)
        if qty == 0:
            continue
        cash = sum((g.quantity * g.trade_price for g in group), ZERO)
        first = group[0]
        out.append(
            Leg(
                first.ref,
                first.token,
                qty,
                cash / qty,
                first.contract,
                first.equity_rate,
                first.is_option,
                first.underlying,
                first.expiry,
            )
        )
    return out


def figures(legs: Sequence[Leg], market: MarketData, *, credit_sold: bool = True, netted: bool = True) -> Figures:
    """Exchange margin of the legs margined together."""
    if netted:
        legs = net_legs(legs)
    derivatives = [Position(leg.contract, leg.quantity) for leg in legs if leg.contract is not None and leg.quantity]
    span = exposure = ZERO
    if derivatives:
        pm = portfolio_margin(
            derivatives, commodities=market.commodities, spot=market.spot, as_of=market.as_of, elm=market.elm
        )
        span, exposure = pm.span, pm.exposure
    premium = ZERO
    var = ZERO
    for leg in legs:
        if leg.is_option:
            if leg.quantity > 0 or credit_sold:
                premium += leg.quantity * leg.trade_price
        elif leg.equity_rate is not None:
            var += abs(leg.quantity) * leg.trade_price * leg.equity_rate
    return Figures(q2(span), q2(exposure), q2(premium), q2(var))


def per_leg(legs: Sequence[Leg], market: MarketData) -> list[Figures]:
    """Each leg margined alone (Kite's /margins/orders and the basket's `orders`)."""
    return [figures([leg], market, credit_sold=False, netted=False) for leg in legs]
