"""SDK market data against the real app in-process: instruments, quotes, depth, typed errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from stocksblitz_sdk.exceptions import (
    AuthenticationError,
    InstrumentNotFoundError,
    InvalidInstrumentKeyError,
    UnknownInstrumentKeysError,
)

from tests.marketdata.conftest import AT, make_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def master(db, travel_to) -> None:  # noqa: ANN001
    travel_to(AT, tick=True)  # November 2026 contracts: quoted while they trade
    make_instrument(instrument_token=408065, tradingsymbol="INFY", name="INFOSYS")
    for i, itype in enumerate(("CE", "PE")):
        make_instrument(
            instrument_token=9000102 + i * 256,
            tradingsymbol=f"NIFTY26NOV26000{itype}",
            name="NIFTY",
            exchange="NFO",
            segment="NFO-OPT",
            instrument_type=itype,
            lot_size=65,
            expiry=date(2026, 11, 24),
            strike=Decimal(26000),
            freeze_quantity=1800,
        )


def test_instruments(sdk, master) -> None:  # noqa: ANN001
    every = sdk.instruments.list()
    assert {i.tradingsymbol for i in every} == {"INFY", "NIFTY26NOV26000CE", "NIFTY26NOV26000PE"}
    calls = sdk.instruments.list(exchange="NFO", instrument_type="CE", expiry=date(2026, 11, 24), strike=26000)
    assert [i.key for i in calls] == ["NFO:NIFTY26NOV26000CE"]
    assert calls[0].lot_size == 65 and calls[0].strike == Decimal("26000") and calls[0].expiry == date(2026, 11, 24)
    assert sdk.instruments.search("infy")[0].instrument_token == 408065
    assert sdk.instruments.get(408065).name == "INFOSYS"
    with pytest.raises(InstrumentNotFoundError) as err:
        sdk.instruments.get(1)
    assert err.value.status_code == 404


def test_quote_and_depth(sdk, master) -> None:  # noqa: ANN001
    quotes = sdk.market.quote(["NFO:NIFTY26NOV26000CE", "NSE:INFY"])
    q = quotes["NFO:NIFTY26NOV26000CE"]
    assert isinstance(q.last_price, Decimal) and q.best_bid < q.best_ask and len(q.depth.sell) == 5
    assert sdk.market.ltp("NSE:INFY")["NSE:INFY"] > 0
    depth = sdk.market.depth(408065)
    assert depth.tradingsymbol == "INFY" and depth.buy[0].price < depth.sell[0].price


def test_typed_errors(sdk, master, client) -> None:  # noqa: ANN001
    with pytest.raises(UnknownInstrumentKeysError) as err:
        sdk.market.quote(["NSE:INFY", "NFO:NOPE"])
    assert err.value.unknown == ["NFO:NOPE"]
    with pytest.raises(InvalidInstrumentKeyError):
        sdk.market.quote("INFY")
    with pytest.raises(InstrumentNotFoundError):
        sdk.market.depth(7)


def test_bad_key_is_rejected(sdk_for, user, master) -> None:  # noqa: ANN001
    client = sdk_for(user)
    client._http.api_key = "nope"
    client._http.client.headers["Authorization"] = "Api-Key nope"
    with pytest.raises(AuthenticationError) as err:
        client.instruments.list()
    assert err.value.status_code in (401, 403)
