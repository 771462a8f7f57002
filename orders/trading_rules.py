"""Broker and exchange session rules the order core enforces, as data with their sources (pure: no Django).

Every figure here is cited in docs/exchange-rules.md (which quotes /work/shared/research/reference-data.md
§5.3 and §9, and kite-api.md §6); the checks that use them are in `orders.validation` and
`orders.rate_limit`. Times are Asia/Kolkata wall-clock times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

# --- after-market orders (reference-data.md §9.3; docs/exchange-rules.md "AMO windows") -------------------
# Kite blocks "AMO orders placed between 9:00 AM and 3:45 PM for EQ and CDS, 9:10 AM and 3:45 for FO"
# (Zerodha support, "Why is the rejected order not displayed in the order book?":
#  https://support.zerodha.com/category/console/portfolio/holdings/articles/kite-order-rejections ).
# So F&O AMOs are accepted from 15:45 until 09:10 the next morning (all day on a non-trading day) and are sent
# at the 09:15 open; during market hours an AMO is refused. The same page: Kite blocks MARKET AMOs on index
# options.
AMO_ACCEPT_FROM = time(15, 45)
AMO_ACCEPT_UNTIL = time(9, 10)  # F&O
AMO_ACCEPT_UNTIL_BY_EXCHANGE: dict[str, time] = {
    "NFO": time(9, 10),
    "BFO": time(9, 10),
    "NSE": time(9, 0),  # equity
    "BSE": time(9, 0),
    "CDS": time(9, 0),  # currency
    "BCD": time(9, 0),
}
AMO_RELEASE_AT = time(9, 15)  # the normal-market open (marketdata.contract_specs.SESSION_OPEN)


def amo_accept_until(exchange: str) -> time:
    return AMO_ACCEPT_UNTIL_BY_EXCHANGE.get(exchange.upper(), AMO_ACCEPT_UNTIL)


# --- MIS cut-off (reference-data.md §5.3, Zerodha's "intraday auto square-off timings" page) ----------------
# Zerodha squares MIS positions off from these times and accepts no fresh MIS entry after them:
#   https://support.zerodha.com/category/trading-and-markets/margin-leverage-and-product-and-order-types/articles/intraday-auto-square-off-timings
MIS_CUTOFF_BY_EXCHANGE: dict[str, time] = {
    "NFO": time(15, 25),  # equity and index derivatives
    "BFO": time(15, 25),
    "NSE": time(15, 20),  # equity
    "BSE": time(15, 20),
    "CDS": time(16, 45),  # currency
    "BCD": time(16, 45),
}
MIS_CUTOFF_DEFAULT = time(15, 25)


def mis_cutoff(exchange: str) -> time:
    return MIS_CUTOFF_BY_EXCHANGE.get(exchange.upper(), MIS_CUTOFF_DEFAULT)


# --- Kite's order caps (kite-api.md §6, Zerodha staff 2026: kite.trade/forum/discussion/comment/52882) --------
ORDERS_PER_MINUTE = 400  # per account, across API keys (older answers: 200/min)
ORDERS_PER_DAY = 5000  # per account, across segments and varieties (older: 3000/day)


# --- stop legs on options (reference-data.md §9.2: SL-M is refused on NSE options since 27 Sep 2021) ---------
@dataclass(frozen=True, slots=True)
class StopLimitBuffer:
    """The limit price of a stop-limit (SL) exit, derived from its trigger: the trigger moved against the
    order by `pct` percent of the trigger, at least `min_ticks` ticks, and never past the price band.
    5% (at least 10 ticks) leaves room for an option's usual gap through a trigger while staying well inside
    NSE's permitted trigger-limit difference for options (20% of the trigger, at least ₹10 when the trigger
    is ₹50 or less; NSE circular 54/2023, rejection 16448) and its 20% market-order mark-up (§9.2)."""

    pct: Decimal = Decimal("5")
    min_ticks: int = 10


OPTION_STOP_LIMIT_BUFFER = StopLimitBuffer()


def slm_refused(*, instrument_type: str, exchange: str) -> str | None:
    """Why SL-M is refused for the instrument, or None when it is allowed (reference-data.md §9.2)."""
    if instrument_type in ("CE", "PE"):
        return "the exchange does not accept SL-M on index and stock options (NSE since 27 Sep 2021)"
    if exchange.upper() in ("BSE", "BFO"):
        return "BSE has discontinued SL-M orders"
    return None


def stop_limit_price(
    trigger: Decimal,
    *,
    side: str,
    tick: Decimal,
    buffer: StopLimitBuffer = OPTION_STOP_LIMIT_BUFFER,
    lower: Decimal | None = None,
    upper: Decimal | None = None,
) -> Decimal:
    """The SL limit price for a stop whose trigger is `trigger`: a SELL stop's limit sits below the trigger,
    a BUY stop's above, by the buffer; on the tick grid (rounded away from the trigger), inside the band,
    and at least one tick."""
    width = max(trigger * buffer.pct / Decimal(100), tick * buffer.min_ticks)
    steps = (width / tick).to_integral_value(rounding="ROUND_CEILING")
    if side == "SELL":
        price = trigger - steps * tick
        if lower is not None and lower > 0:
            price = max(price, _ceil_tick(lower, tick))
        price = max(price, tick)
    else:
        price = trigger + steps * tick
        if upper is not None and upper > 0:
            price = min(price, _floor_tick(upper, tick))
    return price.quantize(Decimal("0.01"))


def _ceil_tick(v: Decimal, tick: Decimal) -> Decimal:
    return (v / tick).to_integral_value(rounding="ROUND_CEILING") * tick


def _floor_tick(v: Decimal, tick: Decimal) -> Decimal:
    return (v / tick).to_integral_value(rounding="ROUND_FLOOR") * tick
