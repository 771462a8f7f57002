"""Settlement arithmetic (pure: no Django): daily futures M2M and the final settlement of expired contracts.

Facts (reference-data.md §5.3, NSE "settlement price" page): a futures position is marked to market every
trading day at the day's settlement price and carried at it, so the next day's M2M starts there; index F&O
settle in cash at expiry at the final settlement price (the underlying's closing level; options at their
intrinsic value, out-of-the-money options worthless); stock F&O are physically settled (since the October
2019 expiry). Exercise STT on ITM long options is margin.charges' business (rates are data there).

Signs: quantities are signed (+ long, - short); an amount is what moves *into* the account (+ credit).
Money is rounded to the paisa (ROUND_HALF_UP) only where it is posted; every function here is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
PAISA = Decimal("0.01")

FUTURE = "FUT"
CALL = "CE"
PUT = "PE"


def paise(amount: Decimal) -> Decimal:
    """An amount as it is posted to the ledger: rounded to the paisa, half up."""
    return Decimal(amount).quantize(PAISA, rounding=ROUND_HALF_UP)


def m2m(quantity: int, carried_price: Decimal, settlement_price: Decimal) -> Decimal:
    """The day's mark-to-market of a futures position: (settlement - carried) x quantity.

    `carried_price` is the price the position is carried at: the previous day's settlement for what was
    held overnight, the entry price for what was opened today, and the average-cost blend of the two when
    a carried position was added to during the day (that blend is exactly the position's average)."""
    return (Decimal(settlement_price) - Decimal(carried_price)) * quantity


def intrinsic_value(option_type: str, strike: Decimal, underlying: Decimal) -> Decimal:
    """Per unit: calls max(S - K, 0), puts max(K - S, 0)."""
    if option_type == CALL:
        return max(Decimal(underlying) - Decimal(strike), ZERO)
    if option_type == PUT:
        return max(Decimal(strike) - Decimal(underlying), ZERO)
    raise ValueError(f"not an option type: {option_type!r}")


def final_value(instrument_type: str, *, underlying_close: Decimal, strike: Decimal | None = None) -> Decimal:
    """What one unit of an expiring contract settles at: a future at the underlying's close (the final
    settlement price), an option at its intrinsic value there (0 out of the money)."""
    if instrument_type == FUTURE:
        return Decimal(underlying_close)
    if strike is None:
        raise ValueError("an option needs its strike")
    return intrinsic_value(instrument_type, Decimal(strike), Decimal(underlying_close))


@dataclass(frozen=True, slots=True)
class FinalSettlement:
    """How an open position closes at expiry."""

    quantity: int  # signed, what was open
    value: Decimal  # per unit (future: the final settlement price; option: intrinsic value)
    realised_pnl: Decimal  # exact: (value - average) x quantity
    exercised_quantity: int  # units of a long ITM option exercised (exercise STT is charged on these)
    in_the_money: bool


def settle_at_expiry(
    instrument_type: str, *, quantity: int, average_price: Decimal, underlying_close: Decimal, strike: Decimal | None
) -> FinalSettlement:
    """Close `quantity` at the contract's final value: the difference from the position's average is the
    realised P&L (for futures the average is the last settlement the position was carried at)."""
    value = final_value(instrument_type, underlying_close=underlying_close, strike=strike)
    itm = instrument_type != FUTURE and value > 0
    exercised = quantity if itm and quantity > 0 else 0
    return FinalSettlement(
        quantity=quantity,
        value=value,
        realised_pnl=(value - Decimal(average_price)) * quantity,
        exercised_quantity=exercised,
        in_the_money=itm,
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """The stock position a physically settled contract turns into (+ receive shares, - deliver them)."""

    stock_quantity: int
    price: Decimal  # booked at the final settlement price (see physical_delivery)


def physical_delivery(
    instrument_type: str, *, quantity: int, underlying_close: Decimal, strike: Decimal | None
) -> Delivery | None:
    """The delivery obligation of a stock F&O position at expiry, or None (an OTM option lapses).

    A long future or long ITM call receives shares, a long ITM put delivers them; short positions the
    opposite (the assigned writer). The contract itself closes at its final value (`settle_at_expiry`), so
    the shares are booked at the final settlement price: a long ITM call then shows (S - K) realised plus
    shares at S, which is the same money as paying the strike K for shares worth S."""
    if quantity == 0:
        return None
    if instrument_type == FUTURE:
        return Delivery(quantity, Decimal(underlying_close))
    if strike is None or intrinsic_value(instrument_type, Decimal(strike), Decimal(underlying_close)) == 0:
        return None
    return Delivery(quantity if instrument_type == CALL else -quantity, Decimal(underlying_close))
