"""Order-core fixtures: instruments created directly, a controllable quote source, a paper account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accounts.services import paper_account_create
from marketdata.models import Instrument
from marketdata.types import DepthLevel, Quote
from orders import services
from orders.services import submission
from tests.support.orders import place_order

D = Decimal


class FakeMarket:
    """Quotes per instrument token that a test sets by hand (depth: 5 levels around the price)."""

    def __init__(self) -> None:
        self.quotes: dict[int, Quote] = {}

    def set(
        self,
        token: int,
        ltp: Any,
        *,
        spread: Any = "0.05",
        level_qty: int = 150,
        tick: Any = "0.05",
        levels: int = 5,
        band: Any = "0.2",
        buy_depth=None,
        sell_depth=None,
    ) -> Quote:  # noqa: ANN001
        ltp, spread, tick = D(str(ltp)), D(str(spread)), D(str(tick))
        bid, ask = ltp - spread, ltp + spread
        bids = (
            tuple(DepthLevel(bid - i * tick, level_qty, 3) for i in range(levels)) if buy_depth is None else buy_depth
        )
        asks = (
            tuple(DepthLevel(ask + i * tick, level_qty, 3) for i in range(levels)) if sell_depth is None else sell_depth
        )
        q = Quote(
            instrument_token=token,
            timestamp=datetime.now(UTC),
            last_price=ltp,
            last_quantity=75,
            average_price=ltp,
            volume=1000,
            oi=0,
            open=ltp,
            high=ltp,
            low=ltp,
            close=ltp,
            lower_circuit_limit=(ltp * (1 - D(str(band)))).quantize(D("0.05")),
            upper_circuit_limit=(ltp * (1 + D(str(band)))).quantize(D("0.05")),
            buy_depth=bids,
            sell_depth=asks,
        )
        self.quotes[token] = q
        return q

    def quote(self, instrument: Any, at: Any = None) -> Quote | None:
        return self.quotes.get(instrument.instrument_token)


@pytest.fixture
def fake_market(monkeypatch: pytest.MonkeyPatch) -> FakeMarket:
    fm = FakeMarket()
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)  # the order core and the venue read it
    return fm


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submission, "_sleep", lambda s: None)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_instrument() -> Callable[..., Instrument]:
    def make(
        token: int = 1001,
        symbol: str = "NIFTY26DECFUT",
        *,
        exchange: str = "NFO",
        type_: str = "FUT",
        lot: int = 75,
        tick: str = "0.05",
        freeze: int | None = 1800,
        expiry: date | None = None,
        strike: str | None = None,
        last_price: str = "24000",
    ) -> Instrument:
        return Instrument.objects.create(
            instrument_token=token,
            exchange_token=token // 256 or 1,
            tradingsymbol=symbol,
            name="NIFTY",
            last_price=D(last_price),
            expiry=expiry if expiry is not None else date.today() + timedelta(days=30),
            strike=D(strike) if strike else None,
            tick_size=D(tick),
            lot_size=lot,
            instrument_type=type_,
            segment="NFO-FUT" if type_ == "FUT" else ("NFO-OPT" if type_ in ("CE", "PE") else "NSE"),
            exchange=exchange,
            freeze_quantity=freeze,
            source="demo",
        )

    return make


@pytest.fixture
def fut(make_instrument: Callable[..., Instrument], fake_market: FakeMarket) -> Instrument:
    inst = make_instrument()
    fake_market.set(inst.instrument_token, "24000")
    return inst


def _paper_account(owner: Any) -> Any:
    from accounts.errors import AccountNotFound
    from accounts.selectors import account_resolve

    try:
        acc = account_resolve(user=owner)
    except AccountNotFound:
        acc = paper_account_create(user=owner, name="Paper", make_default=True)
    acc.paper_capital = D("10000000")
    acc.save()
    return acc


@pytest.fixture
def account(user: Any) -> Any:
    return _paper_account(user)


@pytest.fixture
def other_account(other_user: Any) -> Any:
    return _paper_account(other_user)


@pytest.fixture
def place(user: Any, account: Any) -> Callable[..., Any]:
    def do(**kw: Any) -> Any:
        base = dict(
            transaction_type="BUY",
            quantity=75,
            product="NRML",
            order_type="MARKET",
            instrument_token=1001,
            confirm_duplicate=True,
        )
        base.update(kw)
        return place_order(user, **base)

    return do
