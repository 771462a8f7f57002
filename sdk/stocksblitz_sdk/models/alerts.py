"""Typed alerts: `Alert` and one subclass per kind a bot usually reacts to."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from pydantic import Field

from ._base import SdkModel

ALERT_TYPES = (
    "ORDER_FILLED",
    "ORDER_PARTIALLY_FILLED",
    "ORDER_REJECTED",
    "ORDER_CANCELLED",
    "ORDER_UNKNOWN",
    "APPROVAL_REQUIRED",
    "WIDE_SPREAD",
    "HIGH_IMPACT",
    "MARGIN_WARNING",
    "MARGIN_CALL",
    "MARGIN_CHANGE",
    "RISK_BREACH",
    "KILL_SWITCH",
    "ORPHANED_ORDER",
    "SQUARE_OFF_WARNING",
    "GREEKS_LIMIT",
    "BROKER_DOWN",
    "SYSTEM",
)
ALERT_LEVELS = ("INFO", "WARNING", "CRITICAL", "URGENT")


class Alert(SdkModel):
    id: int
    type: str
    level: str
    title: str = ""
    message: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
    links: dict[str, Any] = Field(default_factory=dict)
    actions: list[str] = Field(default_factory=list)
    status: str = "ACTIVE"
    is_read: bool = False
    read_at: datetime | None = None
    response: str | None = None
    response_actor: str | None = None
    responded_at: datetime | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def order_id(self) -> int | None:
        return self.links.get("order_id")

    @property
    def awaits_response(self) -> bool:
        return bool(self.actions) and self.status == "ACTIVE"


class OrderAlert(Alert):
    """ORDER_FILLED / ORDER_PARTIALLY_FILLED / ORDER_REJECTED / ORDER_CANCELLED / ORDER_UNKNOWN / ORPHANED_ORDER."""


class ApprovalRequiredAlert(Alert):
    pass


class WideSpreadAlert(Alert):
    pass


class HighImpactAlert(Alert):
    pass


class _MarginAlert(Alert):
    @property
    def utilization_pct(self) -> Decimal | None:
        """Margin used as a percentage of the account's capital when the alert was raised (payload
        `utilization_pct`; the seed's `alert.utilization_pct > 90`)."""
        value = self.payload.get("utilization_pct")
        return None if value is None else Decimal(str(value))

    @property
    def account_id(self) -> int | None:
        return self.links.get("account_id")


class MarginWarningAlert(_MarginAlert):
    """MARGIN_WARNING: utilisation reached the warning line (90%)."""


class MarginCallAlert(MarginWarningAlert):
    """MARGIN_CALL: a shortfall (actions: Add funds, Reduce positions, Square off), its resolution or square-off."""

    @property
    def margin_call_id(self) -> int | None:
        return self.links.get("margin_call_id")

    @property
    def shortfall(self) -> Decimal | None:
        value = self.payload.get("shortfall")
        return None if value is None else Decimal(str(value))


class MarginChangeAlert(_MarginAlert):
    """MARGIN_CHANGE: required margin on the same positions moved > 10%, or NSE changed a margin rate."""

    @property
    def change_pct(self) -> Decimal | None:
        value = self.payload.get("change_pct")
        return None if value is None else Decimal(str(value))


class RiskBreachAlert(Alert):
    pass


class KillSwitchAlert(RiskBreachAlert):
    pass


class GreeksLimitAlert(RiskBreachAlert):
    pass


class SquareOffWarningAlert(Alert):
    pass


class BrokerDownAlert(Alert):
    pass


ALERT_CLASSES: dict[str, type[Alert]] = {
    "ORDER_FILLED": OrderAlert,
    "ORDER_PARTIALLY_FILLED": OrderAlert,
    "ORDER_REJECTED": OrderAlert,
    "ORDER_CANCELLED": OrderAlert,
    "ORDER_UNKNOWN": OrderAlert,
    "ORPHANED_ORDER": OrderAlert,
    "APPROVAL_REQUIRED": ApprovalRequiredAlert,
    "WIDE_SPREAD": WideSpreadAlert,
    "HIGH_IMPACT": HighImpactAlert,
    "MARGIN_WARNING": MarginWarningAlert,
    "MARGIN_CALL": MarginCallAlert,
    "MARGIN_CHANGE": MarginChangeAlert,
    "RISK_BREACH": RiskBreachAlert,
    "KILL_SWITCH": KillSwitchAlert,
    "GREEKS_LIMIT": GreeksLimitAlert,
    "SQUARE_OFF_WARNING": SquareOffWarningAlert,
    "BROKER_DOWN": BrokerDownAlert,
}


def alert_from_dict(data: dict[str, Any]) -> Alert:
    """The most specific typed alert for `data["type"]` (plain `Alert` for unknown types)."""
    return ALERT_CLASSES.get(str(data.get("type")), Alert).model_validate(data)


class OrderUpdate(SdkModel):
    """A message from /ws/orders/: kind is "order", "trade" or "position"; data is the API object."""

    kind: str
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def id(self) -> Any:
        return self.data.get("id")

    @property
    def status(self) -> str | None:
        return self.data.get("status")


class AlertPreferences(SdkModel):
    muted_types: list[str] = Field(default_factory=list)
    min_level: str = "INFO"
    quiet_start: time | None = None
    quiet_end: time | None = None
    telegram_chat_id: str = ""
