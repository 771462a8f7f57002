"""import_span: the T7 file into the tables, and the engine reading it for its trade date (T7 exact)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from margin import selectors as ms
from margin import span_store
from margin.models import SpanCommodity, SpanContract, SpanFile
from tests.orders.conftest import _paper_account

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

T7 = Path(__file__).parent / "data" / "t7.spn"
T7_DAY = "2026-06-25 10:00 IST"


@pytest.fixture(autouse=True)
def _fresh():
    span_store.clear_cache()
    yield
    span_store.clear_cache()


@pytest.fixture
def account(user):
    return _paper_account(user)


def _nifty(token, symbol, type_, expiry, strike=None):
    from marketdata.models import Instrument

    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=symbol,
        name="NIFTY",
        last_price=D("24000"),
        expiry=expiry,
        strike=D(strike) if strike else None,
        tick_size=D("0.10"),
        lot_size=65,
        instrument_type=type_,
        segment="NFO-FUT" if type_ == "FUT" else "NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


def test_import_span_loads_the_file_with_its_date(capsys):
    call_command("import_span", str(T7))
    out = capsys.readouterr().out
    f = SpanFile.objects.get()
    assert f.complete and f.business_date == date(2026, 6, 25) and f.contracts == 4 and "4 contracts" in out
    fut = SpanContract.objects.get(file=f, kind="FUT", expiry=date(2026, 6, 30))
    assert fut.price == D("24051.80") and fut.price_scan == D("2234.01")
    assert fut.risk_array.split(",")[12] == str(224436 * 100)  # a13 = 2244.36 in 1/10,000 rupee
    nifty = SpanCommodity.objects.get(file=f, code="NIFTY")
    assert nifty.spot == D("24050.35") and nifty.spreads[0][1] == "425"
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_span", str(T7))
    call_command("import_span", str(T7), "--replace")
    assert SpanFile.objects.count() == 1 and SpanContract.objects.count() == 4


def test_a_broken_file_is_refused_and_leaves_nothing(tmp_path):
    bad = tmp_path / "nsccl.20260625.i01.spn"
    bad.write_bytes(T7.read_bytes()[:3000])
    with pytest.raises(CommandError, match="not a readable SPAN file"):
        call_command("import_span", str(bad))
    assert not SpanFile.objects.exists() and not SpanContract.objects.exists()


def test_the_engine_reads_the_days_file_t7_exact(travel_to, account):
    call_command("import_span", str(T7))
    travel_to(T7_DAY)
    jun = _nifty(7001, "NIFTY26JUNFUT", "FUT", date(2026, 6, 30))
    jul = _nifty(7002, "NIFTY26JULFUT", "FUT", date(2026, 7, 28))
    long_ = ms.order_margin(account, [ms.MarginOrder(jun, "BUY", 65)])
    assert long_.after.source == "span-file:2026-06-25"
    assert long_.initial.span == D("145883.40")  # T7: 2244.36 x 65
    assert long_.initial.exposure == (D("24051.80") * 65 * D("0.02")).quantize(D("0.01"))
    short = ms.order_margin(account, [ms.MarginOrder(jun, "SELL", 1)])
    assert short.initial.span == D("2226.91")  # T7: the short's scan risk per unit
    # Calendar spread: long Jun, short Jul: the scan offsets, the file's dSpread charge ₹425 per delta unit.
    spread = ms.order_margin(account, [ms.MarginOrder(jun, "BUY", 65), ms.MarginOrder(jul, "SELL", 65)])
    assert spread.basket.span == D(425 * 65)
    assert spread.initial.span == long_.initial.span + D("2226.91") * 65  # legs alone: no benefit


def test_another_day_goes_synthetic(travel_to, account):
    call_command("import_span", str(T7))
    travel_to("2026-06-26 10:00 IST")
    jun = _nifty(7001, "NIFTY26JUNFUT", "FUT", date(2026, 6, 30))
    m = ms.order_margin(account, [ms.MarginOrder(jun, "BUY", 65)])
    assert m.after.source == "synthetic" and m.initial.span > 0
