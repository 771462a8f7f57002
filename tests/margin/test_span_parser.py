"""The streaming SPAN XML parser on tests/margin/data/t7.spn (built from TEST CASE T7)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from margin.span.parser import ScenarioTable, SpanParseError, SpotPrice, iter_span, parse_span
from margin.span.types import CombinedCommodity, Contract, ContractKind, SpanFileInfo

T7_FILE = Path(__file__).parent / "data" / "t7.spn"
T7_ARRAY = [
    Decimal(v)
    for v in "8.72 8.72 -736.49 -736.49 753.93 753.93 -1481.70 -1481.70 1499.14 1499.14 "
    "-2226.91 -2226.91 2244.36 2244.36 -1561.89 1568.00".split()
]


@pytest.fixture(scope="module")
def data():
    return parse_span(T7_FILE)


def test_file_header(data):
    assert data.info == SpanFileInfo("4.00", "202606250830", date(2026, 6, 25), False)


def test_scenarios_from_point_defs(data):
    assert len(data.scenarios) == 16
    assert [s.point for s in data.scenarios] == list(range(1, 17))
    s13, s15, s16 = data.scenarios[12], data.scenarios[14], data.scenarios[15]
    assert (s13.price_move, s13.vol_move, s13.cover) == (Decimal(-1), 1, Decimal(1))
    assert (s15.price_move, s15.vol_move, s15.cover) == (Decimal(2), 0, Decimal("0.35"))
    assert (s16.price_move, s16.cover) == (Decimal(-2), Decimal("0.35"))


def test_combined_commodity(data):
    nifty = data.commodities["NIFTY"]
    assert nifty.som_rate == 0
    (spread,) = nifty.spreads
    assert spread.rate == Decimal("425") and spread.priority == 1 and spread.charge_method == "F"
    assert [(leg.period, leg.side, leg.ratio) for leg in spread.legs] == [("202606", "A", 1), ("202607", "B", 1)]
    assert [t.number for t in nifty.intra_tiers] == [1, 2]


def test_contracts(data):
    assert data.spot == {"NIFTY": Decimal("24050.35")}
    assert len(data.contracts) == 4
    fut = data.contract("NIFTY", ContractKind.FUTURE, date(2026, 6, 30))
    assert fut.price == Decimal("24051.80")
    assert list(fut.risk_array.losses()) == T7_ARRAY
    assert fut.risk_array.composite_delta == 1
    assert fut.scan_rate.price_scan == Decimal("2234.01") and fut.scan_rate.vol_scan == Decimal("0.04")
    assert fut.month == "202606" and fut.contract_id == "101"
    call = data.contract("NIFTY", ContractKind.CALL, date(2026, 6, 30), Decimal("24000"))
    assert call.price == Decimal("194.50") and call.delta == Decimal("0.5774") and call.volatility == Decimal("0.14")
    assert call.risk_array.composite_delta == Decimal("0.577377")
    assert call.scan_rate.price_scan == Decimal("2234.01")
    put = data.contract("NIFTY", ContractKind.PUT, date(2026, 6, 30), Decimal("24000"))
    assert put.risk_array.losses()[15] == Decimal("-1497.11")


def test_iter_span_streams_in_file_order():
    kinds = [type(item) for item in iter_span(T7_FILE)]
    assert kinds[0] is ScenarioTable or kinds[0] is SpanFileInfo
    assert kinds.count(Contract) == 4 and kinds.count(CombinedCommodity) == 1 and kinds.count(SpotPrice) == 1


def test_zip_and_bytes_inputs(tmp_path):
    raw = T7_FILE.read_bytes()
    archive = tmp_path / "nsccl.20260625.i01.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("nsccl.20260625.i01.spn", raw)
    assert len(parse_span(archive).contracts) == 4
    assert len(parse_span(raw).contracts) == 4
    assert len(parse_span(io.BytesIO(raw)).contracts) == 4


def test_short_risk_array_is_refused():
    raw = T7_FILE.read_text(encoding="latin-1").replace("<a>1568.00</a>", "", 1)
    with pytest.raises(SpanParseError, match="15 risk-array values"):
        parse_span(raw.encode("latin-1"))


def test_values_finer_than_the_array_unit_are_refused():
    raw = T7_FILE.read_text(encoding="latin-1").replace("<a>1568.00</a>", "<a>1568.000001</a>", 1)
    with pytest.raises(ValueError, match="decimals"):
        parse_span(raw.encode("latin-1"))


def test_each_series_keeps_its_own_expiry():
    text = T7_FILE.read_text(encoding="latin-1")
    start, end = text.index("<series>"), text.index("</series>") + len("</series>")
    july = (
        text[start:end]
        .replace("<pe>202606</pe><setlDate>20260630</setlDate>", "<pe>202607</pe><setlDate>20260728</setlDate>")
        .replace("<k>24000</k>", "<k>24500</k>")
    )
    data = parse_span((text[:end] + july * 3 + text[end:]).encode("latin-1"))
    jul = [c for c in data.contracts.values() if c.kind.is_option and c.strike == Decimal("24500")]
    jun = [c for c in data.contracts.values() if c.kind.is_option and c.strike == Decimal("24000")]
    assert len(jul) == 2 and {c.expiry for c in jul} == {date(2026, 7, 28)} and {c.month for c in jul} == {"202607"}
    assert len(jun) == 2 and {c.expiry for c in jun} == {date(2026, 6, 30)}


def test_only_wanted_underlyings():
    assert parse_span(T7_FILE, underlyings=["BANKNIFTY"]).contracts == {}
    assert parse_span(T7_FILE, underlyings=["BANKNIFTY"]).commodities == {}
    assert len(parse_span(T7_FILE, underlyings=["nifty"]).contracts) == 4
