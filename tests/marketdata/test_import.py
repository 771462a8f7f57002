"""Importing Kite's instruments dump: the official mock CSV, kiteconnect-shaped dicts, bad files."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from marketdata.errors import InstrumentFileInvalid
from marketdata.models import Instrument
from marketdata.selectors import quote_for
from marketdata.services import INSTRUMENT_CSV_COLUMNS, instruments_import_rows

pytestmark = pytest.mark.django_db
# The official Kite mock dump lives in shared/ beside the checkout (CI clones main with shared/ beside it).
_ROOT = Path(__file__).resolve().parents[2]
_BESIDE = _ROOT.parent / "shared/kite-mocks/instruments_all.csv"
MOCK = _BESIDE if _BESIDE.exists() else Path("/work/shared/kite-mocks/instruments_all.csv")
HEADER = ",".join(INSTRUMENT_CSV_COLUMNS) + "\n"


def test_import_official_mock_csv(capsys) -> None:  # noqa: ANN001
    call_command("import_instruments", str(MOCK))
    assert Instrument.objects.count() == 99
    opt = Instrument.objects.get(tradingsymbol="BANKNIFTY18JAN23500CE")
    assert opt.instrument_token == 12073986 and opt.exchange == "NFO" and opt.segment == "NFO-OPT"
    assert opt.strike == Decimal("23500") and opt.expiry == date(2018, 1, 25) and opt.lot_size == 40
    assert opt.freeze_quantity == 600 and opt.source == "kite"
    assert Instrument.objects.get(tradingsymbol="CENTRALBK-BE").expiry is None
    assert "99 instruments (99 new, 0 updated)" in capsys.readouterr().out
    call_command("import_instruments", str(MOCK))
    assert "(0 new, 99 updated)" in capsys.readouterr().out
    # Imported (real) rows are still quoted by the simulated venue while they trade (the mock's
    # contracts expired in Jan 2018; after the expiry close the quote is frozen, with no book).
    q = quote_for(opt, datetime(2018, 1, 22, 5, 0, tzinfo=UTC))
    assert q.last_price > 0 and q.best_bid < q.best_ask
    assert quote_for(opt).buy_depth == () and quote_for(opt) == quote_for(opt, datetime(2018, 2, 1, tzinfo=UTC))


def test_gzipped_dump(tmp_path: Path) -> None:
    f = tmp_path / "i.csv.gz"
    f.write_bytes(gzip.compress(MOCK.read_bytes()))
    call_command("import_instruments", str(f))
    assert Instrument.objects.count() == 99


def test_wrong_header_loads_nothing(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("token,symbol\n1,X\n")
    with pytest.raises(CommandError, match="line 1: wrong header"):
        call_command("import_instruments", str(f))
    assert not Instrument.objects.exists()


def test_bad_row_names_line_and_loads_nothing(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER + "408065,1594,INFY,INFOSYS,0,,,0.05,1,EQ,NSE,NSE\n"
        "5720578,22346,NIFTY159500CE,,23.0,2015-12-31,abc,0.05,75,CE,NFO-OPT,NFO\n"
    )
    with pytest.raises(CommandError, match=r"line 3: strike 'abc' is not a number"):
        call_command("import_instruments", str(f))
    assert not Instrument.objects.exists()


def test_skip_invalid_loads_good_rows(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    f = tmp_path / "mixed.csv"
    f.write_text(HEADER + "408065,1594,INFY,INFOSYS,0,,,0.05,1,EQ,NSE,NSE\n1,2,SHORT\n9,9,X,,0,,,0.05,1,ZZ,NSE,NSE\n")
    call_command("import_instruments", str(f), "--skip-invalid")
    out = capsys.readouterr()
    assert "skipped 2 invalid row(s)" in out.out
    assert "line 3: has 3 fields" in out.err and "line 4: instrument_type 'ZZ'" in out.err
    assert list(Instrument.objects.values_list("tradingsymbol", flat=True)) == ["INFY"]


def test_kiteconnect_dicts() -> None:
    rows = [
        {
            "instrument_token": 5720322,
            "exchange_token": "22345",
            "tradingsymbol": "NIFTY15DECFUT",
            "name": "NIFTY",
            "last_price": 78.0,
            "expiry": date(2015, 12, 31),
            "strike": 0.0,
            "tick_size": 0.05,
            "lot_size": 75,
            "instrument_type": "FUT",
            "segment": "NFO-FUT",
            "exchange": "NFO",
        }
    ]
    result = instruments_import_rows(rows)
    assert result.created == 1
    inst = Instrument.objects.get(pk=5720322)
    assert inst.strike is None and inst.freeze_quantity == 1800 and inst.last_price == Decimal("78.00")
    with pytest.raises(InstrumentFileInvalid) as err:
        instruments_import_rows([{**rows[0], "lot_size": -3}])
    assert err.value.details["line"] == 1
