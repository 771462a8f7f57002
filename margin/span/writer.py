"""Write a SPAN file in NSE Clearing's published layout (CME PC-SPAN XML 4.00, reference data §3.2). Pure.

Used by the simulated market to publish its own daily file (`manage.py publish_sim_span`), so paper accounts
run the same path as NSE's file (import_span -> tables -> engine). Writes what `margin.span.parser` reads:
file info, the 16 scan points, one ccDef per underlying (dSpreads, SOM), and per underlying a phyPf (spot),
futPf (futures) and oopPf (option series by expiry).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TextIO
from xml.sax.saxutils import escape

from margin.span.params import NSE_SCENARIOS
from margin.span.types import CombinedCommodity, Contract, ContractKind, from_ra_units


def _ra(c: Contract) -> str:
    vals = "".join(f"<a>{from_ra_units(v).quantize(Decimal('0.01'))}</a>" for v in c.risk_array.values)
    return f"<ra><r>1</r>{vals}<d>{c.risk_array.composite_delta}</d></ra>"


def _scan(c: Contract) -> str:
    if c.scan_rate is None:
        return ""
    s = c.scan_rate
    return f"<scanRate><r>1</r><priceScan>{s.price_scan}</priceScan><volScan>{s.vol_scan}</volScan></scanRate>"


def write_span(
    fh: TextIO,
    *,
    business_date: date,
    created: str,
    contracts: Iterable[Contract],
    spot: Mapping[str, Decimal],
    commodities: Mapping[str, CombinedCommodity],
    is_settlement: bool = False,
) -> int:
    """Write the file; returns the number of futures and options written."""
    by: dict[str, list[Contract]] = defaultdict(list)
    for c in contracts:
        by[c.underlying].append(c)
    w = fh.write
    w('<?xml version="1.0" encoding="ISO-8859-1"?>\n<spanFile>\n<fileFormat>4.00</fileFormat>')
    w(f"<created>{escape(created)}</created>\n<pointInTime><date>{business_date:%Y%m%d}</date>")
    w(f"<isSetl>{1 if is_settlement else 0}</isSetl>\n<clearingOrg><ec>NSCCL</ec><pointDef>\n")
    for sc in NSE_SCENARIOS:
        num = (
            int(sc.price_move * 3)
            if sc.price_move == sc.price_move.to_integral_value()
            else round(float(sc.price_move) * 3)
        )
        weight = "0.35" if sc.cover != 1 else "1.0"
        w(
            f"<scanPointDef><point>{sc.point}</point><priceScanDef><mult>1</mult><numerator>{num}</numerator>"
            f"<denominator>3</denominator></priceScanDef><volScanDef><mult>1</mult><numerator>{sc.vol_move}"
            f"</numerator><denominator>1</denominator></volScanDef><weight>{weight}</weight></scanPointDef>\n"
        )
    w("</pointDef>\n")
    for name in sorted(by):
        cc = commodities.get(name) or CombinedCommodity(name, name)
        spreads = "".join(
            f"<dSpread><spread>{s.priority}</spread><chargeMeth>{s.charge_method}</chargeMeth><rate><r>1</r>"
            f"<val>{s.rate}</val></rate>"
            + "".join(
                f"<pLeg><cc>{escape(name)}</cc><pe>{leg.period}</pe><rs>{leg.side}</rs><i>{leg.ratio}</i></pLeg>"
                for leg in s.legs
            )
            + "</dSpread>"
            for s in cc.spreads
        )
        w(
            f"<ccDef><cc>{escape(name)}</cc><name>{escape(name)}</name><currency>INR</currency>"
            f"<somMeth>GROSS</somMeth>{spreads}<somTiers><tier><tn>1</tn><rate><r>1</r><val>{cc.som_rate}</val>"
            "</rate></tier></somTiers></ccDef>\n"
        )
    w("<interSpreads/>\n<exchange><exch>NSE</exch>\n")
    count = 0
    for name in sorted(by):
        group = by[name]
        if name in spot:
            w(f"<phyPf><pfId>1</pfId><pfCode>{escape(name)}</pfCode><cvf>1</cvf><phy><cId>1</cId><pe>00000000</pe>"
              f"<p>{spot[name]}</p></phy></phyPf>\n")  # fmt: skip
        futs = sorted((c for c in group if c.kind is ContractKind.FUTURE), key=lambda c: c.expiry or date.min)
        if futs:
            w(f"<futPf><pfId>2</pfId><pfCode>{escape(name)}</pfCode><cvf>1</cvf>\n")
            for c in futs:
                count += 1
                w(f"<fut><cId>{count}</cId><pe>{c.expiry:%Y%m%d}</pe><setlDate>{c.expiry:%Y%m%d}</setlDate>"
                  f"<p>{c.price}</p><d>1</d><cvf>1</cvf>{_scan(c)}{_ra(c)}</fut>\n")  # fmt: skip
            w("</futPf>\n")
        opts = [c for c in group if c.kind.is_option]
        if opts:
            w(f"<oopPf><pfId>3</pfId><pfCode>{escape(name)}</pfCode><cvf>1</cvf><priceModel>BS</priceModel>"
              "<exercise>EURO</exercise>\n")  # fmt: skip
            series: dict[date, list[Contract]] = defaultdict(list)
            for c in opts:
                series[c.expiry].append(c)  # type: ignore[index]
            for expiry in sorted(series):
                first = series[expiry][0]
                vol = first.volatility if first.volatility is not None else Decimal(0)
                w(f"<series><pe>{expiry:%Y%m%d}</pe><setlDate>{expiry:%Y%m%d}</setlDate><v>{vol}</v>{_scan(first)}\n")
                for c in sorted(series[expiry], key=lambda c: (c.strike, c.kind.value)):
                    count += 1
                    w(f"<opt><cId>{count}</cId><o>{c.kind.value}</o><k>{c.strike}</k><p>{c.price}</p>"
                      f"<v>{vol}</v>{_ra(c)}</opt>\n")  # fmt: skip
                w("</series>\n")
            w("</oopPf>\n")
    w("</exchange></clearingOrg></pointInTime></spanFile>\n")
    return count
