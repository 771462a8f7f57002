"""The risk app's domain events (published after commit through oms_project.lib.events).

risk.kill_switch_engaged   a kill switch moved to REDUCING: the order core (orders/apps.py) cancels every
                           open order of the accounts named and squares their positions off
risk.kill_switch_released  a kill switch went back to ACTIVE
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = ["KillSwitchEngaged", "KillSwitchReleased"]


@dataclass(frozen=True, slots=True)
class KillSwitchEngaged:
    name: ClassVar[str] = "risk.kill_switch_engaged"
    switch_id: int
    scope: str
    account_ids: tuple[int, ...]
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class KillSwitchReleased:
    name: ClassVar[str] = "risk.kill_switch_released"
    switch_id: int
    scope: str
    account_ids: tuple[int, ...]
    reason: str
    actor: str
