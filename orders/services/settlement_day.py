"""The end-of-day settlement run (beat `orders.end_of_day_settlement`, 15:35 IST; issues #9 and #10).

It lives in the order core because it is the lowest layer that sees everything the run needs: the open orders
on expiring contracts (cancelled first, so nothing fills an expired contract), margin's charge schedule (the
exercise STT on long ITM options, `margin.charges.exercise_charges`: rates are data there, never restated),
the broker (a Kite account's close), and the portfolio's settlement services that do the booking
(`portfolio.settlement`: expiry first, then the daily futures M2M, then the physical-settlement notices).

Calendar-aware and idempotent: on a day neither exchange trades nothing happens; before the 15:30 close
nothing happens; every step writes once per position and day, so a rerun (or a second beat) posts nothing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from margin import charges
from margin import selectors as margin_selectors
from marketdata import calendar as mcal
from portfolio import settlement

from .. import errors
from ..domain import WORKING
from ..domain import OrderStatus as S
from ..models import Order

logger = logging.getLogger(__name__)

EXCHANGES = ("NFO", "BFO")
CANCEL_REASON = "contract expired"


def exercise_stt(instrument: Any, settlement_price: Decimal, quantity: int, day: date) -> Decimal:
    """STT on `quantity` units of a long ITM option exercised at `settlement_price` on `day`: margin's
    exercise charge at the schedule in force that day (reference-data.md §1.1)."""
    exchange, segment = charges.venue_and_segment(instrument.exchange, instrument.instrument_type)
    schedule = margin_selectors.charge_schedule_on(day, exchange, segment)
    breakdown = charges.exercise_charges(
        charges.ExerciseInput(
            exchange=exchange,
            option_type=charges.InstrumentType(instrument.instrument_type),
            strike=Decimal(instrument.strike),
            settlement_price=Decimal(settlement_price),
            quantity=int(quantity),
            exercise_date=day,
            segment=segment,
        ),
        schedule,
    )
    return breakdown.total


class _BrokerCloses:
    """The day's settlement price per account: the simulated market's close for paper accounts, the broker's
    last price after the close for Kite accounts (read once per account per run; None when unreachable, so
    the position waits for a rerun)."""

    def __init__(self) -> None:
        self._kite: dict[int, dict[int, Decimal] | None] = {}

    def __call__(self, account: Any, instrument: Any, day: date) -> Decimal | None:
        if account.is_paper:
            return settlement.simulated_settlement_price(account, instrument, day)
        if account.pk not in self._kite:
            self._kite[account.pk] = self._kite_prices(account)
        prices = self._kite[account.pk]
        return None if prices is None else prices.get(instrument.instrument_token)

    @staticmethod
    def _kite_prices(account: Any) -> dict[int, Decimal] | None:
        from ..brokers import broker_for

        try:
            return {p.instrument_token: Decimal(p.last_price) for p in broker_for(account).positions() if p.last_price}
        except Exception:
            logger.warning("settlement: the broker's positions for account %s could not be read", account.pk)
            return None


def expired_orders_cancel(*, day: date) -> int:
    """Cancel every working order on a contract expiring on `day` (any account; actor system:settlement)."""
    from marketdata.models import Instrument

    from .order_changes import _cancel

    tokens = list(
        Instrument.objects.filter(expiry=day, instrument_type__in=settlement.DERIVATIVE_TYPES).values_list(
            "instrument_token", flat=True
        )
    )
    if not tokens:
        return 0
    open_statuses = [*WORKING, S.PENDING_APPROVAL, S.PENDING_SUBMIT]
    done = 0
    for order in Order.objects.filter(
        instrument_token__in=tokens, status__in=open_statuses, children__isnull=True
    ).order_by("id"):
        try:
            _cancel(order, actor=settlement.ACTOR, reason=CANCEL_REASON)
            done += 1
        except (errors.OrderNotCancellable, errors.BrokerNotReachable) as exc:
            logger.warning("settlement: order %s on an expired contract not cancelled: %s", order.pk, exc)
    return done


def end_of_day_settle(*, now: datetime | None = None) -> dict[str, Any]:
    """The whole run for the trading day of `now` (default: the clock). Returns what it did."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not any(mcal.is_trading_day(ex, day) for ex in EXCHANGES):
        return {"day": day.isoformat(), "skipped": "not a trading day"}
    if now < settlement.session_close(day):
        return {"day": day.isoformat(), "skipped": "before the close"}
    cancelled = expired_orders_cancel(day=day)
    expiry = settlement.expiry_settle(day=day, exercise_stt=exercise_stt)
    m2m = settlement.futures_m2m_settle(day=day, settlement_price=_BrokerCloses())
    notices = settlement.physical_settlement_notify(day=day)
    result = {
        "day": day.isoformat(),
        "orders_cancelled": cancelled,
        "expiry": expiry.as_dict(),
        "m2m": m2m.as_dict(),
        "physical_notices": notices,
    }
    logger.info("end-of-day settlement %s", result)
    return result
