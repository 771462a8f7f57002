"""The live monitor on a real paper book: a tick batch revalues it and a breach acts (kill switch, REDUCING
status refused by the risk.monitor stage, strategy square-off, position guards with auto-close)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest

from alerts.models import Alert
from marketdata.events import TickBatch
from oms_project.lib import events
from portfolio.models import Position, Strategy
from risk import monitor
from risk.models import KillSwitch, PositionGuardConfig, PositionGuardHit, RiskEvent, RiskStatus
from risk.monitor_errors import RiskReducingOnly

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

SESSION = "2026-12-01 11:00 IST"  # a Tuesday, the market open
AT = datetime.fromisoformat("2026-12-01T11:00:00+05:30")


def _open_qty(account) -> int:  # noqa: ANN001
    return sum(p.quantity for p in Position.objects.filter(account=account))


def test_a_tick_batch_past_the_daily_loss_engages_the_kill_switch_and_flattens(
    travel_to, user, account, fut, place, fake_market, django_capture_on_commit_callbacks
):
    travel_to(SESSION, tick=True)
    place(quantity=750)  # long 750 at ~24000
    result = monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23995")})
    assert not [a for a in result.actions if a.startswith("account")]  # a small loss: no account check fires
    assert result.valuations[account.pk]["pnl_today"] < 0
    # a loss of 6% of the ₹1 crore paper capital needs > ₹6 lakh on 750 units: 24000 → 23150 is −₹6,37,500
    fake_market.set(fut.instrument_token, "23150")
    with django_capture_on_commit_callbacks(execute=True):
        events.deliver(TickBatch(marks={fut.instrument_token: "23150"}, at=AT))
    switch = KillSwitch.objects.get(account=account)
    assert switch.state == "HALTED" and switch.engaged_by == "AUTO" and "RISK_DAILY_LOSS" in switch.reason
    assert _open_qty(account) == 0
    assert RiskEvent.objects.filter(account=account, kind="MONITOR_BREACH", code="RISK_DAILY_LOSS").count() == 1
    assert Alert.objects.filter(user=user, type="RISK_BREACH", level="CRITICAL").exists()


def test_levels_alert_once_each_and_a_strategy_cap_sets_risk_status_reducing(
    travel_to, user, account, fut, place, fake_market, django_capture_on_commit_callbacks
):
    travel_to(SESSION, tick=True)
    s = Strategy.objects.create(user=user, account=account, name="s", auto_square_off_on_loss_limit=False)
    place(strategy_id=s.pk)
    # cap: min(₹50,000, 5% of ₹1 crore) = ₹50,000; 80% (₹40,000) is a WARNING: 24000 → 23460 is −₹40,500
    for _ in range(2):
        monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23460")})
    warnings = Alert.objects.filter(user=user, type="RISK_BREACH", level="WARNING", payload__strategy_id=s.pk)
    assert warnings.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23300")})  # −₹52,500: CRITICAL
    status = RiskStatus.objects.get(strategy=s)
    assert status.status == "REDUCING" and status.code == "RISK_DAILY_LOSS"
    assert _open_qty(account) == 75  # auto square-off off for this strategy: the book is left
    with pytest.raises(RiskReducingOnly):
        place(strategy_id=s.pk)
    fake_market.set(fut.instrument_token, "23300")
    place(strategy_id=s.pk, transaction_type="SELL")  # reducing passes
    assert _open_qty(account) == 0


def test_strategy_cap_with_auto_square_off_flattens_the_strategy(
    travel_to, user, account, fut, place, fake_market, django_capture_on_commit_callbacks
):
    travel_to(SESSION, tick=True)
    s = Strategy.objects.create(user=user, account=account, name="auto", auto_square_off_on_loss_limit=True)
    place(strategy_id=s.pk)
    fake_market.set(fut.instrument_token, "23300")
    with django_capture_on_commit_callbacks(execute=True):
        monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("23300")})
    assert _open_qty(account) == 0
    assert RiskStatus.objects.get(strategy=s).status == "REDUCING"


def test_position_guard_target_alerts_once_and_auto_closes_when_enabled(
    travel_to, user, account, fut, place, fake_market, django_capture_on_commit_callbacks
):
    travel_to(SESSION, tick=True)
    s = Strategy.objects.create(user=user, account=account, name="g")
    PositionGuardConfig.objects.create(strategy=s, target_pnl=D("3000"), auto_close_on_target=True)
    place(strategy_id=s.pk)
    monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("24030")})  # +₹2,250: below target
    assert not PositionGuardHit.objects.exists()
    fake_market.set(fut.instrument_token, "24050")
    with django_capture_on_commit_callbacks(execute=True):
        monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("24050")})  # ≈ +₹3,700
    hit = PositionGuardHit.objects.get()
    assert hit.guard == "TARGET" and hit.auto_close
    assert Alert.objects.filter(user=user, level="INFO", payload__guard="TARGET").count() == 1
    assert _open_qty(account) == 0


def test_the_feed_publishes_its_tick_batch(monkeypatch):
    seen = []
    events.subscribe(TickBatch.name, seen.append)
    try:
        from marketdata.feed import publish_tick_batch

        at = AT
        publish_tick_batch([{"instrument_token": 7, "last_price": "10.5"}], at)
    finally:
        events.unsubscribe(TickBatch.name, seen.append)
    assert seen and seen[0].marks == {7: "10.5"} and seen[0].at == at


def test_a_greeks_breach_sets_the_account_reducing_with_a_greeks_alert(travel_to, user, account, fut, place):
    from risk import services

    travel_to(SESSION, tick=True)
    place()  # long 75 futures: ₹ delta ≈ 75 × 24000 = ₹18 lakh
    services.limits_update(user=user, overrides={"greeks": {"enabled": True, "max_delta_inr": "1000000"}})
    result = monitor.monitor_accounts([account.pk], marks={fut.instrument_token: D("24000")})
    assert result.valuations[account.pk]["levels"]["greeks_delta"] == 3  # 180% of the cap: URGENT
    status = RiskStatus.objects.get(account=account, strategy__isnull=True)
    assert status.status == "REDUCING" and status.code == "RISK_GREEKS"
    assert Alert.objects.filter(user=user, type="GREEKS_LIMIT", level="URGENT").count() == 1
    assert not KillSwitch.objects.filter(account=account, state__in=["REDUCING", "HALTED"]).exists()
    with pytest.raises(RiskReducingOnly):
        place()
    place(transaction_type="SELL")  # reducing passes
    assert _open_qty(account) == 0
