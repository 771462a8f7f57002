"""Background service `paper_matcher`, the order core's loop beside the paper venue: every
MARKET_FEED_INTERVAL_SECONDS it works the paper venue's open orders against the simulated market (LIMIT
crossing, SL/SL-M triggers, DAY/TTL expiry) and books what the venue reported, moves trailing stops and
settles UNKNOWN order outcomes. DB work runs in a thread. Embedded mode runs it on the serve loop;
production: `manage.py run_service paper_matcher`.
"""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


def matcher_step() -> dict[str, int]:
    from orders import services

    close_old_connections()
    try:
        return {
            "matched": services.paper_match_all(),
            "trailed": services.orders_trail_stops(),
            "resolved": services.orders_resolve_unknown_due(),
        }
    finally:
        close_old_connections()


async def run_paper_matcher(stop: asyncio.Event) -> None:
    interval = float(settings.MARKET_FEED_INTERVAL_SECONDS)
    while not stop.is_set():
        try:
            await asyncio.to_thread(matcher_step)
        except Exception:
            logger.exception("paper matcher step failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass
