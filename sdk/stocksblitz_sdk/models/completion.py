"""Completion policies (docs/completion-policies.md): a strategy's `completion_policy` and one order's run of it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ._base import SdkModel


class CompletionPolicy(SdkModel):
    """What happens to unfilled and partly filled LIMIT orders. Off by default (both actions NONE)."""

    unfilled_action: str = "NONE"  # NONE, CHASE, CONVERT_MARKET, SPLIT_DEPTH, CANCEL
    unfilled_after_seconds: int = 30
    chase_interval_seconds: int = 10
    chase_ticks: int = 1
    chase_max_adjustment_pct: Decimal = Decimal("5.00")
    after_chase: str = "NONE"  # NONE, CONVERT_MARKET, CANCEL
    partial_fill_action: str = "NONE"  # NONE, IMMEDIATE, TIME_BASED, PRICE_BASED, CANCEL_REMAINING
    partial_fill_wait_seconds: int = 30
    partial_fill_price_move_pct: Decimal = Decimal("1.00")


class OrderCompletion(SdkModel):
    """One order's policy: `state` ACTIVE, COMPLETING, DONE, STOPPED (None: not started yet); `reason` says what it
    did last or why it ended (e.g. the trader's modify), `children` the orders sent for the remainder."""

    order_id: int
    state: str | None = None
    source: str = "strategy"
    settings: CompletionPolicy
    mode: str = ""
    original_price: Decimal | None = None
    steps: int = 0
    last_step_at: datetime | None = None
    children: list[int] = []
    reason: str = ""
    stopped_by: str = ""
    ended_at: datetime | None = None
