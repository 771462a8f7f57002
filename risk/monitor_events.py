"""The live monitor's domain events (risk/monitor.py), delivered after commit; the order core acts on them
(orders/services/risk_exits.py, subscribed in orders/apps.py): risk sits below orders and never imports it.

risk.square_off_requested    a strategy hit its loss cap with auto square-off on: square the strategy off
risk.position_exit_requested a per-position guard fired with auto-close on: exit that position
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = ["PositionExitRequested", "SquareOffRequested"]


@dataclass(frozen=True, slots=True)
class SquareOffRequested:
    name: ClassVar[str] = "risk.square_off_requested"
    account_id: int
    strategy_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class PositionExitRequested:
    name: ClassVar[str] = "risk.position_exit_requested"
    account_id: int
    position_id: int
    reason: str
