"""account_margin / order_margin: positions and working orders margined together, hedges, reductions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from margin import selectors as ms
from tests.orders.conftest import FakeMarket, _paper_account  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_market(monkeypatch):
    fm = FakeMarket()
    monkeypatch.setattr("marketdata.lookup.quote", fm.quote)
    return fm


@pytest.fixture
def account(user):
    return _paper_account(user)


def _inst(token, symbol, type_, *, strike=None, expiry=None, lot=75):
    from marketdata.models import Instrument

    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=symbol,
        name="NIFTY",
        last_price=D("100"),
        expiry=expiry or date.today() + timedelta(days=30),
        strike=D(strike) if strike else None,
        tick_size=D("0.05"),
        lot_size=lot,
        instrument_type=type_,
        segment="NFO-FUT" if type_ == "FUT" else "NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


def test_an_empty_account_blocks_nothing(account):
    m = ms.account_margin(account)
    assert m.total_blocked == 0 and m.used == 0 and m.available == m.funds == D("10000000")
    assert m.level == "LOW" and m.utilisation_pct == 0


def test_a_future_needs_span_and_exposure_and_a_short_reduces_to_nothing(account, fake_market):
    fut = _inst(5001, "NIFTYTESTFUT", "FUT")
    fake_market.set(fut.instrument_token, "24000")
    buy = ms.order_margin(account, [ms.MarginOrder(fut, "BUY", 75)])
    assert buy.initial.span > 0 and buy.initial.exposure == (D("24000") * 75 * D("0.02")).quantize(D("0.01"))
    assert buy.required == buy.after.total_blocked > 0 and buy.can_execute and buy.risk_increasing
    # Long then short the same future in one basket: nothing left to margin.
    flat = ms.order_margin(account, [ms.MarginOrder(fut, "BUY", 75), ms.MarginOrder(fut, "SELL", 75)])
    assert flat.basket.total == 0 and flat.initial.total == 2 * buy.initial.total - (
        buy.initial.total - ms.order_margin(account, [ms.MarginOrder(fut, "SELL", 75)]).initial.total
    )
