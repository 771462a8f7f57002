"""Event subscribers of margin monitoring (registered in MarginConfig.ready()).

A fill (any portfolio position event: it carries the trade id) or a cash movement other than a fill's
realised P&L hands the account's snapshot to Celery (`margin.snapshot_account`), keyed by the fact
(`trade:<id>`, `ledger:<id>`) so a reversal's close+open or a re-delivered event snapshots once. The
placing request never waits for the margin engine.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

FILL_KEY_KINDS = {"REALISED_PNL", "CHARGES"}  # a fill's own P&L and charges: its position event covers them


def _queue(account_id: int, trigger: str, key: str) -> None:
    from .tasks import margin_snapshot_account_task

    try:
        margin_snapshot_account_task.delay(account_id, trigger, key)
    except Exception:  # a broker hiccup must not break the publisher's follow-ups; the 5-minute beat catches up
        logger.exception("could not queue the margin snapshot of account %s (%s)", account_id, key)


def on_position_event(event: Any) -> None:
    _queue(event.account_id, "FILL", f"trade:{event.trade_id}")


def on_funds_changed(event: Any) -> None:
    if str(event.kind) in FILL_KEY_KINDS:
        return
    _queue(event.account_id, "FUNDS", f"ledger:{event.entry_id}")
