"""NSE margin files from the configured folder (#10): SPAN through import_span's code, AEL rates kept in
nse_margin_cache, each file once; a changed ELM (an additional ELM on a stock, T10's GRANULES) raises MARGIN_CHANGE
for the accounts holding it, and their margin is re-read with the new rate."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from alerts.models import Alert
from margin import nse_files
from margin.monitoring_models import MarginSnapshot, NseMarginFile
from margin.tasks import margin_nse_files_import_task
from marketdata.models import Instrument
from portfolio.models import Position
from tests.orders.conftest import _paper_account

pytestmark = pytest.mark.django_db

T7_FILE = Path(__file__).parent / "data" / "t7.spn"
# T10 (reference-data.md): the AEL file's exact header and rows of 20-Aug-2025.
AEL_HEADER = (
    "Sr No.,Symbol,Instrument Type,Normal ELM Margin%,Additional ELM% for Trade Date {day},Total applicable ELM%\n"
)
T10_ROWS = (
    "1,360ONE,OTH,3.5,0,3.5\n2,360ONE,OTM,5.25,0,5.25\n345,RELIANCE,OTH,3.5,0,3.5\n346,RELIANCE,OTM,5.25,0,5.25\n"
)


def _ael(folder: Path, day: date, rows: str) -> Path:
    path = folder / f"F_AEL_OPT_CONTRACTS_{day:%d%m%Y}.CSV"
    path.write_text(AEL_HEADER.format(day=f"{day:%d-%b-%Y}") + rows, encoding="latin-1")
    return path


def test_file_names_are_recognised():
    assert nse_files.classify("nsccl.20260625.i01.spn") == ("SPAN", date(2026, 6, 25))
    assert nse_files.classify("nsccl.20250808.s.zip") == ("SPAN", date(2025, 8, 8))
    assert nse_files.classify("F_AEL_OPT_CONTRACTS_20082025.CSV") == ("AEL", date(2025, 8, 20))
    assert nse_files.classify("notes.txt") is None


def test_the_daily_task_imports_span_and_ael_once(tmp_path, settings):
    settings.NSE_MARGIN_FILES_DIR = str(tmp_path)
    shutil.copy(T7_FILE, tmp_path / "nsccl.20260625.i01.spn")
    _ael(tmp_path, date(2025, 8, 20), T10_ROWS)
    (tmp_path / "F_AEL_OPT_CONTRACTS_21082025.CSV").write_text("not,an,ael\n1,2,3\n")
    done = margin_nse_files_import_task.delay().get()
    assert len(done) == 3
    span = NseMarginFile.objects.get(kind="SPAN")
    assert span.status == "IMPORTED" and span.trade_date == date(2026, 6, 25) and "Imported" in span.detail
    from margin.span_models import SpanFile

    assert SpanFile.objects.filter(file_name="nsccl.20260625.i01.spn", complete=True).exists()
    ael = NseMarginFile.objects.get(kind="AEL", status="IMPORTED")
    assert ael.rates == {"360ONE|OTH": "3.5", "360ONE|OTM": "5.25", "RELIANCE|OTH": "3.5", "RELIANCE|OTM": "5.25"}
    assert NseMarginFile.objects.get(kind="AEL", status="FAILED").file_name.endswith("21082025.CSV")
    assert margin_nse_files_import_task.delay().get() == []  # the same files again: nothing
    assert NseMarginFile.objects.count() == 3


def test_an_additional_elm_raises_margin_change_for_the_accounts_holding_it(
    tmp_path, settings, user, other_user, django_capture_on_commit_callbacks
):
    settings.NSE_MARGIN_FILES_DIR = str(tmp_path)
    mine, theirs = _paper_account(user), _paper_account(other_user)
    expiry = date.today() + timedelta(days=20)
    for token, symbol in ((7001, "RELIANCE"), (7002, "360ONE")):
        Instrument.objects.create(
            instrument_token=token,
            exchange_token=token,
            tradingsymbol=f"{symbol}TESTFUT",
            name=symbol,
            last_price=D("1000"),
            expiry=expiry,
            tick_size=D("0.05"),
            lot_size=500,
            instrument_type="FUT",
            segment="NFO-FUT",
            exchange="NFO",
            freeze_quantity=10000,
            source="demo",
        )
    for account, token in ((mine, 7001), (theirs, 7002)):
        Position.objects.create(
            user=account.user,
            account=account,
            exchange="NFO",
            tradingsymbol="X",
            instrument_token=token,
            product="NRML",
            quantity=500,
            average_price=D("1000"),
        )
    _ael(tmp_path, date(2025, 8, 20), T10_ROWS)
    with django_capture_on_commit_callbacks(execute=True):
        nse_files.nse_files_import()
    assert not Alert.objects.filter(type="MARGIN_CHANGE").exists()  # a first file: nothing to compare with
    before = nse_files.NseMarginFile.objects.get()
    # The next day NSE puts an additional 15% ELM on RELIANCE (as on GRANULES in T10).
    _ael(tmp_path, date(2025, 8, 21), T10_ROWS.replace("345,RELIANCE,OTH,3.5,0,3.5", "345,RELIANCE,OTH,3.5,15,18.5"))
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = nse_files.nse_files_import()
    assert "1 ELM changes" in row.detail and before.file_name in row.detail
    (alert,) = Alert.objects.filter(type="MARGIN_CHANGE")
    assert alert.user_id == user.pk and alert.level == "WARNING" and alert.links == {"account_id": mine.pk}
    assert alert.payload["changes"] == [
        {"symbol": "RELIANCE", "instrument_type": "OTH", "before_pct": "3.5", "after_pct": "18.5"}
    ]
    assert "RELIANCE OTH ELM 3.5% → 18.5%" in alert.message
    # The account's margin was re-read after the change (a REGULATORY snapshot), the other account's not.
    snap = MarginSnapshot.objects.get(account=mine, key=f"nse:{row.pk}")
    assert snap.trigger == "REGULATORY" and snap.total_required > 0
    assert not MarginSnapshot.objects.filter(account=theirs).exists()


def test_an_additional_elm_moves_the_exposure_without_a_span_file(
    tmp_path, settings, user, fake_market, django_capture_on_commit_callbacks, travel_to
):
    """No SPAN file for the day (the engine builds the risk arrays itself): the AEL file's rate is still the
    exposure margin, so an additional ELM on the stock moves the figure and the account is told."""
    from margin import selectors as ms
    from margin import span_store
    from margin.monitoring import snapshot_take
    from margin.span_models import SpanFile

    travel_to("2026-12-02 11:00 IST")  # one instant: the synthetic SPAN part stays put while the ELM moves
    settings.NSE_MARGIN_FILES_DIR = str(tmp_path)
    account = _paper_account(user)
    inst = Instrument.objects.create(
        instrument_token=7101,
        exchange_token=7101,
        tradingsymbol="RELIANCEELMFUT",
        name="RELIANCE",
        last_price=D("1000"),
        expiry=date.today() + timedelta(days=20),
        tick_size=D("0.05"),
        lot_size=500,
        instrument_type="FUT",
        segment="NFO-FUT",
        exchange="NFO",
        freeze_quantity=10000,
        source="demo",
    )
    fake_market.set(inst.instrument_token, "1000")
    Position.objects.create(
        user=user,
        account=account,
        exchange="NFO",
        tradingsymbol=inst.tradingsymbol,
        instrument_token=inst.instrument_token,
        product="NRML",
        quantity=500,
        average_price=D("1000"),
    )
    span_store.clear_cache()
    assert not SpanFile.objects.exists()
    notional = D("1000") * 500
    minimum = ms.account_margin(account)
    assert minimum.source == "synthetic"
    _ael(tmp_path, date(2025, 8, 20), T10_ROWS.replace("345,RELIANCE,OTH,3.5,0,3.5", "345,RELIANCE,OTH,4,0,4"))
    with django_capture_on_commit_callbacks(execute=True):
        nse_files.nse_files_import()
    normal = ms.account_margin(account)
    assert normal.source == "synthetic" and normal.exposure == notional * D("0.04")  # the AEL's 4%, not 3.5%
    assert normal.span == minimum.span
    before = snapshot_take(account, trigger="MANUAL", key="before-elm")
    _ael(tmp_path, date(2025, 8, 21), T10_ROWS.replace("345,RELIANCE,OTH,3.5,0,3.5", "345,RELIANCE,OTH,4,15,19"))
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = nse_files.nse_files_import()
    after = ms.account_margin(account)
    assert after.exposure == notional * D("0.19") and after.span == normal.span
    snap = MarginSnapshot.objects.get(account=account, key=f"nse:{row.pk}")
    assert snap.trigger == "REGULATORY" and snap.exposure == after.exposure > before.exposure
    alerts = {a.title: a for a in Alert.objects.filter(type="MARGIN_CHANGE", user=user)}
    regulatory = alerts.pop("Exchange margin change: RELIANCE")
    assert regulatory.payload["changes"][0]["after_pct"] == "19"
    (moved,) = alerts.values()  # the snapshot's own MARGIN_CHANGE: the required margin went up > 10%
    assert moved.title.startswith("Margin up ") and moved.payload["previous_required"] == str(before.total_required)
