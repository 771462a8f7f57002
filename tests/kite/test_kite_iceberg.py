"""Kite's own iceberg variety (issue #11): the sandbox refuses what Kite refuses (legs 2-10, LIMIT only, a leg a
whole number of lots within the freeze quantity, a leg quantity that splits the order), through the real
kiteconnect client; an ICEBERG execution on a Kite account that fits those rules goes out as ONE order of variety
iceberg through the Kite adapter, and one that does not is sliced by our runner with the reason on record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from kiteconnect import KiteConnect
from kiteconnect.exceptions import InputException

from accounts.services import kite_account_add
from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, MemoryVenue, SandboxUser
from marketdata.models import Instrument
from orders import kite_iceberg
from orders.execution_models import AdvancedOrderExecution
from orders.models import Order
from orders.services import algos
from tests.orders.conftest import FakeMarket

from .conftest import API_KEY, API_SECRET, KITE_USER_ID

D = Decimal
SYMBOL = "NIFTY26DECFUT"
ROWS = [
    {"instrument_token": 9001, "exchange_token": 35, "tradingsymbol": SYMBOL, "name": "NIFTY", "last_price": 0,
     "expiry": "2026-12-29", "strike": 0, "tick_size": 0.1, "lot_size": 75, "instrument_type": "FUT",
     "segment": "NFO-FUT", "exchange": "NFO", "freeze_quantity": 1800},
]  # fmt: skip


@pytest.fixture
def venue() -> MemoryVenue:
    v = MemoryVenue(capital=D("1000000000"))
    v.set_price("NFO", SYMBOL, D("26000"))
    return v


@pytest.fixture
def app(venue: MemoryVenue, settings: Any) -> Any:
    sandbox = KiteSandboxApp(
        [SandboxUser(user_id=KITE_USER_ID, api_key=API_KEY, api_secret=API_SECRET, venue=venue)],
        instruments=lambda: ROWS,
    )
    with KiteSandboxServer(sandbox) as server:
        settings.KITE_API_ROOT = server.url
        sandbox.server_url = server.url  # type: ignore[attr-defined]
        yield sandbox


def _place(app: KiteSandboxApp, **kw: Any) -> str:
    kite = KiteConnect(API_KEY, access_token=app.issue_access_token(API_KEY), root=app.server_url)  # type: ignore[attr-defined]
    base = dict(variety="iceberg", exchange="NFO", tradingsymbol=SYMBOL, transaction_type="BUY", quantity=1875,
                product="NRML", order_type="LIMIT", price=25990.0, iceberg_legs=3, iceberg_quantity=675)  # fmt: skip
    return kite.place_order(**{**base, **kw})


@pytest.mark.parametrize(
    "fields,text",
    [
        (dict(iceberg_legs=1, iceberg_quantity=1875), "between 2 and 10"),
        (dict(iceberg_legs=11, iceberg_quantity=225), "between 2 and 10"),
        (dict(order_type="MARKET", price=None, market_protection=-1), "only be placed as limit"),
        (dict(iceberg_quantity=600), "does not split the order quantity 1875 into 3 legs"),
        (dict(iceberg_quantity=700), "multiple of the lot size 75"),
        (dict(quantity=3750, iceberg_legs=2, iceberg_quantity=1875), "maximum quantity of 1800"),
    ],
)  # fmt: skip
def test_the_sandbox_refuses_an_iceberg_kite_refuses(app: KiteSandboxApp, venue: MemoryVenue, fields, text) -> None:  # noqa: ANN001
    with pytest.raises(InputException) as info:
        _place(app, **fields)
    assert info.value.code == 400 and text.lower() in str(info.value).lower()
    assert venue.orders() == []


def test_the_sandbox_takes_an_iceberg_above_the_freeze_limit_and_reports_its_leg(app: KiteSandboxApp) -> None:
    order_id = _place(app)  # 25 lots, above the 24-lot freeze: three legs of 9, 9, 7 lots
    kite = KiteConnect(API_KEY, access_token=app.issue_access_token(API_KEY), root=app.server_url)  # type: ignore[attr-defined]
    [row] = kite.orders()
    assert (row["order_id"], row["variety"], row["quantity"]) == (order_id, "iceberg", 1875)
    assert row["meta"]["iceberg"] == {"leg": 1, "legs": 3, "leg_quantity": 675, "total_quantity": 1875,
                                      "remaining_quantity": 1200}  # fmt: skip


@pytest.fixture
def fut(db: Any) -> Instrument:
    return Instrument.objects.create(
        instrument_token=9001, exchange_token=35, tradingsymbol=SYMBOL, name="NIFTY", tick_size=D("0.1"), lot_size=75,
        instrument_type="FUT", segment="NFO-FUT", exchange="NFO", expiry="2026-12-29", freeze_quantity=1800,
        source="demo",
    )  # fmt: skip


@pytest.fixture
def kite_setup(db: Any, user: Any, app: KiteSandboxApp, fut: Instrument, monkeypatch: pytest.MonkeyPatch) -> Any:
    market = FakeMarket()
    market.set(fut.instrument_token, "26000", tick="0.1", level_qty=3000)
    monkeypatch.setattr("marketdata.lookup.quote", market.quote)
    monkeypatch.setattr("orders.market.market_open", lambda instrument, at=None, *, simulated: True)
    account = kite_account_add(
        user=user, api_key=API_KEY, api_secret=API_SECRET, access_token=app.issue_access_token(API_KEY),
        name="Kite sandbox", kite_user_id=KITE_USER_ID,
    )  # fmt: skip
    return account


def _iceberg(user: Any, account: Any, **kw: Any) -> AdvancedOrderExecution:
    base = dict(account_id=account.pk, instrument_token=9001, transaction_type="BUY", limit_price=D("25990"))
    return algos.iceberg_start(user=user, **{**base, **kw})


def test_an_iceberg_on_a_kite_account_that_fits_is_one_kite_iceberg_order(user, kite_setup, venue) -> None:  # noqa: ANN001
    ex = _iceberg(user, kite_setup, lots=25, visible_lots=9)
    assert ex.params["kite_iceberg"] == {"native": True, "legs": 3, "leg_quantity": 675, "reason": ""}
    assert ex.status_message == "Kite iceberg: 3 legs of 675" and ex.slices_total == 1
    assert algos.execution_step(ex.pk) is True
    [child] = Order.objects.filter(advanced_slice__execution=ex)
    assert (child.variety, child.quantity, child.iceberg_legs, child.iceberg_quantity) == ("iceberg", 1875, 3, 675)
    [sent] = venue.orders()  # ONE order reached Kite, for the whole quantity, above the freeze limit
    assert sent.broker_order_id == child.broker_order_id and sent.quantity == 1875
    assert algos.execution_step(ex.pk) is False  # nothing more to send: Kite works the legs


def test_an_iceberg_outside_kites_rules_is_sliced_here_with_the_reason(user, kite_setup, venue) -> None:  # noqa: ANN001
    ex = _iceberg(user, kite_setup, lots=12, visible_lots=1)  # 12 legs: Kite takes at most 10
    assert ex.params["kite_iceberg"]["native"] is False
    assert "12 legs of 1 lot: Kite's iceberg takes 2 to 10 legs" in ex.status_message
    assert ex.params["visible_quantity"] == 75 and ex.slices_total == 12
    assert algos.execution_step(ex.pk) is True
    [child] = Order.objects.filter(advanced_slice__execution=ex)
    assert (child.variety, child.quantity, child.iceberg_legs) == ("regular", 75, None)
    [sent] = venue.orders()
    assert sent.quantity == 75


@pytest.mark.parametrize(
    "total,visible,freeze,native,why",
    [
        (1875, 675, 1800, True, ""),
        (1875, 1875, 1800, False, "one leg"),
        (1875, 150, 1800, False, "13 legs"),
        (3750, 1875, 1800, False, "above the exchange's freeze quantity"),
        (750, 75, None, True, ""),
    ],
)  # fmt: skip
def test_fit(total: int, visible: int, freeze: int | None, native: bool, why: str) -> None:
    answer = kite_iceberg.fit(total=total, visible=visible, lot_size=75, freeze_quantity=freeze)
    assert answer.native is native and why in answer.reason


def test_the_postbacks_of_an_iceberg_carry_its_leg(venue: MemoryVenue, settings: Any) -> None:
    sent: list[dict[str, Any]] = []
    sandbox = KiteSandboxApp(
        [SandboxUser(user_id=KITE_USER_ID, api_key=API_KEY, api_secret=API_SECRET, venue=venue,
                     postback_url="http://testserver/api/v1/broker/kite/postback/")],
        instruments=lambda: ROWS,
        postback_sink=lambda url, payload: sent.append(payload),
    )  # fmt: skip
    with KiteSandboxServer(sandbox) as server:
        sandbox.server_url = server.url  # type: ignore[attr-defined]
        order_id = _place(sandbox, tag="ice1")  # rests: the LTP is above the limit
        venue.set_price("NFO", SYMBOL, D("25980"))  # fills
        assert sandbox.postbacks.wait_idle()
    legs = [(p["status"], p["variety"], p["meta"]["iceberg"]["leg"]) for p in sent if p["order_id"] == order_id]
    assert legs[0] == ("OPEN", "iceberg", 1) and legs[-1] == ("COMPLETE", "iceberg", 3)
    assert sent[-1]["meta"]["iceberg"] == {"leg": 3, "legs": 3, "leg_quantity": 525, "total_quantity": 1875,
                                           "remaining_quantity": 0}  # fmt: skip
