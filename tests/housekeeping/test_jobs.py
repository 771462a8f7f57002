"""Order aging, expired instruments, strategy snapshots, EOD reconciliation and MIS square-off, each with the
clock pinned (a trading day, an expiry day, the day after, the square-off minutes)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest

from alerts.models import Alert
from housekeeping.models import EodReport, HousekeepingPreferences, OrderFlags, PositionArchive, StrategySnapshot
from housekeeping.services import eod, square_off
from orders import services
from orders.models import Order
from portfolio.models import Position

pytestmark = pytest.mark.dates


def _resting(place, **kw):
    return place(order_type="LIMIT", price=D("23000"), **kw)  # far below the market: rests OPEN


def test_order_aging_notifies_after_1h_cancels_after_4h_when_configured_archives_after_a_day(
    user, fut, place, run_job, travel_to
):
    clock = travel_to("2026-12-02 09:30 IST", tick=True)
    order = _resting(place)
    assert order.status == "OPEN"
    clock.move_to("2026-12-02 10:00 IST")
    assert "notified" not in run_job("order_aging").did  # 30 minutes: nothing yet
    clock.move_to("2026-12-02 10:45 IST")
    ev = run_job("order_aging")
    assert ev.did["notified"] == [order.pk]
    assert run_job("order_aging").did.get("notified") is None  # once
    clock.move_to("2026-12-02 13:45 IST")
    assert "cancelled" not in run_job("order_aging").did  # not configured: never cancelled
    HousekeepingPreferences.objects.create(user=user, auto_cancel_aged_orders=True)
    ev = run_job("order_aging")
    assert ev.did["cancelled"] == [order.pk]
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    assert Alert.objects.filter(user=user, type="ORDER_CANCELLED", payload__order_id=order.pk).exists()
    clock.move_to("2026-12-03 10:00 IST")
    ev = run_job("order_aging")
    assert ev.did["archived"] == 1 and OrderFlags.objects.get(order=order).archived_at is not None
    assert "archived" not in run_job("order_aging").did


def test_expired_instruments_on_the_day_after_an_expiry(user, make_instrument, fake_market, place, run_job, travel_to):
    clock = travel_to("2026-12-08 10:00 IST", tick=True)  # Tuesday: NIFTY weekly expiry
    weekly = make_instrument(2002, "NIFTY26D0824000CE", type_="CE", expiry=date(2026, 12, 8), strike="24000",
                             last_price="100", lot=65)  # fmt: skip
    fake_market.set(2002, "100")
    resting = place(instrument_token=2002, quantity=65, order_type="LIMIT", price=D("95"))
    place(instrument_token=2002, quantity=65)
    place(instrument_token=2002, quantity=65, transaction_type="SELL")  # flat: settled
    assert run_job("expired_instruments").did == {}  # the expiry day itself: it still trades
    clock.move_to("2026-12-09 09:00 IST")
    ev = run_job("expired_instruments")
    assert ev.did["cancelled"] == [resting.pk]
    position = Position.objects.get(instrument_token=2002)
    assert ev.did["archived"] == [position.pk] and PositionArchive.objects.filter(position=position).exists()
    assert Alert.objects.filter(user=user, title="Expired contracts").count() == 1
    again = run_job("expired_instruments")
    assert again.did == {} and Alert.objects.filter(user=user, title="Expired contracts").count() == 1


def test_strategy_snapshots_one_row_per_five_minute_mark(user, fut, fake_market, place, run_job, travel_to):
    clock = travel_to("2026-12-02 10:02 IST", tick=True)
    strat = services.strategy_create(user=user, name="snap", preset="aggressive")
    place(strategy_id=strat.pk)  # long 75 at ~24000
    fake_market.set(1001, "24100")
    run_job("strategy_snapshots")
    clock.move_to("2026-12-02 10:04 IST")
    run_job("strategy_snapshots")
    assert StrategySnapshot.objects.filter(strategy=strat).count() == 1
    clock.move_to("2026-12-02 10:06 IST")
    run_job("strategy_snapshots")
    snaps = list(StrategySnapshot.objects.filter(strategy=strat))
    assert len(snaps) == 2 and snaps[1].at.minute == 35  # 10:05 IST = 04:35 UTC
    position = Position.objects.get(strategy=strat)
    expected = ((D("24100") - position.average_price) * 75).quantize(D("0.01"))
    assert snaps[1].unrealised_pnl == expected and snaps[1].positions == 1


def test_eod_report_realised_pnl_archive_and_csv(user, account, fut, fake_market, place, run_job, travel_to):
    clock = travel_to("2026-12-02 11:00 IST", tick=True)
    place()
    fake_market.set(1001, "24100")
    place(transaction_type="SELL")
    _resting(place)
    realised = Position.objects.get(account=account).realized_pnl
    assert realised > 0
    clock.move_to("2026-12-02 15:30 IST")
    ev = run_job("eod_reconciliation")
    assert ev.status == "OK", ev.errors
    report = EodReport.objects.get(account=account, trading_day=date(2026, 12, 2))
    assert report.realised_pnl == realised and report.broker_checked and report.mismatches == 0
    assert (report.orders_total, report.orders_complete, report.orders_archived) == (3, 2, 2)
    run_job("eod_reconciliation")
    assert EodReport.objects.filter(account=account).count() == 1
    rows = list(csv.DictReader(io.StringIO(eod.eod_csv(eod.eod_reports(user=user)))))
    assert rows and rows[0]["realised_pnl"] == f"{realised:.2f}" and rows[0]["account"] == account.name


def test_eod_is_skipped_on_a_holiday(run_job, travel_to):
    travel_to("2026-12-25 15:30 IST")
    assert run_job("eod_reconciliation").status == "SKIPPED"
    assert not EodReport.objects.exists()


def test_square_off_phases_follow_the_brokers_times():
    from datetime import time

    assert square_off.phase("NFO", time(15, 14)) == ""
    assert square_off.phase("NFO", time(15, 15)) == "warn"
    assert square_off.phase("NFO", time(15, 20)) == "start"
    assert square_off.phase("NFO", time(15, 24)) == "forced"
    assert square_off.phase("NSE", time(15, 15)) == "start"  # equity: Zerodha squares off at 15:20
    assert square_off.phase("NSE", time(15, 19)) == "forced"


def test_mis_square_off_warns_then_exits_through_the_pipeline(user, account, fut, place, run_job, travel_to):
    clock = travel_to("2026-12-02 14:00 IST", tick=True)
    place(product="MIS")
    place(product="NRML")  # not intraday: never squared off
    clock.move_to("2026-12-02 15:16 IST")
    ev = run_job("mis_square_off")
    assert ev.did["warned"] == [user.pk]
    run_job("mis_square_off")
    assert Alert.objects.filter(user=user, type="SQUARE_OFF_WARNING").count() == 1
    clock.move_to("2026-12-02 15:20 IST")
    ev = run_job("mis_square_off")
    assert ev.status == "OK", ev.errors
    [exit_id] = ev.did["exited_start"]
    exit_order = Order.objects.get(pk=exit_id)
    assert exit_order.role == "EXIT" and exit_order.events.first().actor == square_off.ACTOR
    assert Position.objects.get(account=account, product="MIS").quantity == 0
    assert Position.objects.get(account=account, product="NRML").quantity == 75
    assert "exited_start" not in run_job("mis_square_off").did  # nothing left


def test_mis_square_off_forced_cancels_working_orders_and_exits(user, account, fut, place, run_job, travel_to):
    clock = travel_to("2026-12-02 14:00 IST", tick=True)
    place(product="MIS")
    working = place(product="MIS", transaction_type="SELL", order_type="LIMIT", price=D("25000"))
    assert working.status == "OPEN"
    clock.move_to("2026-12-02 15:24 IST")
    ev = run_job("mis_square_off")
    assert ev.did["cancelled"] == [working.pk] and len(ev.did["exited_forced"]) == 1
    assert Position.objects.get(account=account, product="MIS").quantity == 0


def test_square_off_skips_a_holiday(run_job, travel_to):
    travel_to("2026-12-25 15:20 IST")
    assert run_job("mis_square_off").status == "SKIPPED"


def test_snapshots_api_and_the_m2m_chart(user, api, other_api, fut, place, run_job, travel_to):
    from django.test import Client

    travel_to("2026-12-02 10:02 IST", tick=True)
    strat = services.strategy_create(user=user, name="chart", preset="aggressive")
    place(strategy_id=strat.pk)
    run_job("strategy_snapshots")
    rows = api.get(f"/api/v1/strategies/{strat.pk}/snapshots/").json()
    assert len(rows) == 1 and rows[0]["positions"] == 1
    assert api.get(f"/api/v1/strategies/{strat.pk}/snapshots/?date=2026-12-01").json() == []
    assert other_api.get(f"/api/v1/strategies/{strat.pk}/snapshots/").status_code == 404
    c = Client()
    c.force_login(user)
    page = c.get(f"/strategies/settings/?strategy={strat.pk}").content.decode()
    assert 'id="m2m-chart-data"' in page and '"10:00"' in page
