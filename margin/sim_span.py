"""The simulated market's own daily SPAN file, so paper accounts run the real path (file -> tables -> engine).

`sim_span_publish(day)` builds, for every active NFO/BFO future and option of the instrument master not yet
expired, the synthetic risk array the engine would build itself (margin/sources.py: the simulated market's
underlying level and ATM volatility at 09:00 IST that day, NSE's published scan parameters, docs/span.md), the
published calendar spreads per underlying, and the underlyings' spot; writes them in NSE's layout
(margin.span.writer) as `nsccl.YYYYMMDD.sim.spn` and imports it (`import_span`, source SIM). Arrays are then
those of the morning, as NSE's BOD file's are until its intraday revisions. Run by `manage.py publish_sim_span`,
and on beat (`sim_span_publish_due`, task margin.sim_span_publish, django-celery-beat rows from margin 0008): at the
top of every hour 09:00-15:00 IST Mon-Fri, publishing once per trading day of NSE's calendar (holidays and weekends
skipped) and never over a complete file already imported for the day (NSE's own, imported at 08:30, or the first run's).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from .span.synthetic import synthetic_commodity
from .span.writer import write_span

IST = ZoneInfo("Asia/Kolkata")
PUBLISH_TIME = time(9, 0)


@dataclass(frozen=True)
class Published:
    path: Path | None
    contracts: int
    file_id: int | None


def sim_span_publish(day: date | None = None, *, out_dir: Path | None = None, do_import: bool = True) -> Published:
    from marketdata.models import Instrument

    from . import sources
    from .span_import import import_span_file
    from .span_models import SpanFile

    day = day or timezone.localdate()
    at = datetime.combine(day, PUBLISH_TIME, IST)
    rows = Instrument.objects.filter(
        exchange__in=("NFO", "BFO"), instrument_type__in=("FUT", "CE", "PE"), is_active=True, expiry__gte=day
    ).order_by("name", "expiry", "strike")
    contracts, spot, months, index = [], {}, {}, {}
    for inst in rows.iterator():
        if inst.instrument_type != "FUT" and not inst.strike:
            continue
        contract, price, ri = sources._synthetic(inst, at, day)
        contracts.append(contract)
        spot.setdefault(contract.underlying, ri.spot)
        index[contract.underlying] = ri.is_index
        if inst.instrument_type == "FUT":
            months.setdefault(contract.underlying, {})[f"{contract.expiry:%Y%m}"] = Decimal(price)
    commodities = {
        name: synthetic_commodity(name, sorted(m.items()), index=index.get(name, True))
        for name, m in months.items()
        if len(m) > 1
    }
    directory = out_dir or Path(tempfile.mkdtemp(prefix="sim_span_"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"nsccl.{day:%Y%m%d}.sim.spn"
    with path.open("w", encoding="latin-1", newline="\r\n") as fh:
        count = write_span(
            fh, business_date=day, created=f"{at:%Y%m%d%H%M}", contracts=contracts, spot=spot, commodities=commodities
        )
    file_id = None
    if do_import and count:
        file_id = import_span_file(path, source=SpanFile.Source.SIM, replace=True).file.pk
    if out_dir is None:
        path.unlink()
        directory.rmdir()
        return Published(None, count, file_id)
    return Published(path, count, file_id)


def sim_span_publish_due(*, now: datetime | None = None) -> dict[str, object]:
    """Beat's run: today's simulated SPAN file unless today is no NSE trading day or a complete file for today is
    already imported (the day's NSE file, or an earlier run's: idempotent). Returns what it did."""
    from marketdata import calendar as mcal

    from .span_models import SpanFile

    day = timezone.localdate(now or timezone.now(), IST)
    if not mcal.is_trading_day("NSE", day):
        return {"day": day.isoformat(), "skipped": "not a trading day"}
    existing = SpanFile.objects.filter(business_date=day, complete=True).order_by("-id").first()
    if existing is not None:
        return {"day": day.isoformat(), "skipped": f"{existing.source} file #{existing.pk} already imported"}
    done = sim_span_publish(day)
    return {"day": day.isoformat(), "contracts": done.contracts, "file_id": done.file_id}
