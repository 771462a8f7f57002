"""The demo master lists what the exchange lists, for the current date, and rolls daily without a
restart (docs/market-model.md, "Demo master").

Before: NIFTY listed four weeklies and no monthly beyond them, two futures months (no far month),
and the master was generated only by `seed_demo`, so contracts never rolled in a running server.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from marketdata import calendar as cal
from marketdata import contract_specs as specs
from marketdata import feed, services
from marketdata.models import Instrument
from marketdata.services import demo_instruments_refresh, demo_master_roll

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)  # Tuesday, a NIFTY weekly expiry


def expiries(name: str, itype: str) -> list[date]:
    qs = Instrument.objects.filter(name=name, instrument_type=itype, is_active=True)
    return sorted(set(qs.values_list("expiry", flat=True)))


def test_lists_weeklies_and_monthlies_and_three_futures_months(travel_to: Any) -> None:
    travel_to("2026-12-01 10:00 IST")
    demo_instruments_refresh(today=TODAY)
    nifty = expiries("NIFTY", "CE")
    # weeklies (every Tuesday from today) AND the monthlies (Dec, Jan - moved to 25 Jan by Republic Day - Feb)
    assert nifty[:4] == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22)]
    assert {date(2026, 12, 29), date(2027, 1, 25), date(2027, 2, 23)} <= set(nifty)
    assert Instrument.objects.filter(tradingsymbol__regex=r"^NIFTY27JAN\d+CE$", expiry=date(2027, 1, 25)).exists()
    sensex = expiries("SENSEX", "PE")
    assert {date(2026, 12, 3), date(2026, 12, 10), date(2026, 12, 31), date(2027, 1, 28), date(2027, 2, 25)} <= set(
        sensex
    )
    for name in ("BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "RELIANCE", "SBIN"):
        months = cal.monthly_expiries(name, TODAY, 3)
        assert expiries(name, "CE") == months and expiries(name, "PE") == months, name  # monthlies only
    for name in specs.UNDERLYINGS:
        futs = Instrument.objects.filter(name=name, instrument_type="FUT").order_by("expiry")
        assert [f.expiry for f in futs] == cal.monthly_expiries(name, TODAY, 3), name  # near, next, far
    stock = Instrument.objects.filter(name="INFY")
    assert stock.filter(instrument_type="FUT").exists() and stock.filter(instrument_type="PE").exists()


def test_the_master_rolls_when_the_trading_date_changes(travel_to: Any) -> None:
    services._last_roll.clear()
    travel_to("2026-12-01 10:00 IST")
    assert demo_master_roll(today=TODAY) is None  # no demo master (e.g. a Kite import): left alone
    services._last_roll.clear()
    demo_instruments_refresh(today=TODAY)
    assert demo_master_roll(today=TODAY) is not None
    assert demo_master_roll(today=TODAY) is None  # once per date
    assert date(2026, 12, 1) in expiries("NIFTY", "CE") and date(2026, 12, 29) not in expiries("NIFTY", "FUT")[3:]
    # The next day, through the market feed loop's hook: today's weekly is gone, a new weekly listed.
    travel_to("2026-12-02 09:20 IST")
    feed._roll_demo_master()
    nifty = expiries("NIFTY", "CE")
    assert date(2026, 12, 1) not in nifty and date(2026, 12, 29) in nifty
    assert not Instrument.objects.filter(expiry__lt=date(2026, 12, 2), is_active=True).exists()
    # After the December monthly the far month becomes March.
    travel_to("2026-12-30 09:20 IST")
    feed._roll_demo_master()
    assert expiries("NIFTY", "FUT") == [date(2027, 1, 25), date(2027, 2, 23), date(2027, 3, 30)]
