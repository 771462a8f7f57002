"""Fixtures for the order pages: one NIFTY future and one option in the instrument master."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from marketdata import calendar
from marketdata.models import Instrument


@pytest.fixture
def nifty_fut(db: Any) -> Instrument:
    # A contract that is not expiring today (on a monthly expiry day the margin buffer and settlement rules
    # of an expiring contract would apply to every order of these tests).
    today = timezone.localdate()
    expiry = next(e for e in calendar.monthly_expiries("NIFTY", today, 2) if e > today)
    # Lot 65 and tick 0.10 for NIFTY futures: /work/shared/research/reference-data.md §5.
    return Instrument.objects.create(
        instrument_token=9_000_001,
        exchange_token=35001,
        tradingsymbol=f"NIFTY{expiry:%y%b}FUT".upper(),
        name="NIFTY",
        last_price=Decimal("24500"),
        expiry=expiry,
        tick_size=Decimal("0.10"),
        lot_size=65,
        instrument_type="FUT",
        segment="NFO-FUT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


@pytest.fixture
def logged_in(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


HTMX = {"HTTP_HX_REQUEST": "true"}
