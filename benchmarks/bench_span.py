"""SPAN engine speed: basket margin for 50 legs, and parse time + peak RSS of a full-size .spn file.

    .venv/bin/python benchmarks/bench_span.py [--keep]

Targets (issue #10): basket < 20 ms (median), parse < 60 s and < 500 MB RSS for a ~60 MB file.
The file is generated in a temp dir in NSE's layout (reference data §3.2: ~50–57 MB, ~2.2 M
risk-array values) and parsed in a child process so its peak RSS is the parser's own.
Prints figures only (targets are checked by reading them, never by timed assertions).
"""

from __future__ import annotations

import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from margin.span.engine import portfolio_margin  # noqa: E402
from margin.span.parser import parse_span  # noqa: E402
from margin.span.synthetic import synthetic_future, synthetic_option  # noqa: E402
from margin.span.types import (  # noqa: E402
    CombinedCommodity,
    ContractKind,
    DeltaSpread,
    Position,
    SpreadLeg,
)

AS_OF = date(2025, 8, 8)
UNDERLYINGS = 229  # ~239 ccDefs in a real file, most of them stocks with fewer strikes
SERIES = 3
OPTIONS_PER_SERIES = 200  # strikes x 2 (C/P)


def basket() -> tuple[list[Position], dict[str, CombinedCommodity], dict[str, Decimal]]:
    rng = random.Random(7)
    spot = {"NIFTY": Decimal("24500.00"), "BANKNIFTY": Decimal("55181.05")}
    expiries = [date(2025, 8, 28), date(2025, 9, 30)]
    positions = []
    for name, step in (("NIFTY", 50), ("BANKNIFTY", 100)):
        for expiry in expiries:
            positions.append(
                Position(
                    synthetic_future(
                        underlying=name,
                        expiry=expiry,
                        price=spot[name] * Decimal("1.003"),
                        underlying_price=spot[name],
                        as_of=AS_OF,
                    ),
                    rng.choice([-1, 1]) * 75,
                )
            )
        atm = int(spot[name]) // step * step
        for i in range(12):
            for kind in (ContractKind.CALL, ContractKind.PUT):
                strike = Decimal(atm + (i - 5) * step)
                positions.append(
                    Position(
                        synthetic_option(
                            underlying=name,
                            kind=kind,
                            expiry=expiries[i % 2],
                            strike=strike,
                            premium=Decimal("150"),
                            underlying_price=spot[name],
                            volatility=Decimal("0.15"),
                            as_of=AS_OF,
                        ),
                        rng.choice([-2, -1, 1, 2]) * 35,
                    )
                )
    positions = positions[:50]
    spreads = (DeltaSpread(1, Decimal("425"), (SpreadLeg("20250828", "A"), SpreadLeg("20250930", "B"))),)
    commodities = {name: CombinedCommodity(name, spreads=spreads) for name in spot}
    return positions, commodities, spot


def bench_basket(runs: int = 300) -> None:
    positions, commodities, spot = basket()
    assert len(positions) == 50
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        portfolio_margin(positions, commodities=commodities, spot=spot, as_of=AS_OF)
        times.append(time.perf_counter() - t0)
    print(
        f"basket margin, 50 legs: median {statistics.median(times) * 1e3:.3f} ms, "
        f"p95 {sorted(times)[int(0.95 * runs)] * 1e3:.3f} ms over {runs} runs (target < 20 ms)"
    )


def _ra(rng: random.Random, scale: float) -> str:
    # One value a line, indented, as a pretty-printed file has them (brings the size to NSE's ~60 MB).
    vals = "".join(f"\n  <a>{rng.uniform(-scale, scale):.2f}</a>" for _ in range(16))
    return f"\n  <ra><r>1</r>{vals}\n  <d>{rng.uniform(-1, 1):.6f}</d>\n  </ra>"


def write_full_file(path: Path) -> tuple[int, int]:
    """A file in NSE's layout with ~2.2 M risk-array values. Returns (contracts, bytes)."""
    rng = random.Random(42)
    contracts = 0
    expiries = [AS_OF + timedelta(days=20 + 30 * i) for i in range(SERIES)]
    with path.open("w", encoding="latin-1", newline="\r\n") as fh:
        w = fh.write
        w(
            '<?xml version="1.0" encoding="ISO-8859-1"?>\n<spanFile>\n<fileFormat>4.00</fileFormat>'
            "<created>202508080830</created>\n<pointInTime><date>20250808</date><isSetl>0</isSetl>\n"
            "<clearingOrg><ec>NSCCL</ec><pointDef>\n"
        )
        for point in range(1, 17):
            num = [0, 0, 1, 1, -1, -1, 2, 2, -2, -2, 3, 3, -3, -3, 6, -6][point - 1]
            vol = 0 if point > 14 else (1 if point % 2 else -1)
            weight = "0.35" if point > 14 else "1.0"
            w(
                f"<scanPointDef><point>{point}</point><priceScanDef><mult>1</mult><numerator>{num}</numerator>"
                f"<denominator>3</denominator></priceScanDef><volScanDef><mult>1</mult><numerator>{vol}</numerator>"
                f"<denominator>1</denominator></volScanDef><weight>{weight}</weight></scanPointDef>\n"
            )
        w("</pointDef>\n")
        names = [f"SYM{i:03d}" for i in range(UNDERLYINGS)]
        for name in names:
            pes = "".join(
                f"<pLeg><cc>{name}</cc><pe>{e:%Y%m}</pe><rs>{side}</rs><i>1</i></pLeg>"
                for e, side in ((expiries[0], "A"), (expiries[1], "B"))
            )
            w(
                f"<ccDef><cc>{name}</cc><name>{name}</name><currency>INR</currency><somMeth>GROSS</somMeth>"
                f"<dSpread><spread>1</spread><chargeMeth>F</chargeMeth><rate><r>1</r><val>30</val></rate>{pes}</dSpread>"
                "<somTiers><tier><tn>1</tn><rate><r>1</r><val>0</val></rate></tier></somTiers></ccDef>\n"
            )
        w("<interSpreads/>\n<exchange><exch>NSE</exch>\n")
        for name in names:
            price = rng.uniform(100, 50000)
            psr = price * 0.142
            w(
                f"<phyPf><pfId>1</pfId><pfCode>{name}</pfCode><cvf>1</cvf><phy><cId>1</cId><pe>00000000</pe>"
                f"<p>{price:.2f}</p></phy></phyPf>\n"
            )
            w(f"<futPf><pfId>2</pfId><pfCode>{name}</pfCode><cvf>1</cvf>\n")
            for e in expiries:
                contracts += 1
                w(
                    f"<fut><cId>{contracts}</cId><pe>{e:%Y%m}</pe><setlDate>{e:%Y%m%d}</setlDate><p>{price:.2f}</p>"
                    f"<d>1</d><v>0</v><t>0.1</t><cvf>1</cvf><scanRate><r>1</r><priceScan>{psr:.2f}</priceScan>"
                    f"<volScan>0.10</volScan></scanRate>{_ra(rng, psr)}</fut>\n"
                )
            w("</futPf>\n")
            w(
                f"<oopPf><pfId>3</pfId><pfCode>{name}</pfCode><cvf>1</cvf><priceModel>BS</priceModel>"
                "<exercise>EURO</exercise>\n"
            )
            for e in expiries:
                w(
                    f"<series><pe>{e:%Y%m}</pe><setlDate>{e:%Y%m%d}</setlDate><t>0.1</t><v>0.2</v>"
                    f"<scanRate><r>1</r><priceScan>{psr:.2f}</priceScan><volScan>0.10</volScan></scanRate>\n"
                )
                for j in range(OPTIONS_PER_SERIES):
                    contracts += 1
                    strike = price * (0.7 + 0.6 * (j // 2) / (OPTIONS_PER_SERIES / 2))
                    w(
                        f"<opt><cId>{contracts}</cId><o>{'CP'[j % 2]}</o><k>{strike:.2f}</k>"
                        f"<p>{rng.uniform(0.05, price * 0.2):.2f}</p><d>{rng.uniform(-1, 1):.4f}</d><v>0.2</v>"
                        f"{_ra(rng, psr)}</opt>\n"
                    )
                w("</series>\n")
            w("</oopPf>\n")
        w("</exchange></clearingOrg></pointInTime></spanFile>\n")
    return contracts, path.stat().st_size


def child_parse(path: str) -> None:
    t0 = time.perf_counter()
    data = parse_span(path)
    elapsed = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"{elapsed:.2f} {peak_mb:.1f} {len(data.contracts)}")


def bench_parse(keep: bool) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench_span_"))
    path = tmp / "nsccl.20250808.i1.spn"
    t0 = time.perf_counter()
    contracts, size = write_full_file(path)
    print(
        f"generated {path} ({size / 1e6:.1f} MB, {contracts} contracts, {contracts * 16 / 1e6:.2f} M "
        f"risk-array values) in {time.perf_counter() - t0:.1f} s"
    )
    out = subprocess.run(
        [sys.executable, __file__, "--parse", str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    elapsed, peak, parsed = float(out[0]), float(out[1]), int(out[2])
    print(f"parse: {elapsed:.1f} s (target < 60 s), peak RSS {peak:.0f} MB (target < 500 MB), {parsed} contracts")
    if keep:
        print(f"kept {path}")
    else:
        path.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--parse":
        child_parse(sys.argv[2])
    else:
        bench_basket()
        bench_parse(keep="--keep" in sys.argv)
