"""The local Kite sandbox refuses what Kite refuses (lot, tick, freeze, product, trigger side, SL-M on options
and BSE, market protection), with Kite's error shape, as seen through the real kiteconnect client.

Before: the sandbox checked only the envelope (missing fields, market protection, tag); a NIFTY future at
26,000.05, SL-M on an option, 1,900 NIFTY units in one order or a CNC future all went through.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from kiteconnect import KiteConnect
from kiteconnect.exceptions import InputException

from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, MemoryVenue, SandboxUser

KEY, SECRET = "rules_key", "rules_secret"
ROWS = [
    {"instrument_token": 1, "exchange_token": 1, "tradingsymbol": "NIFTY26DECFUT", "name": "NIFTY", "last_price": 0,
     "expiry": "2026-12-29", "strike": 0, "tick_size": 0.1, "lot_size": 75, "instrument_type": "FUT",
     "segment": "NFO-FUT", "exchange": "NFO", "freeze_quantity": 1800},
    {"instrument_token": 2, "exchange_token": 2, "tradingsymbol": "NIFTY26DEC26000CE", "name": "NIFTY", "last_price": 0,
     "expiry": "2026-12-29", "strike": 26000, "tick_size": 0.05, "lot_size": 75, "instrument_type": "CE",
     "segment": "NFO-OPT", "exchange": "NFO", "freeze_quantity": 1800},
    {"instrument_token": 3, "exchange_token": 3, "tradingsymbol": "SENSEX26DECFUT", "name": "SENSEX", "last_price": 0,
     "expiry": "2026-12-24", "strike": 0, "tick_size": 0.2, "lot_size": 20, "instrument_type": "FUT",
     "segment": "BFO-FUT", "exchange": "BFO"},
    {"instrument_token": 4, "exchange_token": 4, "tradingsymbol": "INFY", "name": "INFOSYS", "last_price": 0,
     "expiry": "", "strike": 0, "tick_size": 0.1, "lot_size": 1, "instrument_type": "EQ", "segment": "NSE",
     "exchange": "NSE"},
]  # fmt: skip


@pytest.fixture
def kite() -> Any:
    venue = MemoryVenue(capital=Decimal("100000000"))
    for symbol, exchange, price in (("NIFTY26DECFUT", "NFO", "26000"), ("NIFTY26DEC26000CE", "NFO", "120"),
                                    ("SENSEX26DECFUT", "BFO", "85000"), ("INFY", "NSE", "1500")):  # fmt: skip
        venue.set_price(exchange, symbol, Decimal(price))
    app = KiteSandboxApp([SandboxUser(user_id="RL0001", api_key=KEY, api_secret=SECRET, venue=venue)],
                         instruments=lambda: ROWS)  # fmt: skip
    with KiteSandboxServer(app) as server:
        yield KiteConnect(KEY, access_token=app.issue_access_token(KEY), root=server.url)


def _place(kite: Any, **kw: Any) -> str:
    base = dict(variety="regular", exchange="NFO", tradingsymbol="NIFTY26DECFUT", transaction_type="BUY",
                quantity=75, product="NRML", order_type="LIMIT", price=25990.0)  # fmt: skip
    base.update(kw)
    return kite.place_order(**base)


@pytest.mark.parametrize(
    "fields,text",
    [
        (dict(quantity=70), "multiple of the lot size 75"),
        (dict(price=25990.05), "Tick size for this script is 0.1"),
        (dict(quantity=1875), "higher than the maximum quantity of 1800 (24 lots)"),
        (dict(product="CNC"), "CNC product is not allowed"),
        (dict(order_type="SL", trigger_price=25900.0, price=25890.0), "should be higher than the last traded price"),
        (dict(order_type="SL", transaction_type="SELL", trigger_price=26100.0, price=26090.0),
         "should be lower than the last traded price"),
        (dict(tradingsymbol="NIFTY26DEC26000CE", order_type="SL-M", transaction_type="SELL", trigger_price=100.0,
              price=None, market_protection=-1), "SL-M orders are not allowed"),
        (dict(exchange="BFO", tradingsymbol="SENSEX26DECFUT", quantity=20, order_type="SL-M", transaction_type="SELL",
              trigger_price=84000.0, price=None, market_protection=-1), "BSE has discontinued SL-M"),
        (dict(exchange="NSE", tradingsymbol="INFY", quantity=1, product="NRML", price=1490.0), "NRML product"),
        (dict(order_type="MARKET", price=None), "market protection"),
    ],
)  # fmt: skip
def test_kite_rules_refused_as_input_exceptions(kite: Any, fields: dict, text: str) -> None:
    with pytest.raises(InputException) as info:
        _place(kite, **fields)
    assert info.value.code == 400
    assert text.lower() in str(info.value).lower()
    assert kite.orders() == []  # nothing reached the venue


def test_what_kite_accepts_goes_through_and_modify_is_judged_too(kite: Any) -> None:
    exact = _place(kite, quantity=1800, price=25990.1)  # exactly the freeze quantity, on the 0.10 grid
    stop = _place(kite, tradingsymbol="NIFTY26DEC26000CE", order_type="SL", transaction_type="SELL",
                  trigger_price=100.0, price=95.0)  # the SL that replaces SL-M on an option  # fmt: skip
    assert {o["order_id"] for o in kite.orders()} == {exact, stop}
    with pytest.raises(InputException, match="maximum quantity of 1800"):
        kite.modify_order("regular", exact, quantity=1875)
    with pytest.raises(InputException, match="Tick size"):
        kite.modify_order("regular", exact, price=25990.15)
    with pytest.raises(InputException, match="SL-M orders are not allowed"):
        kite.modify_order("regular", stop, order_type="SL-M", market_protection=-1)
    assert kite.modify_order("regular", exact, price=25980.2) == exact


@pytest.mark.dates
@pytest.mark.django_db(transaction=True)  # the exchange calendar reads its holiday overrides
def test_amo_rules_on_the_exchange_clock(kite: Any, travel_to: Any) -> None:
    travel_to("2026-12-01 11:00 IST", tick=True)  # a Tuesday, market open
    with pytest.raises(InputException, match="market is open"):
        _place(kite, variety="amo")
    travel_to("2026-12-01 20:00 IST", tick=True)
    with pytest.raises(InputException, match="MARKET after-market orders on options"):
        _place(kite, variety="amo", tradingsymbol="NIFTY26DEC26000CE", order_type="MARKET", price=None,
               market_protection=-1)  # fmt: skip
    assert _place(kite, variety="amo")
