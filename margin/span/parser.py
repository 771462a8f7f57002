"""Streaming parser for NSE Clearing's SPAN risk parameter file (CME PC-SPAN XML, fileFormat 4.00).

Reads the elements listed in reference data §3.2 with `xml.etree.ElementTree.iterparse` and clears
every contract element once read, so a full ~60 MB file never sits in memory as a tree (the result
keeps only the numbers the engine needs). Accepts a `.spn` file, a `.zip` holding one, or any
binary file object. Pure (no Django).

Element map (what is read, where it goes):
- `spanFile/fileFormat`, `created`, `pointInTime/date`, `isSetl`          -> SpanFileInfo
- `clearingOrg/pointDef/scanPointDef` {point, priceScanDef, volScanDef, weight} -> ScenarioDef
- `ccDef` {cc, name, dSpread{spread, chargeMeth, rate/val, pLeg{cc, pe, rs, i}}, somTiers/tier/rate/val,
  intraTiers/tier{tn, sPe, ePe}}                                          -> CombinedCommodity
- `exchange/phyPf` {pfCode, phy{cId, pe, p, ra}}                           -> spot + PHY contract
- `exchange/futPf` {pfCode, fut{cId, pe, setlDate, p, d, v, scanRate, ra{a x16, d}}} -> FUT contracts
- `exchange/oopPf` {pfCode, series{pe, setlDate, v, scanRate, opt{cId, o, k, p, d, v, ra}}} -> options
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, iterparse

from margin.span.params import NSE_SCENARIOS
from margin.span.types import (
    SCENARIO_COUNT,
    CombinedCommodity,
    Contract,
    ContractKind,
    DeltaSpread,
    RiskArray,
    ScanRate,
    ScenarioDef,
    SpanData,
    SpanFileInfo,
    SpreadLeg,
    Tier,
    to_ra_units,
)


class SpanParseError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SpotPrice:
    """The `phy` price of an underlying (the spot the exposure margin is computed on)."""

    underlying: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class ScenarioTable:
    """The file's `pointDef` scan points."""

    scenarios: tuple[ScenarioDef, ...]


def _dec(text: str | None, default: Decimal | None = None) -> Decimal | None:
    if text is None or not text.strip():
        return default
    return Decimal(text.strip())


def _date(text: str | None) -> date | None:
    t = (text or "").strip()
    if len(t) != 8 or not t.isdigit() or t == "00000000":
        return None
    return date(int(t[:4]), int(t[4:6]), int(t[6:]))


def _risk_array(ra: Element | None, where: str) -> RiskArray:
    if ra is None:
        raise SpanParseError(f"{where}: no <ra>")
    values = [to_ra_units(Decimal(a.text.strip())) for a in ra.iter("a") if a.text]
    if len(values) != SCENARIO_COUNT:
        raise SpanParseError(f"{where}: {len(values)} risk-array values, expected {SCENARIO_COUNT}")
    return RiskArray(tuple(values), _dec(ra.findtext("d"), Decimal(0)))


def _scan_rate(parent: Element) -> ScanRate | None:
    sr = parent.find("scanRate")
    if sr is None:
        return None
    return ScanRate(_dec(sr.findtext("priceScan"), Decimal(0)), _dec(sr.findtext("volScan"), Decimal(0)))


def _fraction(el: Element | None) -> Decimal:
    if el is None:
        return Decimal(0)
    num = _dec(el.findtext("numerator"), Decimal(0))
    den = _dec(el.findtext("denominator"), Decimal(1)) or Decimal(1)
    mult = _dec(el.findtext("mult"), Decimal(1))
    return mult * num / den


def _scenario(el: Element) -> ScenarioDef:
    vol = _fraction(el.find("volScanDef"))
    return ScenarioDef(
        point=int(el.findtext("point", "0")),
        price_move=_fraction(el.find("priceScanDef")),
        vol_move=(vol > 0) - (vol < 0),
        cover=_dec(el.findtext("weight"), Decimal(1)),
    )


def _rate_val(el: Element | None) -> Decimal:
    if el is None:
        return Decimal(0)
    return _dec(el.findtext("val"), Decimal(0))


def _cc_def(el: Element) -> CombinedCommodity:
    spreads = []
    for ds in el.iter("dSpread"):
        legs = tuple(
            SpreadLeg(
                period=(leg.findtext("pe") or "").strip(),
                side=(leg.findtext("rs") or "").strip(),
                ratio=_dec(leg.findtext("i"), Decimal(1)),
            )
            for leg in ds.iter("pLeg")
        )
        if len(legs) != 2:
            continue  # only two-legged calendar spreads are defined in NSE files
        spreads.append(
            DeltaSpread(
                priority=int(ds.findtext("spread", "0")),
                rate=_rate_val(ds.find("rate")),
                legs=(legs[0], legs[1]),
                charge_method=(ds.findtext("chargeMeth") or "F").strip(),
            )
        )
    som = Decimal(0)
    som_tiers = el.find("somTiers")
    if som_tiers is not None:
        rates = [_rate_val(t.find("rate")) for t in som_tiers.iter("tier")]
        som = max(rates, default=Decimal(0))
    intra = el.find("intraTiers")
    tiers = ()
    if intra is not None:
        tiers = tuple(
            Tier(int(t.findtext("tn", "0")), (t.findtext("sPe") or "").strip(), (t.findtext("ePe") or "").strip())
            for t in intra.iter("tier")
        )
    return CombinedCommodity(
        code=(el.findtext("cc") or "").strip(),
        name=(el.findtext("name") or "").strip(),
        spreads=tuple(sorted(spreads, key=lambda s: s.priority)),
        som_rate=som,
        intra_tiers=tiers,
    )


def _open(source: str | Path | BinaryIO) -> tuple[BinaryIO, bool]:
    if not isinstance(source, str | Path):
        return source, False
    path = Path(source)
    if path.suffix.lower() == ".zip":
        zf = zipfile.ZipFile(path)
        names = [n for n in zf.namelist() if n.lower().endswith(".spn")]
        if not names:
            raise SpanParseError(f"{path}: no .spn inside")
        return zf.open(names[0]), True
    return open(path, "rb"), True  # closed by iter_span


def iter_span(source: str | Path | BinaryIO, underlyings: Collection[str] | None = None) -> Iterator[object]:
    """Yield SpanFileInfo, ScenarioTable, CombinedCommodity, SpotPrice and Contract
    objects in file order. The building block of `parse_span`; usable to stream into a database.
    `underlyings` keeps only those codes (the rest is still read, but never turned into objects)."""
    fh, owned = _open(source)
    wanted = None if underlyings is None else frozenset(u.upper() for u in underlyings)
    try:
        yield from _iter(fh, wanted)
    finally:
        if owned:
            fh.close()


_RECORDS = frozenset({"opt", "fut", "phy"})


def _iter(fh: BinaryIO, wanted: frozenset[str] | None) -> Iterator[object]:
    stack: list[Element] = []
    fmt = created = ""
    business_date: date | None = None
    is_setl = False
    info_sent = False
    scenarios: list[ScenarioDef] = []
    # The series being read and its fields; holding the element (not its id) so a later series
    # can never be mistaken for a freed one.
    series_el: Element | None = None
    series_info: tuple[date | None, str, ScanRate | None, Decimal | None] = (None, "", None, None)
    pf_code = ""
    for event, el in iterparse(fh, events=("start", "end")):
        tag = el.tag
        if event == "start":
            stack.append(el)
            continue
        stack.pop()
        parent_tag = stack[-1].tag if stack else ""
        if tag in _RECORDS and wanted is not None and pf_code.upper() not in wanted:
            el.clear()
        elif tag == "opt":
            series = stack[-1]
            if series is not series_el:
                pe = (series.findtext("pe") or "").strip()
                expiry = _date(series.findtext("setlDate")) or _date(pe)
                series_el, series_info = series, (expiry, pe, _scan_rate(series), _dec(series.findtext("v")))
            expiry, pe, scan, series_v = series_info
            kind = ContractKind.CALL if (el.findtext("o") or "").strip().upper() == "C" else ContractKind.PUT
            yield Contract(
                underlying=pf_code,
                kind=kind,
                expiry=expiry,
                strike=_dec(el.findtext("k")),
                price=_dec(el.findtext("p"), Decimal(0)),
                risk_array=_risk_array(el.find("ra"), f"{pf_code} opt"),
                contract_id=(el.findtext("cId") or "").strip(),
                delta=_dec(el.findtext("d")),
                volatility=_dec(el.findtext("v"), series_v),
                scan_rate=scan,
                period=pe,
            )
            el.clear()
        elif tag == "fut":
            pe = (el.findtext("pe") or "").strip()
            yield Contract(
                underlying=pf_code,
                kind=ContractKind.FUTURE,
                expiry=_date(el.findtext("setlDate")) or _date(pe),
                strike=None,
                price=_dec(el.findtext("p"), Decimal(0)),
                risk_array=_risk_array(el.find("ra"), f"{pf_code} fut"),
                contract_id=(el.findtext("cId") or "").strip(),
                delta=_dec(el.findtext("d")),
                volatility=_dec(el.findtext("v")),
                scan_rate=_scan_rate(el),
                period=pe,
            )
            el.clear()
        elif tag == "phy":
            price = _dec(el.findtext("p"), Decimal(0))
            yield SpotPrice(pf_code, price)
            if el.find("ra") is not None:
                yield Contract(
                    underlying=pf_code,
                    kind=ContractKind.PHYSICAL,
                    expiry=None,
                    strike=None,
                    price=price,
                    risk_array=_risk_array(el.find("ra"), f"{pf_code} phy"),
                    contract_id=(el.findtext("cId") or "").strip(),
                    scan_rate=_scan_rate(el),
                    period="",
                )
            el.clear()
        elif tag == "pfCode" and parent_tag in ("phyPf", "futPf", "oopPf"):
            pf_code = (el.text or "").strip()
        elif tag == "series":
            el.clear()
            if stack:
                stack[-1].remove(el)  # the portfolio element would otherwise keep every emptied series
        elif tag in ("phyPf", "futPf", "oopPf"):
            el.clear()
            if stack:
                stack[-1].remove(el)
        elif tag == "ccDef":
            cc = _cc_def(el)
            if wanted is None or cc.code.upper() in wanted:
                yield cc
            el.clear()
            if stack:
                stack[-1].remove(el)
        elif tag == "scanPointDef":
            scenarios.append(_scenario(el))
            el.clear()
        elif tag == "pointDef":
            yield ScenarioTable(tuple(scenarios))
        elif tag == "fileFormat" and parent_tag == "spanFile":
            fmt = (el.text or "").strip()
        elif tag == "created" and parent_tag == "spanFile":
            created = (el.text or "").strip()
        elif tag == "date" and parent_tag == "pointInTime":
            business_date = _date(el.text)
        elif tag == "isSetl" and parent_tag == "pointInTime":
            is_setl = (el.text or "").strip() == "1"
        if not info_sent and tag in ("ec", "pointDef", "ccDef"):
            info_sent = True
            yield SpanFileInfo(fmt, created, business_date, is_setl)


def parse_span(source: str | Path | BinaryIO | bytes, underlyings: Collection[str] | None = None) -> SpanData:
    """Parse a file into SpanData (contracts keyed by underlying, kind, expiry, strike), optionally
    only the given underlyings."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    data = SpanData(info=SpanFileInfo("", "", None, False), scenarios=NSE_SCENARIOS)
    for item in iter_span(source, underlyings):
        if isinstance(item, Contract):
            data.contracts[item.key] = item
        elif isinstance(item, CombinedCommodity):
            data.commodities[item.code] = item
        elif isinstance(item, SpanFileInfo):
            data.info = item
        elif isinstance(item, SpotPrice):
            data.spot[item.underlying] = item.price
        elif isinstance(item, ScenarioTable) and len(item.scenarios) == SCENARIO_COUNT:
            # The file's own point definitions; array values are used as published either way
            # (the 35% cover is already in them, §3.3).
            data.scenarios = item.scenarios
    return data
