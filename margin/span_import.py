"""Import a SPAN file into the tables (margin/span_models.py), streaming.

`import_span_file(path)` reads NSE Clearing's `.spn` (or a `.zip` holding it) with the streaming
parser (margin.span.parser.iter_span: each contract element is turned into numbers and freed), and
writes the contracts in batches of `BATCH` rows, each batch its own short transaction, so a full
~60 MB file (~140k contracts) never sits in memory and never holds the database's write lock for
long. The file row becomes `complete` (visible to the engine) only after the last batch; a failed
import leaves an incomplete row that nothing reads (and that the next import of the same file
replaces). The same file (by SHA-256) imported twice is refused unless `replace=True`.
Used by `manage.py import_span FILE` and by the daily NSE folder task (margin.nse_files).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from .errors import SpanFileInvalid
from .span.parser import SpanParseError, SpotPrice, iter_span
from .span.types import CombinedCommodity, Contract, ContractKind, SpanFileInfo
from .span_models import SpanCommodity, SpanContract, SpanFile

BATCH = 5000


@dataclass(frozen=True)
class ImportResult:
    file: SpanFile
    contracts: int
    underlyings: int
    seconds: float

    def __str__(self) -> str:
        f = self.file
        return (
            f"Imported {f.file_name}: business date {f.business_date}, {self.contracts} contracts, "
            f"{self.underlyings} underlyings in {self.seconds:.1f} s (file #{f.pk})."
        )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _spreads(cc: CombinedCommodity) -> list[Any]:
    return [
        [s.priority, str(s.rate), s.charge_method, [[leg.period, leg.side, str(leg.ratio)] for leg in s.legs]]
        for s in cc.spreads
    ]


_COLUMNS = (
    "file_id", "underlying", "kind", "expiry", "strike", "period", "contract_id", "price", "delta", "volatility",
    "price_scan", "vol_scan", "composite_delta", "risk_array",
)  # fmt: skip


def _dec(value: Any) -> Any:
    return value  # Decimal (or None): both database adapters take it as is


def _row(file_id: int, c: Contract) -> tuple[Any, ...]:
    """One SpanContract row as the INSERT's parameters (plain values: no model instance per contract)."""
    return (
        file_id,
        c.underlying,
        c.kind.value,
        c.expiry,
        _dec(c.strike),
        c.period[:8],
        c.contract_id[:24],
        c.price,
        _dec(c.delta),
        _dec(c.volatility),
        _dec(c.scan_rate.price_scan) if c.scan_rate else None,
        _dec(c.scan_rate.vol_scan) if c.scan_rate else None,
        c.risk_array.composite_delta,
        ",".join(map(str, c.risk_array.values)),
    )


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """One executemany per batch, in its own transaction (Django's bulk_create costs a model instance a row)."""
    table = connection.ops.quote_name(SpanContract._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def import_span_file(
    path: str | Path,
    *,
    source: str = SpanFile.Source.NSE,
    replace: bool = False,
    business_date: date | None = None,
) -> ImportResult:
    """Stream the file into the tables; returns what was imported (its str is a one-line summary)."""
    path = Path(path)
    if not path.is_file():
        raise SpanFileInvalid(f"No such file: {path}.", details={"path": str(path)})
    started = time.perf_counter()
    digest = _sha256(path)
    earlier = SpanFile.objects.filter(sha256=digest)
    if earlier.filter(complete=True).exists() and not replace:
        raise SpanFileInvalid(
            f"{path.name} was already imported (file #{earlier.first().pk}); pass --replace to import it again.",
            details={"sha256": digest},
        )
    earlier.delete()  # an incomplete earlier attempt, or the one being replaced
    row = SpanFile.objects.create(file_name=path.name[:255], sha256=digest, source=source)
    batch: list[tuple[Any, ...]] = []
    commodities: dict[str, SpanCommodity] = {}
    spots: dict[str, Any] = {}
    count = 0
    info: SpanFileInfo | None = None
    try:
        for item in iter_span(path):
            if isinstance(item, Contract):
                if item.kind is ContractKind.PHYSICAL:
                    continue
                batch.append(_row(row.pk, item))
                if len(batch) >= BATCH:
                    _insert(batch)
                    count += len(batch)
                    batch = []
            elif isinstance(item, SpotPrice):
                spots[item.underlying] = item.price
            elif isinstance(item, CombinedCommodity):
                commodities[item.code] = SpanCommodity(
                    file_id=row.pk,
                    code=item.code[:32],
                    name=item.name[:120],
                    som_rate=item.som_rate,
                    spreads=_spreads(item),
                )
            elif isinstance(item, SpanFileInfo):
                info = item
    except (SpanParseError, SyntaxError, ValueError) as exc:  # ElementTree's ParseError is a SyntaxError
        SpanFile.objects.filter(pk=row.pk).delete()
        raise SpanFileInvalid(f"{path.name} is not a readable SPAN file: {exc}", details={"path": str(path)}) from exc
    if batch:
        _insert(batch)
        count += len(batch)
    if count == 0:
        SpanFile.objects.filter(pk=row.pk).delete()
        raise SpanFileInvalid(f"{path.name} holds no futures or options.", details={"path": str(path)})
    for code, spot in spots.items():
        commodities.setdefault(code, SpanCommodity(file_id=row.pk, code=code[:32]))
        commodities[code].spot = spot
    day = business_date or (info.business_date if info else None)
    with transaction.atomic():
        SpanCommodity.objects.bulk_create(list(commodities.values()))
        row.business_date = day
        row.created = (info.created if info else "")[:16]
        row.is_settlement = bool(info and info.is_settlement)
        row.file_format = (info.file_format if info else "")[:8]
        row.contracts = count
        row.underlyings = len(commodities)
        row.seconds = time.perf_counter() - started
        row.complete = True
        row.save()
    from . import span_store

    span_store.clear_cache()
    return ImportResult(row, count, len(commodities), row.seconds)
