"""Tick sizes by instrument and price band (reference-data.md §9.1), as data per instrument.

Before: every instrument was 0.05 (one constant in contract_specs), so NIFTY futures quoted at
26,000.05 — a price NSE refuses since 15 Apr 2025 (0.10 above 15,000, 0.20 above 30,000).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from marketdata import contract_specs as specs
from marketdata.models import Instrument
from marketdata.pricing import sim_instrument
from marketdata.selectors import quote_for
from marketdata.services import _review_price, demo_instruments_refresh

from .conftest import make_instrument

D = Decimal
ON = date(2026, 12, 1)


@pytest.mark.parametrize(
    "price,tick",
    [(14999, "0.05"), (15000, "0.05"), (15000.05, "0.10"), (26000, "0.10"), (30000, "0.10"), (30000.2, "0.20"),
     (85000, "0.20")],
)
def test_index_future_bands(price: float, tick: str) -> None:
    assert specs.tick_size_for("FUT", index=True, reference_price=price, on=ON) == D(tick)


@pytest.mark.parametrize(
    "price,tick",
    [(249.99, "0.01"), (250, "0.05"), (1000, "0.05"), (1000.1, "0.10"), (5000, "0.10"), (5000.5, "0.50"),
     (10000, "0.50"), (10001, "1.00"), (20000, "1.00"), (20005, "5.00")],
)
def test_cash_bands_for_equities_and_stock_futures(price: float, tick: str) -> None:
    assert specs.tick_size_for("EQ", index=False, reference_price=price, on=ON) == D(tick)
    assert specs.tick_size_for("FUT", index=False, reference_price=price, on=ON) == D(tick)


def test_options_keep_005_and_the_bands_start_15_apr_2025() -> None:
    for kind in ("CE", "PE"):
        assert specs.tick_size_for(kind, index=True, reference_price=85000, on=ON) == D("0.05")
        assert specs.tick_size_for(kind, index=False, reference_price=3100, on=ON) == D("0.05")
    assert specs.tick_size_for("FUT", index=True, reference_price=26000, on=date(2025, 4, 14)) == D("0.05")
    assert specs.tick_size_for("FUT", index=True, reference_price=26000, on=date(2025, 4, 15)) == D("0.10")


@pytest.mark.django_db
def test_demo_master_ticks_follow_the_bands_per_instrument(travel_to: Any) -> None:
    travel_to("2026-12-01 10:00 IST")
    demo_instruments_refresh(today=ON)
    futs = {i.name: i for i in Instrument.objects.filter(instrument_type="FUT").order_by("expiry")}
    assert futs["NIFTY"].tick_size == D("0.10")  # ~26,000
    assert futs["BANKNIFTY"].tick_size == D("0.20")  # ~59,000
    assert futs["SENSEX"].tick_size == D("0.20")  # ~85,000
    assert futs["MIDCPNIFTY"].tick_size == D("0.05")  # ~13,500
    for name, fut in futs.items():
        spec = specs.UNDERLYINGS[name]
        review = _review_price(spec, ON)
        assert fut.tick_size == specs.tick_size_for("FUT", index=spec.is_index, reference_price=review, on=ON)
        if not spec.is_index:
            eq = Instrument.objects.get(exchange="NSE", tradingsymbol=spec.spot_symbol)
            assert eq.tick_size == fut.tick_size  # stock futures follow the cash tick
    assert set(Instrument.objects.filter(instrument_type__in=["CE", "PE"]).values_list("tick_size", flat=True)) == {
        D("0.05")
    }


@pytest.mark.django_db
def test_quotes_and_depth_sit_on_the_instruments_own_tick(travel_to: Any) -> None:
    travel_to("2026-12-01 10:00 IST")
    demo_instruments_refresh(today=ON)
    for name in ("NIFTY", "BANKNIFTY", "RELIANCE"):
        fut = Instrument.objects.filter(name=name, instrument_type="FUT").order_by("expiry").first()
        q = quote_for(fut)
        prices = [q.last_price, q.open, q.high, q.low, q.close] + [lv.price for lv in q.buy_depth + q.sell_depth]
        assert all(p % fut.tick_size == 0 for p in prices), (name, fut.tick_size, prices)
        assert q.best_ask - q.best_bid <= 2 * fut.tick_size or name == "RELIANCE"


@pytest.mark.django_db
def test_an_imported_rows_tick_size_is_used_not_a_constant() -> None:
    row = make_instrument(
        instrument_token=7000002,
        tradingsymbol="NIFTY26DECFUT",
        name="NIFTY",
        exchange="NFO",
        segment="NFO-FUT",
        instrument_type="FUT",
        lot_size=65,
        expiry=date(2026, 12, 29),
        tick_size=D("0.10"),
        source="kite",
    )
    assert sim_instrument(row).tick == D("0.10")
