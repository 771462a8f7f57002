"""marketdata's domain events (oms_project.lib.events).

marketdata.tick_batch   the feed sent one iteration's ticks (marketdata/feed.py::feed_once): the last price per
                        instrument token and the instant. Delivered at once (no transaction), in the feed's
                        process, after the ticks went out; risk's live monitor revalues the books holding them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

__all__ = ["TickBatch"]


@dataclass(frozen=True, slots=True)
class TickBatch:
    name: ClassVar[str] = "marketdata.tick_batch"
    marks: dict[int, str]  # instrument token -> last price (the tick's text)
    at: datetime
