"""Strategy P&L snapshots carry margin used (the margin engine's figure for the strategy alone) and the risk
engine's Greeks, and show them on the strategy page and in the API. Clock pinned in market hours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client

from housekeeping.models import StrategySnapshot
from margin import selectors as margin_selectors
from orders import services

pytestmark = pytest.mark.dates


def _option(make_instrument, fake_market, at):
    from marketdata import selectors as md
    from risk import greeks
    from risk.monitor import years_to_expiry

    spot = float(md.spot_for("NIFTY", at))
    strike = round(spot / 50) * 50
    expiry = date(2026, 12, 29)
    inst = make_instrument(2001, f"NIFTY26DEC{strike}CE", type_="CE", strike=str(strike), expiry=expiry)
    price = greeks.black76_price(True, spot, float(strike), years_to_expiry(expiry, at), 0.15, 0.0)
    fake_market.set(2001, f"{round(price / 0.05) * 0.05:.2f}")
    return inst


def test_snapshot_margin_used_is_the_strategy_alone_and_greeks_from_the_risk_book(
    user, account, fut, fake_market, place, run_job, travel_to
):
    clock = travel_to("2026-12-02 10:02 IST", tick=True)
    long_ = services.strategy_create(user=user, name="long", preset="aggressive")
    short = services.strategy_create(user=user, name="short", preset="aggressive")
    place(strategy_id=long_.pk)  # long 75
    place(strategy_id=short.pk, transaction_type="SELL")  # short 75: the account is flat in the contract
    fake_market.set(1001, "24100")
    clock.move_to("2026-12-02 10:06 IST")
    ev = run_job("strategy_snapshots")
    assert ev.status == "OK", ev.errors
    a = StrategySnapshot.objects.get(strategy=long_)
    b = StrategySnapshot.objects.get(strategy=short)
    # Each strategy alone needs margin for its future; the account's hedge (long + short) needs none.
    assert a.margin_used > 0 and b.margin_used > 0
    assert margin_selectors.account_margin(account).total_blocked < a.margin_used
    # Futures: delta ₹ = units × mark, no gamma or vega.
    assert D(a.greeks["delta_inr"]) == D("1807500.00") and D(b.greeks["delta_inr"]) == D("-1807500.00")
    assert D(a.greeks["vega_inr"]) == 0 and a.greeks["positions"] == 1


def test_snapshot_of_the_only_strategy_matches_the_account_margin_and_option_greeks(
    user, account, fut, make_instrument, fake_market, place, run_job, travel_to, api, other_api
):
    from datetime import datetime, timedelta

    from django.utils import timezone

    clock = travel_to("2026-12-02 11:01 IST", tick=True)
    opt = _option(make_instrument, fake_market, timezone.now())
    strat = services.strategy_create(user=user, name="calls", preset="aggressive")
    place(strategy_id=strat.pk, instrument_token=opt.instrument_token, quantity=75)
    clock.move_to("2026-12-02 11:03 IST")
    run_job("strategy_snapshots")
    snap = StrategySnapshot.objects.get(strategy=strat)
    assert isinstance(snap.at, datetime) and snap.at.minute % 5 == 0
    # The only strategy of the account: its margin is the account's.
    assert snap.margin_used == margin_selectors.account_margin(account, at=timezone.now()).total_blocked.quantize(
        D("0.01")
    )
    g = snap.greeks
    assert D(g["delta_inr"]) > 0 and D(g["gamma_inr"]) > 0 and D(g["vega_inr"]) > 0 and D(g["theta_inr"]) < 0
    # API and page show them.
    rows = api.get(f"/api/v1/strategies/{strat.pk}/snapshots/").json()
    assert rows[0]["margin_used"] == f"{snap.margin_used:.2f}" and rows[0]["greeks"]["vega_inr"] == g["vega_inr"]
    assert other_api.get(f"/api/v1/strategies/{strat.pk}/snapshots/").status_code == 404
    c = Client()
    c.force_login(user)
    page = c.get(f"/strategies/settings/?strategy={strat.pk}").content.decode()
    assert 'data-testid="snapshot-table"' in page and g["vega_inr"] in page and f"{snap.margin_used}" in page
    assert '"margin": ["' in page  # the chart's margin series
    # A rerun in the same mark updates the row (still one).
    clock.move_to(timezone.now() + timedelta(minutes=1))
    run_job("strategy_snapshots")
    assert StrategySnapshot.objects.filter(strategy=strat).count() == 1
