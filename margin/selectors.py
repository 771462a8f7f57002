"""Reads for the margin app: the charge schedule in force on a date, and an order's charges."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from . import charges
from .models import ChargeRate


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
