"""Alert types and levels: plain constants other apps import (no Django here).

Documented list (see also the alert center's help text):
ORDER_FILLED, ORDER_PARTIALLY_FILLED, ORDER_REJECTED, ORDER_CANCELLED, ORDER_UNKNOWN,
APPROVAL_REQUIRED, WIDE_SPREAD, HIGH_IMPACT, MARGIN_WARNING, MARGIN_CALL, MARGIN_CHANGE, RISK_BREACH,
KILL_SWITCH, ORPHANED_ORDER, SQUARE_OFF_WARNING, GREEKS_LIMIT, BROKER_DOWN, SYSTEM.
"""

from __future__ import annotations

from enum import StrEnum


class AlertType(StrEnum):
    ORDER_FILLED = "ORDER_FILLED"
    ORDER_PARTIALLY_FILLED = "ORDER_PARTIALLY_FILLED"
    ORDER_REJECTED = "ORDER_REJECTED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_UNKNOWN = "ORDER_UNKNOWN"
    APPROVAL_REQUIRED = "APPROVAL_REQUIRED"
    WIDE_SPREAD = "WIDE_SPREAD"
    HIGH_IMPACT = "HIGH_IMPACT"
    MARGIN_WARNING = "MARGIN_WARNING"
    MARGIN_CALL = "MARGIN_CALL"
    MARGIN_CHANGE = "MARGIN_CHANGE"  # required margin on the same positions moved > 10%, or a regulatory change
    RISK_BREACH = "RISK_BREACH"
    KILL_SWITCH = "KILL_SWITCH"
    ORPHANED_ORDER = "ORPHANED_ORDER"
    SQUARE_OFF_WARNING = "SQUARE_OFF_WARNING"
    GREEKS_LIMIT = "GREEKS_LIMIT"
    BROKER_DOWN = "BROKER_DOWN"
    SYSTEM = "SYSTEM"


class AlertLevel(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"
    URGENT = "URGENT"


# Severity order, lowest first (preferences filter by a minimum level).
LEVEL_RANK: dict[str, int] = {AlertLevel.INFO: 0, AlertLevel.WARNING: 1, AlertLevel.CRITICAL: 2, AlertLevel.URGENT: 3}


class AlertStatus(StrEnum):
    ACTIVE = "ACTIVE"
    RESPONDED = "RESPONDED"
    EXPIRED = "EXPIRED"


# Common action labels offered on alerts (any short label is allowed; these keep spelling uniform).
class AlertAction(StrEnum):
    USE_LIMIT = "Use LIMIT"
    PROCEED = "Proceed anyway"
    CANCEL = "Cancel"
    ADD_FUNDS = "Add funds"
    REDUCE_POSITIONS = "Reduce positions"
    SQUARE_OFF = "Square off"
    APPROVE = "Approve"
    REJECT = "Reject"
    ACKNOWLEDGE = "Acknowledge"


# The action a handler receives when an unanswered alert expires.
EXPIRED_ACTION = "EXPIRED"
