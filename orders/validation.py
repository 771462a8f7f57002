"""Pre-trade checks (pure: no Django). Each failure raises its own error code; nothing is sent.

Exchange facts (lot size, tick size, freeze quantity, price band) come in as data from the instrument
master and the quote (/work/shared/research/reference-data.md §5), never literals here; the session and
order-type rules (SL-M on options, AMO windows, the MIS cut-off) are data in `orders.trading_rules`, each
cited in docs/exchange-rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from . import errors, trading_rules
from .domain import MAX_SLICES, MAX_TAG_LENGTH, OrderType, Product, Side, Validity


@dataclass(frozen=True, slots=True)
class InstrumentFacts:
    instrument_token: int
    exchange: str
    tradingsymbol: str
    instrument_type: str  # EQ / FUT / CE / PE
    lot_size: int
    tick_size: Decimal
    freeze_quantity: int | None
    expiry: date | None
    lower_circuit: Decimal | None = None
    upper_circuit: Decimal | None = None
    last_price: Decimal | None = None
    segment: str = ""  # Kite's segment, e.g. NFO-FUT; "INDICES" for an index

    @property
    def is_derivative(self) -> bool:
        return self.instrument_type in ("FUT", "CE", "PE")


@dataclass(frozen=True, slots=True)
class OrderDraft:
    transaction_type: str
    quantity: int
    product: str
    order_type: str
    validity: str = "DAY"
    price: Decimal | None = None
    trigger_price: Decimal | None = None
    validity_ttl: int | None = None
    disclosed_quantity: int = 0
    market_protection: int | None = None
    tag: str = ""
    stop_loss: Decimal | None = None
    target: Decimal | None = None
    stop_loss_points: Decimal | None = None
    target_points: Decimal | None = None
    trailing_stop_points: Decimal | None = None


def _on_grid(value: Decimal, tick: Decimal) -> bool:
    return tick > 0 and (value % tick) == 0


def _fmt(d: Decimal) -> str:
    return f"{d:.2f}"


def check_enums(d: OrderDraft) -> None:
    for field, enum in (
        ("transaction_type", Side),
        ("product", Product),
        ("order_type", OrderType),
        ("validity", Validity),
    ):
        value = getattr(d, field)
        if value not in {m.value for m in enum}:
            allowed = ", ".join(m.value for m in enum)
            raise errors.InvalidOrderField(f"{field} must be one of {allowed}.", details={"field": field})
    if d.tag and len(d.tag) > MAX_TAG_LENGTH:
        raise errors.InvalidOrderField("tag may have at most 20 characters.", details={"field": "tag"})
    if d.validity == Validity.TTL and not d.validity_ttl:
        raise errors.InvalidOrderField("TTL orders need validity_ttl (minutes).", details={"field": "validity_ttl"})


def check_quantity(d: OrderDraft, f: InstrumentFacts, *, sliceable: bool = False) -> None:
    """Units, lots and the disclosed quantity. A single order that cannot be sliced (a modification)
    may not exceed the exchange's freeze quantity; a new order above it is sliced or refused by
    `slice_plan`. An order of exactly the freeze quantity is accepted (docs/exchange-rules.md)."""
    check_tradable(f)
    if not isinstance(d.quantity, int) or d.quantity <= 0:
        raise errors.InvalidQuantity()
    if d.quantity % f.lot_size:
        lots = d.quantity / f.lot_size
        raise errors.LotSizeMismatch(
            f"Quantity {d.quantity} is not a multiple of the lot size {f.lot_size} for {f.tradingsymbol} "
            f"({lots:.2f} lots). Use {max(1, d.quantity // f.lot_size) * f.lot_size}.",
            details={"quantity": d.quantity, "lot_size": f.lot_size},
        )
    if d.disclosed_quantity and d.disclosed_quantity > d.quantity:
        raise errors.InvalidOrderField(
            "disclosed_quantity cannot exceed quantity.", details={"field": "disclosed_quantity"}
        )
    if not sliceable and f.freeze_quantity and d.quantity > f.freeze_quantity:
        raise errors.FreezeQuantityExceeded(
            f"The quantity {d.quantity} ({d.quantity // f.lot_size} lots) is higher than the maximum of "
            f"{f.freeze_quantity} ({f.freeze_quantity // f.lot_size} lots) the exchange allows in one order; "
            "a modification cannot be sliced. Place a second order for the rest.",
            details={"quantity": d.quantity, "freeze_quantity": f.freeze_quantity},
        )


def check_order_type(d: OrderDraft, f: InstrumentFacts) -> None:
    """SL-M is refused on options and on BSE (reference-data.md §9.2): the stop must be SL."""
    if d.order_type != OrderType.SLM:
        return
    why = trading_rules.slm_refused(instrument_type=f.instrument_type, exchange=f.exchange)
    if why:
        raise errors.SlmNotAllowed(
            f"SL-M is not allowed for {f.tradingsymbol}: {why}. Use order_type SL with a trigger price and a "
            "limit price beyond it.",
            details={"order_type": d.order_type, "instrument_type": f.instrument_type, "exchange": f.exchange},
        )


def check_prices(d: OrderDraft, f: InstrumentFacts) -> None:
    check_trigger_allowed(d)
    check_price_allowed(d)
    check_order_type(d, f)
    needs_price = d.order_type in (OrderType.LIMIT, OrderType.SL)
    needs_trigger = d.order_type in (OrderType.SL, OrderType.SLM)
    if needs_price and (d.price is None or d.price <= 0):
        raise errors.PriceRequired(f"{d.order_type} orders need a price above zero.")
    if needs_trigger and (d.trigger_price is None or d.trigger_price <= 0):
        raise errors.TriggerRequired(f"{d.order_type} orders need a trigger price above zero.")
    for name, value in (
        ("price", d.price if needs_price else None),
        ("trigger_price", d.trigger_price if needs_trigger else None),
    ):
        if value is None:
            continue
        if not _on_grid(value, f.tick_size):
            lower = (value // f.tick_size) * f.tick_size
            raise errors.TickSizeMismatch(
                f"{name.replace('_', ' ').capitalize()} {value} is not a multiple of the tick size {f.tick_size}; "
                f"try {_fmt(lower)} or {_fmt(lower + f.tick_size)}.",
                details={"field": name, "tick_size": str(f.tick_size)},
            )
        if f.lower_circuit is not None and f.upper_circuit is not None and f.upper_circuit > 0:
            if not (f.lower_circuit <= value <= f.upper_circuit):
                raise errors.PriceOutOfBand(
                    f"{name.replace('_', ' ').capitalize()} {value} is outside today's band "
                    f"{_fmt(f.lower_circuit)}–{_fmt(f.upper_circuit)}.",
                    details={"field": name, "lower": str(f.lower_circuit), "upper": str(f.upper_circuit)},
                )
    if needs_trigger and f.last_price is not None and f.last_price > 0 and d.trigger_price is not None:
        # A stop BUY triggers when the price rises to the trigger: it must sit above the market; a SELL below.
        if d.transaction_type == Side.BUY and d.trigger_price <= f.last_price:
            raise errors.TriggerWrongSide(
                f"A stop-loss BUY triggers when the price rises: the trigger {d.trigger_price} must be above "
                f"the last price {_fmt(f.last_price)}.",
                details={"trigger_price": str(d.trigger_price), "last_price": str(f.last_price)},
            )
        if d.transaction_type == Side.SELL and d.trigger_price >= f.last_price:
            raise errors.TriggerWrongSide(
                f"A stop-loss SELL triggers when the price falls: the trigger {d.trigger_price} must be below "
                f"the last price {_fmt(f.last_price)}.",
                details={"trigger_price": str(d.trigger_price), "last_price": str(f.last_price)},
            )
    if d.order_type == OrderType.SL and d.price is not None and d.trigger_price is not None:
        if d.transaction_type == Side.BUY and d.price < d.trigger_price:
            raise errors.TriggerWrongSide("For an SL BUY the limit price must be at or above the trigger price.")
        if d.transaction_type == Side.SELL and d.price > d.trigger_price:
            raise errors.TriggerWrongSide("For an SL SELL the limit price must be at or below the trigger price.")


def check_market_protection(d: OrderDraft) -> None:
    """Kite requires protection on MARKET and SL-M since 1 Apr 2026 (kite-api.md §6): -1 or 1..100; 0 refused.

    None is filled in by the service with the automatic value (-1) before this check."""
    if d.order_type in (OrderType.MARKET, OrderType.SLM):
        mp = d.market_protection
        if mp is None or not (mp == -1 or 1 <= mp <= 100):
            raise errors.MarketProtectionRequired()


def check_product(d: OrderDraft, f: InstrumentFacts) -> None:
    # Kite: CNC is delivery for cash equity; NRML is carry-forward for derivatives; MIS is intraday for both.
    if d.product == Product.CNC and f.is_derivative:
        raise errors.ProductNotAllowed(
            f"CNC is for delivery equity; use NRML (carry forward) or MIS (intraday) for {f.tradingsymbol}.",
            details={"product": d.product, "allowed": ["NRML", "MIS"]},
        )
    if d.product == Product.NRML and not f.is_derivative:
        raise errors.ProductNotAllowed(
            f"NRML is for derivatives; use CNC (delivery) or MIS (intraday) for {f.tradingsymbol}.",
            details={"product": d.product, "allowed": ["CNC", "MIS"]},
        )


def check_expiry(f: InstrumentFacts, today: date) -> None:
    if f.expiry is not None and f.expiry < today:
        raise errors.InstrumentExpired(
            f"{f.tradingsymbol} expired on {f.expiry:%d %b %Y}; pick a current contract.",
            details={"expiry": f.expiry.isoformat()},
        )


def check_amo_window(
    *,
    amo: bool,
    at: datetime,
    trading_day: bool,
    session_open: bool,
    exchange: str = "NFO",
    order_type: str = "",
    instrument_type: str = "",
) -> None:
    """An after-market order is accepted from 15:45 until 09:10 (all day on a non-trading day) and waits for
    the 09:15 open (equity and currency: until 09:00); during market hours it is refused, as Kite does
    (reference-data.md §9.3; docs/exchange-rules.md). `at` is the
    exchange's local time (IST); `session_open` is the real exchange session, whatever the paper venue's
    "any time" mode says."""
    if not amo:
        return
    if order_type == OrderType.MARKET and instrument_type in ("CE", "PE"):
        raise errors.AmoMarketNotAllowed(
            "Kite does not accept MARKET after-market orders on options; place a LIMIT AMO.",
            details={"variety": "amo", "order_type": order_type},
        )
    if session_open:
        raise errors.AmoDuringMarketHours(
            f"The market is open ({at:%H:%M} IST): place a regular order; after-market orders are for when "
            "the market is closed.",
            details={"variety": "amo", "at": at.strftime("%H:%M")},
        )
    if not trading_day:
        return
    t = at.time()
    until = trading_rules.amo_accept_until(exchange)
    if until <= t < trading_rules.AMO_ACCEPT_FROM:
        raise errors.AmoOutsideWindow(
            f"After-market orders are accepted from {trading_rules.AMO_ACCEPT_FROM:%H:%M} until "
            f"{until:%H:%M}; it is {t:%H:%M} IST. Place a regular order at the open "
            f"({trading_rules.AMO_RELEASE_AT:%H:%M}) or an AMO after {trading_rules.AMO_ACCEPT_FROM:%H:%M}.",
            details={
                "variety": "amo",
                "at": t.strftime("%H:%M"),
                "accepted_from": trading_rules.AMO_ACCEPT_FROM.strftime("%H:%M"),
                "accepted_until": until.strftime("%H:%M"),
            },
        )


def check_mis_cutoff(
    d: OrderDraft, f: InstrumentFacts, *, at: datetime, trading_day: bool, close: time, is_exit: bool
) -> None:
    """No new MIS entry from the broker's cut-off (Zerodha: 15:25 F&O, 15:20 equity) to the close of a
    trading day; an order that reduces an MIS position (an exit) is still allowed."""
    if d.product != Product.MIS or is_exit or not trading_day:
        return
    cutoff = trading_rules.mis_cutoff(f.exchange)
    if cutoff <= at.time() < close:
        raise errors.MisCutoffPassed(
            f"New intraday (MIS) positions are not accepted after {cutoff:%H:%M} IST (the broker's cut-off before "
            f"its auto square-off); it is {at:%H:%M}. Exits are still allowed; use NRML to carry a new position.",
            details={"product": d.product, "cutoff": cutoff.strftime("%H:%M"), "at": at.strftime("%H:%M")},
        )


def check_market_open(*, is_open: bool, amo: bool, amo_allowed: bool) -> None:
    if is_open:
        return
    if amo and amo_allowed:
        return
    raise errors.MarketClosed(
        "The market is closed. Place it as an after-market order (variety amo) or wait for the open."
        if amo_allowed
        else "The market is closed for this instrument."
    )


def _expected_fill(d: OrderDraft, f: InstrumentFacts) -> tuple[Decimal, Decimal, str] | None:
    """The price range the entry is expected to fill in, and what it is ("the market price", ...).

    MARKET: the market. LIMIT: the better of the limit and the market (a marketable limit fills at the
    market, a resting one at its limit). SL-M: the trigger. SL: between the trigger and the limit.
    None when there is nothing to judge by (a MARKET order without a quote)."""
    market = f.last_price if f.last_price is not None and f.last_price > 0 else None
    buy = d.transaction_type == Side.BUY
    if d.order_type == OrderType.MARKET:
        return None if market is None else (market, market, "the market price")
    if d.order_type == OrderType.LIMIT and d.price is not None and d.price > 0:
        if market is None:
            return d.price, d.price, "the entry price"
        fill = min(d.price, market) if buy else max(d.price, market)
        return fill, fill, "the entry price" if fill == d.price else "the market price (the limit is marketable)"
    if d.order_type == OrderType.SLM and d.trigger_price is not None and d.trigger_price > 0:
        return d.trigger_price, d.trigger_price, "the trigger price"
    if d.order_type == OrderType.SL and d.trigger_price and d.price:
        low, high = sorted((d.trigger_price, d.price))
        return low, high, "the trigger and limit prices"
    return None


def check_bracket(d: OrderDraft, f: InstrumentFacts) -> None:
    """A bracket's exits must sit on the right side of where the entry fills: for a BUY the stop-loss
    below and the target above; for a SELL the reverse. Judged against the market too (a MARKET entry
    fills at the market; a stop on the wrong side of it would fire the moment it is placed, and with the
    target also through the market both exits would fill and leave the position reversed).
    Points (distances from the fill) must be above zero, and a stop distance smaller than the price."""
    for name in ("stop_loss_points", "target_points", "trailing_stop_points"):
        value = getattr(d, name)
        if value is not None and value <= 0:
            raise errors.BracketPointsInvalid(
                f"{name} must be above zero (got {value}).", details={"field": name, name: str(value)}
            )
    for absolute in ("stop_loss", "target"):
        if getattr(d, absolute) is not None and getattr(d, f"{absolute}_points") is not None:
            raise errors.InvalidBracket(
                f"Give {absolute} (a price) or {absolute}_points (a distance from the fill), not both.",
                details={"fields": [absolute, f"{absolute}_points"]},
            )
    if d.stop_loss is None and d.target is None and d.stop_loss_points is None and d.target_points is None:
        return
    fill = _expected_fill(d, f)
    if fill is None:
        return
    low, high, what = fill
    buy = d.transaction_type == Side.BUY
    side = "BUY" if buy else "SELL"
    if d.stop_loss is not None and (d.stop_loss >= low if buy else d.stop_loss <= high):
        ref = low if buy else high
        raise errors.BracketStopWrongSide(
            f"For a {side} the stop-loss must be {'below' if buy else 'above'} {what} {_fmt(ref)}; "
            f"{_fmt(d.stop_loss)} would trigger as soon as the entry fills.",
            details={"field": "stop_loss", "stop_loss": str(d.stop_loss), "reference": _fmt(ref), "side": side},
        )
    if d.target is not None and (d.target <= high if buy else d.target >= low):
        ref = high if buy else low
        raise errors.BracketTargetWrongSide(
            f"For a {side} the target must be {'above' if buy else 'below'} {what} {_fmt(ref)}; "
            f"{_fmt(d.target)} would fill as soon as the entry fills.",
            details={"field": "target", "target": str(d.target), "reference": _fmt(ref), "side": side},
        )
    for name, value in (("stop_loss_points", d.stop_loss_points), ("target_points", d.target_points)):
        below = buy == (name == "stop_loss_points")  # a BUY's stop and a SELL's target sit below the fill
        if value is not None and below and value >= low:
            raise errors.BracketPointsInvalid(
                f"{name} {_fmt(value)} below {what} {_fmt(low)} would put the exit at or below zero.",
                details={"field": name, name: str(value), "reference": _fmt(low)},
            )


def check_trigger_allowed(d: OrderDraft) -> None:
    """Only SL and SL-M orders take a trigger price: on a LIMIT or MARKET order it would be ignored, and
    the trader who sent it meant a stop order."""
    if d.trigger_price is not None and d.order_type in (OrderType.LIMIT, OrderType.MARKET):
        raise errors.TriggerNotAllowed(
            f"A {d.order_type} order takes no trigger_price (got {d.trigger_price}); use order_type SL or SL-M "
            "for a stop order, or leave trigger_price out.",
            details={"field": "trigger_price", "order_type": d.order_type},
        )


def check_price_allowed(d: OrderDraft) -> None:
    """MARKET and SL-M orders take no price: it would be ignored (they trade at the market, capped by market
    protection), and a trader who sent one meant a limit. 0 means "no price", as Kite's own request examples
    send it (kite-api.md §2.1: `"order_type": "MARKET", ..., "price": 0`); Kite's documents say nothing of a
    non-zero price on a MARKET order, so it is refused rather than silently dropped."""
    if d.price is not None and d.price != 0 and d.order_type in (OrderType.MARKET, OrderType.SLM):
        raise errors.PriceNotAllowed(
            f"A {d.order_type} order takes no price (got {d.price}); it trades at the market. Use order_type "
            "LIMIT (or SL for a stop) to name a price, or leave price out.",
            details={"field": "price", "order_type": d.order_type},
        )


def check_tradable(f: InstrumentFacts) -> None:
    """Indices are quotes, not contracts; an instrument without a lot size cannot be sized."""
    if f.segment == "INDICES" or f.lot_size <= 0:
        raise errors.InstrumentNotTradable(
            f"{f.tradingsymbol} cannot be traded"
            + (" (it is an index: trade its futures or options)." if f.segment == "INDICES" else " (no lot size)."),
            details={"instrument_token": f.instrument_token, "segment": f.segment, "lot_size": f.lot_size},
        )


def slice_plan(quantity: int, f: InstrumentFacts, *, slice_requested: bool) -> list[int]:
    """Quantities to send: [quantity], or freeze-sized slices (lot multiples) when asked. Refuses above freeze."""
    freeze = f.freeze_quantity
    if not freeze or quantity <= freeze:
        return [quantity]
    per_slice = (freeze // f.lot_size) * f.lot_size
    n = -(-quantity // per_slice)
    if not slice_requested:
        raise errors.FreezeQuantityExceeded(
            f"The order quantity {quantity} ({quantity // f.lot_size} lots) is higher than the maximum quantity "
            f"of {freeze} ({freeze // f.lot_size} lots) allowed by the exchange. Reduce it, or send it with "
            f"auto_slice=true to split it into {n} orders.",
            details={"quantity": quantity, "freeze_quantity": freeze, "slices_needed": n},
        )
    if n > MAX_SLICES:
        raise errors.TooManySlices(
            f"{quantity} units need {n} slices of at most {per_slice}; the limit is {MAX_SLICES}.",
            details={"slices_needed": n, "max_slices": MAX_SLICES},
        )
    parts = [per_slice] * (quantity // per_slice)
    if quantity % per_slice:
        parts.append(quantity % per_slice)
    return parts


def validate(
    d: OrderDraft, f: InstrumentFacts, *, today: date, market_open: bool, amo: bool = False, amo_allowed: bool = True
) -> None:
    """All checks in the order a trader would fix them."""
    check_enums(d)
    check_tradable(f)
    check_expiry(f, today)
    check_product(d, f)
    check_quantity(d, f, sliceable=True)
    check_prices(d, f)
    check_market_protection(d)
    check_bracket(d, f)
    check_market_open(is_open=market_open, amo=amo, amo_allowed=amo_allowed)
