"""Pure delivery rules: does a user's preference let an alert be pushed? (No Django here.)

Choice: preferences decide DELIVERY only (WebSocket push, Telegram). Every alert is stored and
listed in the alert center and the API whatever the preferences say. An alert that offers
actions (something waits on the answer) is always pushed: muting it would stall an order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time

from .types import LEVEL_RANK, AlertLevel

# Levels sent to Telegram when the user has a chat id and a bot token is configured.
TELEGRAM_LEVELS = frozenset({AlertLevel.CRITICAL, AlertLevel.URGENT})


@dataclass(frozen=True)
class DeliveryPrefs:
    muted_types: frozenset[str] = field(default_factory=frozenset)
    min_level: str = AlertLevel.INFO
    quiet_start: time | None = None
    quiet_end: time | None = None


def in_quiet_hours(now_local: time, start: time | None, end: time | None) -> bool:
    """True when `now_local` lies in [start, end); the window may wrap midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= now_local < end
    return now_local >= start or now_local < end


def should_push(prefs: DeliveryPrefs, *, alert_type: str, level: str, actions: Iterable[str], now_local: time) -> bool:
    if list(actions):
        return True
    if alert_type in prefs.muted_types:
        return False
    if LEVEL_RANK.get(level, 0) < LEVEL_RANK.get(prefs.min_level, 0):
        return False
    if level == AlertLevel.INFO and in_quiet_hours(now_local, prefs.quiet_start, prefs.quiet_end):
        return False
    return True


def should_telegram(*, pushed: bool, level: str, chat_id: str, token: str) -> bool:
    return pushed and level in TELEGRAM_LEVELS and bool(chat_id) and bool(token)
