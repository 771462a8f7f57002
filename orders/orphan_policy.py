"""What to do with an exit order (stop-loss or target) left without the position it protected: the five
housekeeping settings of a strategy (seed 001 "Order Housekeeping"). Pure: no Django. Read by the order
core's event-driven cleanup (orders.services.brackets, on a position's close) and by housekeeping's
sweep, so both decide the same way.

    allow_orphaned_orders    true  -> keep every orphan (flagged, listed)             "strict mode" off
    auto_cleanup_enabled     false -> keep (flagged, listed): nothing is cancelled by itself
    cleanup_sl_on_exit       false -> keep orphaned stop-losses
    cleanup_target_on_exit   false -> keep orphaned targets
    notify_on_orphan_detection      -> tell the trader (kept or cancelled)
An order without a strategy follows the conservative defaults (clean both, notify).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULTS = {
    "auto_cleanup_enabled": True,
    "cleanup_sl_on_exit": True,
    "cleanup_target_on_exit": True,
    "allow_orphaned_orders": False,
    "notify_on_orphan_detection": True,
}


@dataclass(frozen=True, slots=True)
class OrphanDecision:
    cancel: bool
    notify: bool
    reason: str  # why it is kept, or why it is cancelled
    setting: str  # the setting that decided


def setting(strategy: Any, name: str) -> bool:
    return bool(DEFAULTS[name] if strategy is None else getattr(strategy, name))


def decide(strategy: Any, role: str) -> OrphanDecision:
    """`strategy` is any object with the five attributes (or None); `role` STOP_LOSS / TARGET / other."""
    notify = setting(strategy, "notify_on_orphan_detection")
    if setting(strategy, "allow_orphaned_orders"):
        return OrphanDecision(False, notify, "kept: the strategy allows orphaned orders", "allow_orphaned_orders")
    if not setting(strategy, "auto_cleanup_enabled"):
        return OrphanDecision(False, notify, "kept: auto-cleanup is off for the strategy", "auto_cleanup_enabled")
    if role == "STOP_LOSS" and not setting(strategy, "cleanup_sl_on_exit"):
        return OrphanDecision(False, notify, "kept: stop-losses are not cleaned up on exit", "cleanup_sl_on_exit")
    if role == "TARGET" and not setting(strategy, "cleanup_target_on_exit"):
        return OrphanDecision(False, notify, "kept: targets are not cleaned up on exit", "cleanup_target_on_exit")
    return OrphanDecision(True, notify, "the position it protected is closed", "auto_cleanup_enabled")
