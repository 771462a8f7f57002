"""The simulated market publishes its own SPAN file: written in NSE's layout, imported, read by the engine."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from margin import selectors as ms
from margin import sources, span_store
from margin.models import SpanFile
from margin.span import parse_span
from marketdata.models import Instrument
from tests.orders.conftest import _paper_account

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
DAY = date(2026, 12, 2)
IST = ZoneInfo("Asia/Kolkata")


def _inst(token, type_, expiry, strike=None):
    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=f"NIFTYSIM{token}{type_}",
        name="NIFTY",
        last_price=D("100"),
        expiry=expiry,
        strike=D(strike) if strike else None,
        tick_size=D("0.05"),
        lot_size=75,
        instrument_type=type_,
        segment="NFO-FUT" if type_ == "FUT" else "NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


def test_publish_sim_span_writes_nse_layout_and_paper_reads_it(tmp_path, user, travel_to):
    span_store.clear_cache()
    sources.clear_cache()
    near, far = DAY + timedelta(days=28), DAY + timedelta(days=56)
    fut, fut2 = _inst(6001, "FUT", near), _inst(6002, "FUT", far)
    ce = _inst(6003, "CE", near, "26000")
    call_command("publish_sim_span", "--date", DAY.isoformat(), "--out", str(tmp_path))
    path = tmp_path / f"nsccl.{DAY:%Y%m%d}.sim.spn"
    data = parse_span(path)  # NSE's parser reads the simulated market's file
    assert data.info.business_date == DAY and len(data.contracts) == 3 and "NIFTY" in data.spot
    assert data.commodities["NIFTY"].spreads  # the published calendar spread between the two months
    f = SpanFile.objects.get(business_date=DAY)
    assert f.source == "SIM" and f.complete and f.contracts == 3
    account = _paper_account(user)
    at = datetime.combine(DAY, datetime.min.time(), IST).replace(hour=11)
    travel_to(at)
    m = ms.order_margin(account, [ms.MarginOrder(ce, "SELL", 75), ms.MarginOrder(fut, "BUY", 75)], at=at)
    assert m.after.source == f"span-file:{DAY.isoformat()}"
    # The file's array is what the engine would have built at publication (09:00 IST) from the same market.
    filed = data.contracts[next(k for k in data.contracts if k.kind.value == "FUT" and k.expiry == near)]
    built, _, _ = sources._synthetic(fut, datetime.combine(DAY, datetime.min.time(), IST).replace(hour=9), DAY)
    assert filed.risk_array.values == built.risk_array.values
    spread = ms.order_margin(account, [ms.MarginOrder(fut, "BUY", 75), ms.MarginOrder(fut2, "SELL", 75)], at=at)
    assert 0 < spread.basket.span < spread.initial.span


def test_beat_publishes_the_sim_span_file_once_per_trading_day(travel_to):
    """django-celery-beat runs margin.sim_span_publish hourly 09:00-15:00 IST on weekdays (margin 0008); the task
    publishes once per NSE trading day and skips holidays, weekends and a day whose file is already imported."""
    import importlib

    from celery import current_app
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from margin.tasks import SIM_SPAN_TASK, margin_sim_span_publish_task

    migration = importlib.import_module("margin.migrations.0008_schedule_sim_span")
    migration.schedule(apps, None)  # again: idempotent (by name)
    (row,) = PeriodicTask.objects.filter(task=SIM_SPAN_TASK)
    assert row.enabled and SIM_SPAN_TASK in current_app.tasks
    cron = row.crontab
    assert (cron.minute, cron.hour, cron.day_of_week, str(cron.timezone)) == ("0", "9-15", "1-5", "Asia/Kolkata")

    span_store.clear_cache()
    sources.clear_cache()
    _inst(6101, "FUT", DAY + timedelta(days=28))
    travel_to(datetime(2026, 12, 25, 9, 0, tzinfo=IST))  # Christmas, a Friday: NSE is closed
    assert margin_sim_span_publish_task.apply().get() == {"day": "2026-12-25", "skipped": "not a trading day"}
    travel_to(datetime(2026, 12, 5, 9, 0, tzinfo=IST))  # a Saturday (beat does not wake; the task refuses too)
    assert margin_sim_span_publish_task.apply().get()["skipped"] == "not a trading day"
    assert not SpanFile.objects.exists()

    travel_to(datetime.combine(DAY, time(9, 0), IST))  # Wednesday 2 Dec 2026, 09:00 IST
    done = margin_sim_span_publish_task.apply().get()
    f = SpanFile.objects.get(business_date=DAY)
    assert done == {"day": DAY.isoformat(), "contracts": 1, "file_id": f.pk} and f.source == "SIM" and f.complete
    travel_to(datetime.combine(DAY, time(10, 0), IST))  # the next hour: already published, nothing replaced
    assert margin_sim_span_publish_task.apply().get()["skipped"] == f"SIM file #{f.pk} already imported"
    assert SpanFile.objects.get().pk == f.pk

    next_day = DAY + timedelta(days=1)  # NSE's own file came first (the 08:30 import): the simulated one stays out
    SpanFile.objects.filter(pk=f.pk).update(business_date=next_day, source="NSE")
    travel_to(datetime.combine(next_day, time(9, 0), IST))
    assert margin_sim_span_publish_task.apply().get()["skipped"] == f"NSE file #{f.pk} already imported"
    assert SpanFile.objects.count() == 1
