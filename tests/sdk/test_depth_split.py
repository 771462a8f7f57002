"""The SDK's depth-aware split (issue #11): client.orders.place_depth_split against the real app in-process."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import LotSizeMismatchError, UnknownFieldError

from orders.services import algos
from tests.sdk.test_executions import fut  # noqa: F401  (the instrument, a fake book, a paper account)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"


def test_a_bot_works_a_depth_split_and_cancels_it(sdk, fut, travel_to) -> None:  # noqa: ANN001, F811
    clock = travel_to(T0)
    ex = sdk.orders.place_depth_split(instrument_token=1001, lots=30, side="SELL", max_impact_bps=40)
    assert ex.algorithm == "DEPTH_SPLIT" and ex.is_active and ex.params["max_impact_bps"] == "40"
    algos.algos_tick()
    got = sdk.orders.get_execution(ex.id)
    assert got.filled_quantity == 750 and got.slices[0].order_status == "COMPLETE"  # the 10 lots the bids show
    assert got.average_price is not None and got.average_price < D("24000")  # sold under the mid
    clock.shift(1)
    assert sdk.orders.pause_execution(ex.id).status == "PAUSED"
    assert sdk.orders.resume_execution(ex.id).status == "RUNNING"
    done = sdk.orders.cancel_execution(ex.id)
    assert done.status == "CANCELLED" and done.filled_quantity == 750
    assert [e.id for e in sdk.orders.list_executions(algorithm="DEPTH_SPLIT")] == [ex.id]


def test_bad_parameters_raise_their_sdk_errors(sdk, fut) -> None:  # noqa: ANN001, F811
    with pytest.raises(UnknownFieldError):
        sdk._http.request(
            "POST",
            "/orders/depth-split/",
            json={"instrument_token": 1001, "transaction_type": "BUY", "lots": 2, "x": 1},
        )
    with pytest.raises(LotSizeMismatchError):
        sdk.orders.place_depth_split(instrument_token=1001, lots=2, side="BUY", max_child_quantity=100)
