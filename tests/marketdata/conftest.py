"""Fixtures for market-data tests: a small hand-made master and the full demo master."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from marketdata.calendar import clear_override_cache
from marketdata.models import Instrument
from marketdata.subscriptions import reset_registry

# A fixed instant: Friday 20 Nov 2026, 11:30 IST.
AT = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)


def make_instrument(**fields: Any) -> Instrument:
    defaults: dict[str, Any] = {
        "exchange_token": fields["instrument_token"] >> 8,
        "name": "",
        "tick_size": Decimal("0.05"),
        "lot_size": 1,
        "instrument_type": "EQ",
        "segment": fields.get("exchange", "NSE"),
        "exchange": "NSE",
        "source": "demo",
    }
    defaults.update(fields)
    return Instrument.objects.create(**defaults)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    clear_override_cache()
    reset_registry()


@pytest.fixture
def small_master(db: Any, travel_to: Any) -> dict[str, Instrument]:
    """November 2026 contracts, so the clock is pinned at AT (ticking) for the test that uses them."""
    travel_to(AT, tick=True)
    exp = date(2026, 11, 24)
    return {
        "index": make_instrument(
            instrument_token=256265, tradingsymbol="NIFTY 50", name="NIFTY 50", lot_size=0, segment="INDICES"
        ),
        "eq": make_instrument(instrument_token=408065, tradingsymbol="INFY", name="INFOSYS"),
        "fut": make_instrument(
            instrument_token=9000002,
            tradingsymbol="NIFTY26NOVFUT",
            name="NIFTY",
            exchange="NFO",
            segment="NFO-FUT",
            instrument_type="FUT",
            lot_size=65,
            expiry=exp,
            freeze_quantity=1800,
        ),
        "ce": make_instrument(
            instrument_token=9000102,
            tradingsymbol="NIFTY26NOV26000CE",
            name="NIFTY",
            exchange="NFO",
            segment="NFO-OPT",
            instrument_type="CE",
            lot_size=65,
            expiry=exp,
            strike=Decimal(26000),
            freeze_quantity=1800,
        ),
        "pe": make_instrument(
            instrument_token=9000202,
            tradingsymbol="NIFTY26NOV26000PE",
            name="NIFTY",
            exchange="NFO",
            segment="NFO-OPT",
            instrument_type="PE",
            lot_size=65,
            expiry=exp,
            strike=Decimal(26000),
            freeze_quantity=1800,
        ),
    }
