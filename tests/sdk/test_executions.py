"""The SDK's parent executions (issue #11) against the real app in-process: place_twap / place_iceberg, list, get,
pause, resume, cancel, and the error classes for another user's execution and a state conflict."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import ExecutionNotActiveError, ExecutionNotFoundError, UnknownFieldError

from orders.services import algos
from tests.orders.conftest import FakeMarket, _paper_account

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"


@pytest.fixture
def fut(monkeypatch, user):  # noqa: ANN001, ANN201
    from marketdata.models import Instrument

    inst = Instrument.objects.create(
        instrument_token=1001,
        exchange_token=3,
        tradingsymbol="NIFTY26DECFUT",
        name="NIFTY",
        last_price=D("24000"),
        tick_size=D("0.05"),
        lot_size=75,
        instrument_type="FUT",
        segment="NFO-FUT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
        expiry=datetime.date.today() + datetime.timedelta(days=30),
    )
    fm = FakeMarket()
    fm.set(1001, "24000")
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)
    _paper_account(user)
    return inst


def test_a_bot_works_a_twap_and_controls_it(sdk, sdk_for, other_user, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    ex = sdk.orders.place_twap(
        instrument_token=1001, lots=10, side="BUY", duration_seconds=600, slices=5, size_jitter_pct=0, time_jitter_pct=0
    )
    assert ex.algorithm == "TWAP" and ex.is_active and len(ex.slices) == 5 and ex.arrival_price == D("24000")
    clock.shift(60)
    algos.algos_tick()
    got = sdk.orders.get_execution(ex.id)
    assert got.filled_quantity == 150 and got.slices[0].order_status == "COMPLETE"
    assert sdk.orders.pause_execution(ex.id).status == "PAUSED"
    with pytest.raises(ExecutionNotActiveError):
        sdk.orders.pause_execution(ex.id)
    assert sdk.orders.resume_execution(ex.id).status == "RUNNING"
    done = sdk.orders.cancel_execution(ex.id)
    assert done.status == "CANCELLED" and not done.is_active and done.filled_quantity == 150
    assert [e.id for e in sdk.orders.list_executions(status="CANCELLED")] == [ex.id]
    with pytest.raises(ExecutionNotFoundError):
        sdk_for(other_user).orders.get_execution(ex.id)


def test_place_iceberg_and_unknown_fields(sdk, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    ice = sdk.orders.place_iceberg(instrument_token=1001, lots=4, visible_lots=1, side="SELL", limit_price=D("24100"))
    assert ice.algorithm == "ICEBERG" and ice.params == {"visible_quantity": 75}
    with pytest.raises(UnknownFieldError):
        sdk._http.request(
            "POST",
            "/orders/iceberg/",
            json={
                "instrument_token": 1001,
                "transaction_type": "SELL",
                "lots": 4,
                "visible_lots": 1,
                "limit_price": "24100",
                "shape": "round",
            },
        )
