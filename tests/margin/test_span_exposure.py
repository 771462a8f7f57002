"""Exposure margin (reference data §3.6): index 2%, AEL rates (T10), expiry-day +2% (T9)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from margin.span.engine import portfolio_margin
from margin.span.exposure import parse_ael, read_ael
from margin.span.params import NSE_EXPOSURE
from margin.span.types import Contract, ContractKind, Position, RiskArray

EXPIRY = date(2025, 7, 31)
FLAT = RiskArray((0,) * 16, Decimal(0))

# T10: NSE AEL file rows, trade date 20-Aug-2025 (header and rows exact).
AEL_HEADER = (
    "Sr No.,Symbol,Instrument Type,Normal ELM Margin%,Additional ELM% for Trade Date 20-Aug-2025,Total applicable ELM%"
)
AEL = f"""{AEL_HEADER}
1,360ONE,OTH,3.5,0,3.5
2,360ONE,OTM,5.25,0,5.25
141,GRANULES,OTH,3.5,15,18.5
142,GRANULES,OTM,5.25,15,20.25
159,HFCL,OTH,3.5,1.75,5.25
160,HFCL,OTM,5.25,2.63,7.88
345,RELIANCE,OTH,3.5,0,3.5
346,RELIANCE,OTM,5.25,0,5.25
"""


def option(underlying: str, kind: ContractKind, strike: str, premium: str, expiry: date = EXPIRY) -> Contract:
    return Contract(underlying, kind, expiry, Decimal(strike), Decimal(premium), FLAT)


def future(underlying: str, price: str) -> Contract:
    return Contract(underlying, ContractKind.FUTURE, EXPIRY, None, Decimal(price), FLAT)


def exposure(positions, *, spot, as_of=date(2025, 7, 20), elm=None, rule=NSE_EXPOSURE):
    return portfolio_margin(positions, spot=spot, as_of=as_of, elm=elm, exposure_rule=rule)


def test_t9_short_index_option_two_percent_of_spot_notional():
    # T4/T9: NIFTY25JUL25700CE SELL 75, spot 25,682.00 -> exposure 38,523.00 (Kite, July 2025).
    short = Position(option("NIFTY", ContractKind.CALL, "25700", "232.05"), -75)
    pm = exposure([short], spot={"NIFTY": Decimal("25682.00")})
    assert pm.exposure == Decimal("38523.00")
    (line,) = pm.exposure_lines
    assert line.rate == Decimal("0.02") and line.notional == Decimal("1926150.00")


def test_t9_expiry_day_add_on():
    short = Position(option("NIFTY", ContractKind.CALL, "25700", "232.05"), -75)
    pm = exposure([short], spot={"NIFTY": Decimal("25682.00")}, as_of=EXPIRY)
    assert pm.exposure == Decimal("77046.00")  # T9: 2% + 2% on its own expiry day
    assert [line.reason for line in pm.exposure_lines] == ["index", "expiry-day short index option"]
    # The add-on is a parameter (SEBI/HO/MRD/TPD-1/P/CIR/2024/132): switched off, 2% remains.
    off = replace(NSE_EXPOSURE, expiry_day_short_index_option_rate=Decimal(0))
    assert exposure([short], spot={"NIFTY": Decimal("25682.00")}, as_of=EXPIRY, rule=off).exposure == Decimal(
        "38523.00"
    )
    # Before the rule took effect (20 Nov 2024) there is no add-on.
    old = Position(option("NIFTY", ContractKind.CALL, "25700", "232.05", date(2024, 10, 31)), -75)
    assert exposure([old], spot={"NIFTY": Decimal("25682.00")}, as_of=date(2024, 10, 31)).exposure == Decimal(
        "38523.00"
    )


def test_no_add_on_for_long_options_futures_or_other_expiries():
    spot = {"NIFTY": Decimal("25682.00")}
    long_call = Position(option("NIFTY", ContractKind.CALL, "25900", "155.45"), 75)
    assert exposure([long_call], spot=spot, as_of=EXPIRY).exposure == 0  # T4: long leg exposure 0
    fut = Position(future("NIFTY", "25750.00"), 75)
    assert exposure([fut], spot=spot, as_of=EXPIRY).exposure == Decimal("38625.00")  # 2% of futures notional
    later = Position(option("NIFTY", ContractKind.PUT, "25000", "100", date(2025, 8, 28)), -75)
    assert exposure([later], spot=spot, as_of=EXPIRY).exposure == Decimal("38523.00")


def test_t5_banknifty_short_put():
    # T5 (Nov 2020): BANKNIFTY 28300 PE SELL 25 -> exposure 14,386.125 = 2% × 25 × 28,772.25.
    short = Position(option("BANKNIFTY", ContractKind.PUT, "28300", "200"), -25)
    assert exposure([short], spot={"BANKNIFTY": Decimal("28772.25")}).exposure == Decimal("14386.125")


def test_parse_ael_t10():
    table = parse_ael(AEL)
    assert len(table.rows) == 8
    row = table.rows[("HFCL", "OTM")]
    assert (row.normal_pct, row.additional_pct, row.total_pct) == (Decimal("5.25"), Decimal("2.63"), Decimal("7.88"))
    assert table.rate("granules", "oth") == Decimal("0.185")
    assert table.rate("UNKNOWN", "OTH") is None
    with pytest.raises(ValueError, match="not an AEL file"):
        parse_ael("a,b,c\n1,2,3\n")


def test_read_ael_from_disk(tmp_path):
    path = tmp_path / "F_AEL_OPT_CONTRACTS_20082025.CSV"
    path.write_bytes(AEL.replace("\n", "\r\n").encode("latin-1"))
    assert read_ael(path).rows == parse_ael(AEL).rows


def test_stock_rates_from_ael():
    table = parse_ael(AEL)
    spot = {"GRANULES": Decimal("480"), "HFCL": Decimal("80"), "RELIANCE": Decimal("1400"), "TCS": Decimal("3000")}
    fut = Position(future("GRANULES", "482.00"), 1000)
    assert exposure([fut], spot=spot, elm=table).exposure == Decimal("89170.000")  # 18.5% (OTH incl. +15% adhoc)
    near = Position(option("HFCL", ContractKind.CALL, "85", "2"), -1000)
    assert exposure([near], spot=spot, elm=table).exposure == Decimal("4200.0000")  # 5.25% OTH of 80,000
    deep = Position(option("HFCL", ContractKind.CALL, "110", "0.10"), -1000)  # strike > 30% above spot
    pm = exposure([deep], spot=spot, elm=table)
    assert pm.exposure == Decimal("6304.0000") and pm.exposure_lines[0].reason == "AEL OTM"  # 7.88%
    # No AEL row: the published minimum 3.5% (stock futures / short stock options).
    tcs = Position(future("TCS", "3010"), 175)
    assert exposure([tcs], spot=spot, elm=table).exposure == Decimal("18436.250")
    assert exposure([tcs], spot=spot, elm=table).exposure_lines[0].reason == "published minimum OTH"


def test_short_option_without_spot_is_refused():
    with pytest.raises(ValueError, match="no underlying price"):
        exposure([Position(option("NIFTY", ContractKind.PUT, "25000", "10"), -75)], spot={})
