"""Reads for the margin app: the charge schedule in force on a date, an order's charges, and margin
(`account_margin`, `order_margin`: docs/margin.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from . import buffers, calc, charges, sources
from .models import ChargeRate

ZERO = Decimal(0)


def charge_schedule_on(
    day: date, exchange: charges.Exchange | str, segment: charges.Segment | str
) -> charges.ChargeSchedule:
    """The rates one exchange and segment charge on `day` (CHARGE_SCHEDULE_NOT_FOUND when none cover it).

    Every row of the exchange/segment is read (a few dozen at most) so the schedule also knows how
    long it stays valid; `charges.build_schedule` picks the rows in force on `day`.
    """
    try:
        exchange, segment = charges.Exchange(exchange), charges.Segment(segment)
    except ValueError:
        raise charges.ChargeInputInvalid(
            f"Unknown exchange or segment: {exchange} {segment}.",
            details={"exchange": str(exchange), "segment": str(segment)},
        ) from None
    rows = [row.as_rate_row() for row in ChargeRate.objects.filter(Q(exchange=exchange) & Q(segment=segment))]
    return charges.build_schedule(rows, day, exchange, segment)


def order_charges(order: charges.ChargeInput) -> charges.ChargeBreakdown:
    """Kite-style charges of one executed order at the rates of its own trade date."""
    return charges.order_charges(order, charge_schedule_on(order.trade_date, order.exchange, order.segment))


# --- margin: what an account holds back, what an order or basket needs ------------------------------------
# See docs/margin.md. Figures are exchange margin (SPAN, exposure, option premium, VaR) from margin.calc on
# the arrays margin.sources resolves, plus the OMS's buffer (margin.buffers), kept apart.
@dataclass(frozen=True, slots=True)
class MarginOrder:
    """One order to margin: the instrument row, side, units, price (None: market) and product."""

    instrument: Any
    transaction_type: str
    quantity: int
    price: Decimal | None = None
    product: str = "NRML"
    order_type: str = "MARKET"
    trigger_price: Decimal | None = None

    @property
    def signed_quantity(self) -> int:
        return self.quantity if self.transaction_type == "BUY" else -self.quantity


@dataclass(frozen=True, slots=True)
class AccountMargin:
    """An account's margin now: exchange figures of its open positions and working orders margined together,
    the OMS buffer with its factors, and the funds they are held against.

    `funds` is None for a broker (Kite) account whose cash the OMS does not hold: then available and
    utilisation are unknown (None) and the broker judges funds."""

    account_id: int
    span: Decimal
    exposure: Decimal
    option_premium: Decimal
    var: Decimal
    additional: Decimal
    exchange_total: Decimal
    buffer: Decimal
    buffer_factors: list[tuple[str, Decimal, str]]
    total_blocked: Decimal  # exchange_total + buffer: what the OMS holds back
    funds: Decimal | None  # cash the margin is held against
    available: Decimal | None  # funds − used
    used: Decimal  # == total_blocked
    utilisation_pct: Decimal | None
    level: str  # LOW / MEDIUM / HIGH / EXTREME (UNKNOWN without funds)
    positions_count: int = 0
    open_orders_count: int = 0
    source: str = "synthetic"  # where the risk arrays came from
    as_of: datetime | None = None

    @property
    def figures(self) -> calc.Figures:
        return calc.Figures(self.span, self.exposure, self.option_premium, self.var, self.additional)


@dataclass(frozen=True, slots=True)
class LegMargin:
    """One order margined alone (Kite's per-order figures)."""

    order: MarginOrder
    figures: calc.Figures
    price: Decimal  # the price it was margined at (the order's, else the market's)


@dataclass(frozen=True, slots=True)
class OrderMargin:
    """What one order or a basket needs, against the account's positions and working orders.

    initial: each order alone, summed (no hedge between them); basket: the orders margined together;
    final: the change of the account's exchange margin when they are added (hedges against positions; an order
    that closes a position needs nothing for the part that closes); required: the change of what the OMS holds
    back (final + buffer change), never below 0."""

    orders: list[LegMargin]
    initial: calc.Figures
    basket: calc.Figures
    final: calc.Figures
    exchange_required: Decimal  # max(0, final.total)
    buffer: Decimal  # max(0, change of the buffer)
    buffer_factors: list[tuple[str, Decimal, str]]
    required: Decimal  # exchange_required + buffer
    before: AccountMargin
    after: AccountMargin
    available: Decimal | None  # before the orders
    remaining: Decimal | None  # after them
    shortfall: Decimal  # what is missing (0 when it fits)
    can_execute: bool
    risk_increasing: bool  # the account's exchange margin grows


UTILISATION_LEVELS = ((Decimal(90), "EXTREME"), (Decimal(80), "HIGH"), (Decimal(70), "MEDIUM"))


def utilisation_level(pct: Decimal | None) -> str:
    """LOW < 70 ≤ MEDIUM < 80 ≤ HIGH < 90 ≤ EXTREME (the seeds' levels)."""
    if pct is None:
        return "UNKNOWN"
    for floor, name in UTILISATION_LEVELS:
        if pct >= floor:
            return name
    return "LOW"


def _instruments(tokens: set[int], known: Sequence[Any] = (), memo: dict[int, Any] | None = None) -> dict[int, Any]:
    """Instrument rows by token; those in `known` (e.g. the order's own instrument) or in `memo` are not read
    again, and what is read is added to `memo` (the pre-trade context's, shared with risk's marks)."""
    from marketdata.models import Instrument

    memo = {} if memo is None else memo
    memo.update((i.instrument_token, i) for i in known)
    found = {t: memo[t] for t in tokens if t in memo}
    missing = tokens - found.keys()
    if missing:
        rows = {i.instrument_token: i for i in Instrument.objects.filter(instrument_token__in=missing)}
        memo.update(rows)
        found.update(rows)
    return found


def _held_items(
    account: Any,
    exclude_tag: str = "",
    positions: Sequence[Any] | None = None,
    known: Sequence[Any] = (),
    strategy_id: int | None = None,
    instruments: dict[int, Any] | None = None,
) -> tuple[list[sources.Item], list[sources.Item]]:
    """(position items at their average price, working-order items at their price) of the account. `positions`:
    the account's open positions when the caller already read them (the pre-trade context's loader); `known`:
    instrument rows the caller holds (an order's own instrument), not read again; `strategy_id`: only that
    strategy's positions and working orders; `instruments`: a memo of rows by token, read from and added to."""
    from oms_project.lib.open_orders import open_orders_for
    from portfolio.selectors import positions_for

    if positions is None:
        positions = list(positions_for(account=account, strategy_id=strategy_id, open_only=True))
    positions = [p for p in positions if p.quantity]
    working = [o for o in open_orders_for(account.pk) if not exclude_tag or o.tag != exclude_tag]
    if strategy_id is not None:
        positions = [p for p in positions if p.strategy_id == strategy_id]
        working = [o for o in working if o.strategy_id == strategy_id]
    found = _instruments(
        {p.instrument_token for p in positions} | {o.instrument_token for o in working}, known, instruments
    )
    held = [
        sources.Item(found[p.instrument_token], p.quantity, Decimal(p.average_price), p.product, ("position", p.pk))
        for p in positions
        if p.instrument_token in found
    ]
    pending = [
        sources.Item(
            found[o.instrument_token],
            o.quantity if o.transaction_type == "BUY" else -o.quantity,
            o.price if o.price else None,
            o.product,
            ("order", o.order_id),
        )
        for o in working
        if o.instrument_token in found
    ]
    return held, pending


def _policy(account: Any, strategy_id: int | None = None) -> buffers.BufferPolicy:
    from .settings_store import buffer_policy

    return buffer_policy(account, strategy_id)


def _market_state(resolved: sources.Resolved, legs: Sequence[calc.Leg], at: datetime) -> buffers.MarketState:
    from .settings_store import regulatory_factors

    local = timezone.localtime(at)
    underlyings = {leg.underlying for leg in legs if leg.contract is not None}
    inputs = {u: resolved.inputs[u] for u in underlyings if u in resolved.inputs}
    vix = next(iter(resolved.inputs.values())).vix if resolved.inputs else None
    if vix is None and underlyings:
        vix = _vix(at)
    return buffers.MarketState(
        vix=vix,
        today=local.date(),
        now_ist=local.time(),
        expiries=frozenset(leg.expiry for leg in legs if leg.expiry is not None),
        moves={u: ri.day_change for u, ri in inputs.items()},
        regulatory=regulatory_factors(underlyings, local.date()),
    )


def _vix(at: datetime) -> Decimal | None:
    from marketdata.pricing import simulator

    return Decimal(repr(round(simulator().vix(at.timestamp()), 2)))


def _blocked(legs: Sequence[calc.Leg], market: calc.MarketData) -> calc.Figures:
    return calc.figures(legs, market, credit_sold=True)


def _account_figures(
    account: Any,
    held: Sequence[calc.Leg],
    pending: Sequence[calc.Leg],
    resolved: sources.Resolved,
    policy: buffers.BufferPolicy,
    funds: Decimal | None,
    at: datetime,
) -> AccountMargin:
    """Working orders block margin as if filled, but never less than the positions alone: an order that would
    reduce margin does not release it before it fills. So blocked = the larger of M(positions) and
    M(positions + working orders), compared on what the OMS holds back."""
    state = _market_state(resolved, [*held, *pending], at)
    factors = buffers.active_factors(policy, state)
    candidates = [_blocked(held, resolved.market)]
    if pending:
        candidates.append(_blocked([*held, *pending], resolved.market))
    best = None
    for fig in candidates:
        buf = buffers.buffer_amount(fig.span, fig.exposure, fig.var, factors) if fig.total > 0 else ZERO
        total = fig.total + buf
        if best is None or total > best[2]:
            best = (fig, buf, total)
    fig, buf, total = best
    total = max(total, ZERO)
    available = None if funds is None else funds - total
    pct = None
    if funds is not None:
        pct = (total / funds * 100).quantize(Decimal("0.01")) if funds > 0 else (Decimal(100) if total > 0 else ZERO)
    return AccountMargin(
        account_id=account.pk,
        span=fig.span,
        exposure=fig.exposure,
        option_premium=fig.option_premium,
        var=fig.var,
        additional=fig.additional,
        exchange_total=fig.total,
        buffer=buf,
        buffer_factors=[f.as_tuple() for f in factors] if buf > 0 else [],
        total_blocked=total,
        funds=funds,
        available=available,
        used=total,
        utilisation_pct=pct,
        level=utilisation_level(pct),
        positions_count=len(held),
        open_orders_count=len(pending),
        source=resolved.market.source,
        as_of=at,
    )


def _funds(account: Any, funds: Any = None) -> Decimal | None:
    """The cash margin is held against (paper accounts); `funds`: portfolio's Funds when already read."""
    if not account.is_paper:
        return None
    if funds is None:
        from portfolio.selectors import funds_for

        funds = funds_for(account)
    return funds.cash


def account_margin(account: Any, *, at: datetime | None = None) -> AccountMargin:
    """The account's margin: its open positions and working orders margined together (hedges offset), the
    OMS buffer, and the funds (cash) they are held against. The account row was resolved for its owner."""
    at = at or timezone.now()
    held, pending = _held_items(account)
    resolved = sources.legs_for([*held, *pending], at)
    legs = resolved.legs
    return _account_figures(
        account, legs[: len(held)], legs[len(held) :], resolved, _policy(account), _funds(account), at
    )


def strategy_margin(strategy: Any, *, at: datetime | None = None) -> AccountMargin:
    """One strategy's own margin: its open positions and working orders margined together as if they were the
    whole account (no hedge against the account's other strategies, so strategies' figures can add up to more
    than the account's), with the strategy's buffer policy; funds are the account's. Read by housekeeping's
    5-minute strategy snapshots (`margin_used` = `total_blocked`)."""
    at = at or timezone.now()
    account = strategy.account
    held, pending = _held_items(account, strategy_id=strategy.pk)
    resolved = sources.legs_for([*held, *pending], at)
    legs = resolved.legs
    return _account_figures(
        account, legs[: len(held)], legs[len(held) :], resolved, _policy(account, strategy.pk), _funds(account), at
    )


def order_margin(
    account: Any,
    orders: Sequence[MarginOrder],
    *,
    strategy_id: int | None = None,
    consider_positions: bool = True,
    at: datetime | None = None,
    exclude_tag: str = "",
    positions: Sequence[Any] | None = None,
    funds: Any = None,
    instruments: dict[int, Any] | None = None,
) -> OrderMargin:
    """What one order or a basket needs: margined alone (initial), together (basket) and against the account's
    positions and working orders (final, required). See OrderMargin. `exclude_tag`: a working order to leave
    out (the broker judging the very order the OMS already holds as working); `instruments`: a memo of instrument
    rows by token (see _held_items)."""
    at = at or timezone.now()
    held, pending = (
        _held_items(account, exclude_tag, positions, [o.instrument for o in orders], instruments=instruments)
        if consider_positions
        else ([], [])
    )
    new = [sources.Item(o.instrument, o.signed_quantity, o.price, o.product, ("new", i)) for i, o in enumerate(orders)]
    resolved = sources.legs_for([*held, *pending, *new], at)
    legs = resolved.legs
    held_legs, pending_legs = legs[: len(held)], legs[len(held) : len(held) + len(pending)]
    new_legs = legs[len(held) + len(pending) :]
    policy = _policy(account, strategy_id)
    funds = _funds(account, funds)
    before = _account_figures(account, held_legs, pending_legs, resolved, policy, funds, at)
    after = _account_figures(account, held_legs, [*pending_legs, *new_legs], resolved, policy, funds, at)
    per = calc.per_leg(new_legs, resolved.market)
    initial = sum(per, calc.Figures())
    basket = calc.figures(new_legs, resolved.market, credit_sold=True)
    final = after.figures - before.figures
    exchange_required = max(ZERO, after.exchange_total - before.exchange_total)
    required = max(ZERO, after.total_blocked - before.total_blocked)
    buffer_change = max(ZERO, required - exchange_required)
    risk_increasing = after.total_blocked > before.total_blocked
    if funds is None:
        can, shortfall = True, ZERO
    else:
        fits = after.total_blocked <= funds
        can = fits or not risk_increasing
        shortfall = ZERO if can else after.total_blocked - funds
    return OrderMargin(
        orders=[LegMargin(o, f, leg.trade_price) for o, f, leg in zip(orders, per, new_legs, strict=True)],
        initial=initial,
        basket=basket,
        final=final,
        exchange_required=exchange_required,
        buffer=buffer_change,
        buffer_factors=after.buffer_factors,
        required=required,
        before=before,
        after=after,
        available=before.available,
        remaining=after.available,
        shortfall=shortfall,
        can_execute=can,
        risk_increasing=risk_increasing,
    )


def venue_margin(
    account: Any,
    *,
    instrument: Any,
    transaction_type: str,
    quantity: int,
    price: Decimal | None,
    product: str,
    tag: str = "",
) -> tuple[Decimal, Decimal]:
    """(required, available) as the paper venue judges an order, in exchange margin only (a broker knows no OMS
    buffer): required is what the order adds to the account's exchange margin against its positions and working
    orders (0 for an order that reduces; a reversal needs only its opening part net of what the close frees),
    available is the account's funds less its exchange margin now. The venue refuses when required > available."""
    om = order_margin(
        account,
        [MarginOrder(instrument, transaction_type, int(quantity), price, product)],
        exclude_tag=tag,
    )
    funds = om.before.funds if om.before.funds is not None else ZERO
    available = funds - om.before.exchange_total
    return om.exchange_required, available
