"""Kill-switch vocabulary and rules (pure: no Django).

States follow NautilusTrader's RiskEngine trading states: ACTIVE (normal), REDUCING (engaged: open orders are
being cancelled and positions squared off; only reducing orders pass), HALTED (flat, or the square-off gave up:
still only reducing orders) until released.
"""

from __future__ import annotations

from enum import StrEnum


class KillState(StrEnum):
    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


ENGAGED = frozenset({KillState.REDUCING, KillState.HALTED})


class Scope(StrEnum):
    ACCOUNT = "ACCOUNT"
    USER = "USER"
    GLOBAL = "GLOBAL"


class EngagedBy(StrEnum):
    USER = "USER"  # the trader (button, API, SDK)
    OPS = "OPS"  # a staff user (admin, ops API)
    AUTO = "AUTO"  # a daily-loss or drawdown breach


class KillAction(StrEnum):
    ENGAGE = "ENGAGE"
    SQUARE_OFF = "SQUARE_OFF"  # one attempt's outcome
    HALT = "HALT"
    GAVE_UP = "GAVE_UP"  # attempts exhausted: URGENT alert
    RELEASE = "RELEASE"


def may_release(*, engaged_by: str, engaged_by_user_id: int | None, actor_user_id: int, actor_is_staff: bool) -> bool:
    """The user who engaged it may release it; an automatic or ops engagement is released by ops only. Staff
    may release any engagement."""
    if actor_is_staff:
        return True
    return engaged_by == EngagedBy.USER and engaged_by_user_id == actor_user_id
