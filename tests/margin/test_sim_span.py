"""The simulated market publishes its own SPAN file: written in NSE's layout, imported, read by the engine."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
