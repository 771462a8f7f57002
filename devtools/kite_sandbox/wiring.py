"""Which venue and instrument list the sandbox uses when run as a command."""

from __future__ import annotations

import logging
from typing import Any

from .venue import MemoryVenue, Venue

logger = logging.getLogger(__name__)


def venue_for(user_id: str, *, memory: bool = False) -> Venue:
    """The paper engine's venue for this sandbox user, else the in-memory one."""
    if not memory:
        try:
            from .paper_venue import paper_venue_for
        except ImportError:  # the paper engine is not available
            pass
        else:
            return paper_venue_for(user_id)
    return MemoryVenue()


def default_instruments() -> list[dict[str, Any]]:
    """The product's own instrument master, as Kite instrument CSV rows."""
    try:
        from marketdata.models import Instrument
    except ImportError:
        return []
    from django.db import DatabaseError

    rows = []
    fields = {f.name for f in Instrument._meta.get_fields()}
    try:
        for inst in Instrument.objects.all().iterator():
            row = {name: getattr(inst, name, None) for name in fields}
            row["expiry"] = inst.expiry.isoformat() if getattr(inst, "expiry", None) else ""
            rows.append(row)
    except DatabaseError:  # a database never migrated (e.g. `run_kite_sandbox --memory` on a fresh checkout)
        logger.warning("kite sandbox: no instrument master in the database; Kite's per-instrument rules are off")
        return []
    return rows


def default_quotes(keys: list[str]) -> dict[str, Any]:
    """Quotes from the product's simulated market for "EXCHANGE:SYMBOL" keys."""
    from marketdata.selectors import instrument_get_by_key, quote_for

    out: dict[str, Any] = {}
    for key in keys:
        try:
            out[key] = quote_for(instrument_get_by_key(key))
        except Exception:  # noqa: BLE001 - Kite leaves unknown instruments out of the answer
            continue
    return out
