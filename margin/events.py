"""The margin app's domain events (the one module that knows their shape). Pure: no Django.

Published by `margin.monitoring` through `oms_project.lib.events.publish` after the commit that decided
them. The order core subscribes (orders/apps.py) and squares the account off through the pipeline as
the system, since margin sits below orders and may not call it.

    margin.call_expired                 a margin call was still short when its grace ran out, and the
                                        account's policy squares off
    margin.call_square_off_requested    the trader answered a margin call's alert with "Square off"
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

__all__ = ["MarginCallExpired", "MarginCallSquareOffRequested"]


@dataclass(frozen=True, slots=True)
class _MarginCallFact:
    margin_call_id: int
    account_id: int
    user_id: int
    shortfall: Decimal


@dataclass(frozen=True, slots=True)
class MarginCallExpired(_MarginCallFact):
    name: ClassVar[str] = "margin.call_expired"


@dataclass(frozen=True, slots=True)
class MarginCallSquareOffRequested(_MarginCallFact):
    name: ClassVar[str] = "margin.call_square_off_requested"
    actor: str = ""
