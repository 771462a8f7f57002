"""NSE Clearing's daily margin files from a configured folder (`settings.NSE_MARGIN_FILES_DIR`), once each.

File names (reference-data §3.1, §3.6): SPAN `nsccl.YYYYMMDD.s.spn` / `.i1`..`.i5` (also zipped or
gzipped), AEL `F_AEL_OPT_CONTRACTS_DDMMYYYY.CSV`. Each file is recorded in `nse_margin_cache`
(`NseMarginFile`) by kind and SHA-256, so the daily task can run as often as it likes.

- SPAN: handed to the SPAN importer (`margin.span_import.import_span_file`, the `import_span`
  command's code) when it is installed; without it the file is recorded as SKIPPED, saying so.
- AEL: parsed (`margin.span.exposure.parse_ael`) and its ELM% per symbol kept on the row. Compared
  with the previous AEL file, a symbol whose total ELM% changed (e.g. an additional ELM on a stock) is a
  regulatory change: every account holding a position on that underlying gets a MARGIN_CHANGE alert
  with the old and new rates and a fresh margin snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from alerts.services import alert_raise
from alerts.types import AlertLevel, AlertType

from .monitoring_models import MarginSnapshot, NseMarginFile
from .span.exposure import parse_ael

logger = logging.getLogger(__name__)

SPAN_NAME = re.compile(r"^nsccl\.(\d{8})\.[a-z0-9]+\.spn(\.gz|\.zip)?$|^nsccl\.(\d{8})\.[a-z0-9]+\.zip$", re.I)
AEL_NAME = re.compile(r"^F_AEL_[A-Z_]*?(\d{8})\.CSV$", re.I)


@dataclass(frozen=True, slots=True)
class ElmChange:
    symbol: str
    instrument_type: str
    before: Decimal
    after: Decimal


def folder() -> Path:
    return Path(settings.NSE_MARGIN_FILES_DIR)


def classify(name: str) -> tuple[str, date | None] | None:
    """(kind, trade date) of a file name NSE uses, or None for anything else."""
    if m := SPAN_NAME.match(name):
        digits = m.group(1) or m.group(3)
        return NseMarginFile.Kind.SPAN, datetime.strptime(digits, "%Y%m%d").date()
    if m := AEL_NAME.match(name):
        return NseMarginFile.Kind.AEL, datetime.strptime(m.group(1), "%d%m%Y").date()
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _span_importer() -> Any:
    try:
        from . import span_import  # the import_span command's code (margin helper); optional until it lands
    except ImportError:
        return None
    return getattr(span_import, "import_span_file", None)


def nse_files_import(directory: Path | str | None = None) -> list[NseMarginFile]:
    """Import every new SPAN and AEL file of the folder (oldest trade date first). Returns the new rows."""
    base = Path(directory) if directory is not None else folder()
    if not base.is_dir():
        logger.info("NSE margin folder %s does not exist; nothing to import", base)
        return []
    found = []
    for path in base.iterdir():
        kind_date = classify(path.name) if path.is_file() else None
        if kind_date is not None:
            found.append((kind_date[1] or date.min, kind_date[0], path))
    done = []
    for trade_date, kind, path in sorted(found):
        digest = _sha256(path)
        if NseMarginFile.objects.filter(kind=kind, sha256=digest).exists():
            continue
        row = _import_one(kind, trade_date, path, digest)
        if row is not None:
            done.append(row)
    if any(r.status == NseMarginFile.Status.IMPORTED for r in done):
        from . import span_store

        span_store.clear_cache()  # the engine reads the new file (and its ELM rates) from now on
    return done


def _import_one(kind: str, trade_date: date, path: Path, digest: str) -> NseMarginFile | None:
    common = {
        "kind": kind,
        "trade_date": trade_date,
        "file_name": path.name[:255],
        "sha256": digest,
        "size": path.stat().st_size,
    }
    if kind == NseMarginFile.Kind.SPAN:
        importer = _span_importer()
        if importer is None:
            return _record(
                **common,
                status=NseMarginFile.Status.SKIPPED,
                detail="The SPAN importer (import_span) is not installed; the engine stays synthetic.",
            )
        try:
            detail = importer(path)
        except Exception as exc:
            logger.exception("SPAN import of %s failed", path)
            return _record(**common, status=NseMarginFile.Status.FAILED, detail=f"{type(exc).__name__}: {exc}"[:2000])
        return _record(**common, status=NseMarginFile.Status.IMPORTED, detail=str(detail or "")[:2000])
    try:
        table = parse_ael(path.read_text(encoding="latin-1"))
    except (ValueError, IndexError, ArithmeticError) as exc:
        return _record(**common, status=NseMarginFile.Status.FAILED, detail=f"Not an AEL file: {exc}"[:2000])
    rates = {f"{sym}|{cls}": str(row.total_pct) for (sym, cls), row in table.rows.items()}
    previous = (
        NseMarginFile.objects.filter(
            kind=NseMarginFile.Kind.AEL, status=NseMarginFile.Status.IMPORTED, trade_date__lte=trade_date
        )
        .order_by("-trade_date", "-id")
        .first()
    )
    changes = elm_changes(previous.rates if previous else None, rates)
    with transaction.atomic():
        row = _record(
            **common,
            status=NseMarginFile.Status.IMPORTED,
            rates=rates,
            detail=f"{len(table.rows)} rows; {len(changes)} ELM changes since "
            f"{previous.file_name if previous else 'no earlier file'}.",
        )
        if row is not None:
            from . import span_store

            transaction.on_commit(span_store.clear_cache)  # before the regulatory snapshots below
        if row is not None and changes:
            regulatory_change_alerts(row, changes)
    return row


def _record(**fields: Any) -> NseMarginFile | None:
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            return NseMarginFile.objects.create(**fields)
    except IntegrityError:  # imported meanwhile by another worker
        return None


def elm_changes(before: dict[str, str] | None, after: dict[str, str]) -> list[ElmChange]:
    """Symbols whose total ELM% differs between two AEL files (none without an earlier file)."""
    if not before:
        return []
    out = []
    for key, rate in sorted(after.items()):
        old = before.get(key)
        if old is not None and Decimal(old) != Decimal(rate):
            symbol, cls = key.split("|", 1)
            out.append(ElmChange(symbol, cls, Decimal(old), Decimal(rate)))
    return out


def regulatory_change_alerts(row: NseMarginFile, changes: list[ElmChange]) -> int:
    """MARGIN_CHANGE for each account holding a changed symbol's underlying, with a REGULATORY snapshot."""
    from accounts.models import TradingAccount
    from marketdata.models import Instrument
    from portfolio.models import Position

    by_symbol: dict[str, list[ElmChange]] = {}
    for change in changes:
        by_symbol.setdefault(change.symbol, []).append(change)
    positions = list(Position.objects.exclude(quantity=0).values_list("account_id", "instrument_token"))
    names = dict(
        Instrument.objects.filter(instrument_token__in={t for _, t in positions}).values_list(
            "instrument_token", "name"
        )
    )
    touched: dict[int, set[str]] = {}
    for account_id, token in positions:
        name = (names.get(token) or "").upper()
        if name in by_symbol:
            touched.setdefault(account_id, set()).add(name)
    accounts = TradingAccount.objects.filter(pk__in=touched, is_active=True).select_related("user")
    for account in accounts:
        symbols = sorted(touched[account.pk])
        lines = [f"{c.symbol} {c.instrument_type} ELM {c.before}% → {c.after}%" for s in symbols for c in by_symbol[s]]
        up = any(c.after > c.before for s in symbols for c in by_symbol[s])
        transaction.on_commit(lambda a=account.pk, r=row.pk: _regulatory_snapshot(a, r))
        alert_raise(
            user=account.user,
            type=AlertType.MARGIN_CHANGE,
            level=AlertLevel.WARNING if up else AlertLevel.INFO,
            title=f"Exchange margin change: {', '.join(symbols)}",
            message=f"{account.name}: NSE Clearing changed the exposure margin (AEL file of {row.trade_date:%d %b %Y}) "
            f"for what you hold: {'; '.join(lines)}.",
            payload={
                "account_id": account.pk,
                "file": row.file_name,
                "trade_date": row.trade_date.isoformat() if row.trade_date else None,
                "changes": [
                    {
                        "symbol": c.symbol,
                        "instrument_type": c.instrument_type,
                        "before_pct": str(c.before),
                        "after_pct": str(c.after),
                    }
                    for s in symbols
                    for c in by_symbol[s]
                ],
                "regulatory": True,
            },
            links={"account_id": account.pk},
        )
    return len(touched)


def _regulatory_snapshot(account_id: int, file_id: int) -> None:
    from .monitoring import snapshot_for_event

    try:
        snapshot_for_event(account_id, MarginSnapshot.Trigger.REGULATORY, f"nse:{file_id}")
    except Exception:
        logger.exception("regulatory snapshot of account %s failed", account_id)
