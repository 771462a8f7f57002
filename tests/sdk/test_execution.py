"""The SDK's execution advice (issue #11) against the real app in-process: the guard's exception with its figures,
the seeds' example 1 (catch it, re-place at e.recommended_limit_price), the analysis calls."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import HighImpactException, UnknownFieldError, WideSpreadException

from marketdata.types import DepthLevel
from tests.orders.conftest import FakeMarket, _paper_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_test_connection_open():  # noqa: ANN202
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def wide(monkeypatch, user):  # noqa: ANN001, ANN201
    """An option quoted 98.00 / 102.00: a 4 % spread (VERY_WIDE)."""
    from marketdata.models import Instrument

    Instrument.objects.create(
        instrument_token=2001, exchange_token=8, tradingsymbol="NIFTY26DEC24000CE", name="NIFTY",
        last_price=D("100"), tick_size=D("0.05"), lot_size=75, instrument_type="CE", segment="NFO-OPT",
        exchange="NFO", strike=D("24000"), freeze_quantity=1800, source="demo",
        expiry=datetime.date.today() + datetime.timedelta(days=30),
    )
    fm = FakeMarket()
    t = D("0.05")
    q = fm.set(2001, "100", band="0.5",
               buy_depth=tuple(DepthLevel(D("98") - i * t, 150, 3) for i in range(5)),
               sell_depth=tuple(DepthLevel(D("102") + i * t, 150, 3) for i in range(5)))
    fm.quotes[2001] = replace(q, oi=1_000_000)
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)
    _paper_account(user)
    return fm


def test_the_seed_example_catches_wide_spread_and_places_limit(sdk, wide) -> None:  # noqa: ANN001
    client = sdk
    try:
        order = client.orders.place_market(instrument_token=2001, quantity=75, side="BUY")
    except WideSpreadException as e:
        print(f"Spread: {e.spread_pct}%")
        caught = e
        order = client.orders.place_limit(instrument_token=2001, quantity=75, side="BUY",
                                          price=e.recommended_limit_price)
    # 4.00 on a mid of 100.00; 75 at 102.00: ₹150 and 200 bps; the mid on the grid for a buy: 100.00.
    assert (caught.spread_pct, caught.spread_abs, caught.recommended_limit_price) == (D("4"), D("4"), D("100"))
    assert (caught.estimated_slippage, caught.impact_bps, caught.spread_category) == (D("150"), D("200"), "VERY_WIDE")
    assert caught.status_code == 409 and isinstance(caught, WideSpreadException)
    assert not isinstance(caught, HighImpactException)
    assert (order.order_type, order.price, order.status) == ("LIMIT", D("100"), "OPEN")


def test_analysis_calls_and_the_override(sdk, wide) -> None:  # noqa: ANN001
    a = sdk.orders.analyze_execution(instrument_token=2001, quantity=75, side="BUY")
    assert (a.spread_category, a.guard, a.spread_ok, a.code) == ("VERY_WIDE", "WIDE_SPREAD", False, "WIDE_SPREAD")
    assert a.recommended_limit_price == D("100") and a.expected_price == D("102")
    assert sdk.orders.estimate_impact(instrument_token=2001, quantity=75, side="BUY").impact_bps == D("200")
    with pytest.raises(TypeError):
        sdk.orders.validate_spread(instrument_token=2001, quantity=75, side="BUY", bogus=1)
    placed = sdk.orders.place_market(instrument_token=2001, quantity=75, side="BUY", execution_override=True)
    assert placed.order_type == "MARKET" and placed.status == "COMPLETE"
    with pytest.raises(UnknownFieldError):
        sdk._http.request("POST", "/orders/analyze-execution/", json={"instrument_token": 2001, "quantity": 75,
                                                                       "transaction_type": "BUY", "zz": 1})
