"""The OMS buffer: each factor with its reason, apart from the exchange figure, set per account and strategy."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal as D

import pytest

from margin import buffers as b
from margin import selectors as ms
from margin import settings_store
from margin.models import MarginSettings, RegulatoryMarginFactor
from portfolio.models import Strategy
from tests.margin.test_account_margin import _inst, account, fake_market  # noqa: F401

TODAY = date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _fresh_settings():
    settings_store.clear_cache()  # rows are cached per account id, and test databases reuse ids
    yield
    settings_store.clear_cache()


def state(**kw):
    return b.MarketState(vix=kw.pop("vix", D(12)), today=TODAY, now_ist=kw.pop("now", time(10)), **kw)


def test_factors_follow_their_schedules_and_reasons():
    policy = b.BufferPolicy()
    assert b.active_factors(policy, state()) == []
    f = {x.name: x for x in b.active_factors(policy, state(vix=D("25")))}
    assert f["vix"].factor == D("1.5") and f["vix"].reason == "VIX 25.0"
    assert {x.name: x.factor for x in b.active_factors(policy, state(vix=D(80)))}["vix"] == D("2.0")  # clamped
    late = {x.name: x for x in b.active_factors(policy, state(expiries=frozenset({TODAY}), now=time(15)))}
    assert late["expiry_day"].factor == D("3.5") and late["expiry_day"].reason == "expiry day"
    moved = {x.name: x for x in b.active_factors(policy, state(moves={"NIFTY": D("-0.025")}))}
    assert moved["price_move"].factor == D("1.3") and moved["price_move"].reason == "NIFTY -2.5% today"
    reg = b.active_factors(policy, state(regulatory={"NIFTY": (D("3"), "NSE circular")}))
    assert [(x.name, x.factor, x.reason) for x in reg] == [("regulatory", D("2.0"), "NSE circular")]


def test_buffer_is_on_span_times_factors_plus_pct_never_on_premium():
    factors = [b.BufferFactor("vix", D("1.5"), "VIX 25"), b.BufferFactor("margin_buffer_pct", D("1.2"), "buffer 20%")]
    # (100 x 1.5 + 50 + 0) x 1.2 = 240 -> buffer 240 - 150 = 90
    assert b.buffer_amount(D(100), D(50), D(0), factors) == D(90)
    assert b.buffer_amount(D(100), D(50), D(0), []) == 0


@pytest.mark.django_db
def test_account_and_strategy_settings_and_regulatory_factor(user, account, fake_market):  # noqa: F811
    settings_store.clear_cache()
    fut = _inst(5101, "NIFTYBUFFUT", "FUT")
    fake_market.set(fut.instrument_token, "24000")
    order = [ms.MarginOrder(fut, "BUY", 75)]
    plain = ms.order_margin(account, order)
    MarginSettings.objects.create(account=account, buffer_pct=D("10"))
    RegulatoryMarginFactor.objects.create(
        underlying="NIFTY",
        factor=D("1.5"),
        reason="NSE circular: results day",
        effective_from=date.today() - timedelta(1),
    )
    settings_store.clear_cache()
    buffered = ms.order_margin(account, order)
    names = {n: (f, r) for n, f, r in buffered.buffer_factors}
    assert names["regulatory"] == (D("1.5"), "NSE circular: results day") and names["margin_buffer_pct"][0] == D("1.1")
    assert buffered.exchange_required == plain.exchange_required  # the exchange figure never moves
    assert buffered.buffer > plain.buffer and buffered.required == buffered.exchange_required + buffered.buffer
    strategy = Strategy.objects.create(user=user, account=account, name="s", margin_buffer_pct=D("30"))
    MarginSettings.objects.create(strategy=strategy, regulatory_enabled=False)
    settings_store.clear_cache()
    s = ms.order_margin(account, order, strategy_id=strategy.pk)
    names = {n: f for n, f, r in s.buffer_factors}
    assert "regulatory" not in names and names["margin_buffer_pct"] == D("1.3")
