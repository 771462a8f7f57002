"""The sandbox's positions answer is Kite's (kite-api.md §3.4, /work/shared/kite-mocks/positions.json): an
overnight position's M2M against the previous close, day buy/sell averages over all the day's trades, and a
flat position with its buy/sell quantities, values and P&L.

Before: positions were rendered from the net quantity alone, so a flat position showed buy_quantity 0,
sell_quantity 0, close_price 0 and m2m equal to pnl.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from kiteconnect import KiteConnect

from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, MemoryVenue, SandboxUser
from devtools.kite_sandbox.render import positions_payload
from oms_project.lib.brokers import BrokerTrade


def _trade(n: int, side: str, qty: int, price: str, when: datetime) -> BrokerTrade:
    return BrokerTrade(trade_id=str(n), broker_order_id=str(n), exchange="MCX", tradingsymbol="GOLDGUINEA17DECFUT",
                       instrument_token=53505799, transaction_type=side, product="NRML", quantity=qty,
                       price=D(price), fill_timestamp=when)  # fmt: skip


def test_the_official_mock_position_is_reproduced() -> None:
    """positions.json: 3 carried overnight (bought at 23,057), today 1 bought at 23,388 and 4 sold at 23,340;
    close 23,232, last 23,355 -> pnl 801, m2m 276, buy 4 for 92,559 (m2m 93,084), sell 4 for 93,360."""
    yesterday, today = datetime(2017, 12, 14, 6, tzinfo=UTC), datetime(2017, 12, 15, 6, tzinfo=UTC)
    trades = [_trade(1, "BUY", 3, "23057", yesterday), _trade(2, "BUY", 1, "23388", today),
              _trade(3, "SELL", 4, "23340", today)]  # fmt: skip
    out = positions_payload(trades, today=date(2017, 12, 15), last_price=lambda e, s: D("23355"),
                            close_price=lambda e, s: D("23232"))  # fmt: skip
    (net,) = out["net"]
    expected = {"quantity": 0, "overnight_quantity": 3, "average_price": 0, "close_price": 23232, "last_price": 23355,
                "value": 801, "pnl": 801, "m2m": 276, "unrealised": 801, "realised": 0, "buy_quantity": 4,
                "buy_price": 23139.75, "buy_value": 92559, "buy_m2m": 93084, "sell_quantity": 4, "sell_price": 23340,
                "sell_value": 93360, "sell_m2m": 93360, "day_buy_quantity": 1, "day_buy_price": 23388,
                "day_buy_value": 23388, "day_sell_quantity": 4, "day_sell_price": 23340,
                "day_sell_value": 93360}  # fmt: skip
    assert {k: net[k] for k in expected} == expected
    (day,) = out["day"]
    assert (day["quantity"], day["overnight_quantity"], day["buy_quantity"], day["sell_quantity"]) == (-3, 0, 1, 4)
    assert day["m2m"] == day["pnl"] == 93360 - 23388 - 3 * 23355


def test_flat_day_position_through_kiteconnect() -> None:
    venue = MemoryVenue(capital=D("100000000"))
    venue.set_price("NFO", "NIFTY26DECFUT", D("26000"))
    app = KiteSandboxApp([SandboxUser(user_id="PS0001", api_key="pk", api_secret="ps", venue=venue)])
    with KiteSandboxServer(app) as server:
        kite = KiteConnect("pk", access_token=app.issue_access_token("pk"), root=server.url)
        common = dict(variety="regular", exchange="NFO", tradingsymbol="NIFTY26DECFUT", product="NRML",
                      order_type="MARKET", market_protection=-1)  # fmt: skip
        kite.place_order(transaction_type="BUY", quantity=75, **common)
        venue.set_price("NFO", "NIFTY26DECFUT", D("26010"))
        kite.place_order(transaction_type="BUY", quantity=75, **common)
        venue.set_price("NFO", "NIFTY26DECFUT", D("26030"))
        kite.place_order(transaction_type="SELL", quantity=150, **common)
        positions = kite.positions()
    (net,) = positions["net"]
    assert net["quantity"] == 0 and net["average_price"] == 0
    assert (net["buy_quantity"], net["sell_quantity"]) == (150, 150)
    assert net["day_buy_price"] == 26005  # the average of ALL the day's buys, not of an open quantity
    assert net["pnl"] == net["m2m"] == 150 * 26030 - 75 * 26000 - 75 * 26010 == net["value"]
    assert positions["day"][0]["day_sell_value"] == 150 * 26030
