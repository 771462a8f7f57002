"""Typed models of the risk API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ._base import SdkModel


class KillSwitchState(SdkModel):
    account_id: int
    state: str  # ACTIVE | REDUCING | HALTED
    engaged: bool
    scope: str | None = None
    engaged_by: str | None = None
    actor: str | None = None
    reason: str | None = None
    since: datetime | None = None
    can_release: bool = False
    switches: list[dict[str, Any]] = []


class LimitRow(SdkModel):
    limit_name: str
    code: str
    title: str
    enabled: bool
    limit: Any = None
    value: Any = None
    headroom: Any = None


class StrategyRisk(SdkModel):
    strategy_id: int
    name: str
    preset: str = ""
    pnl_today: Decimal
    open_positions: int
    loss_limit: Decimal
    loss_headroom: Decimal
    stop_loss_required: bool


class RiskSummary(SdkModel):
    account_id: int
    capital: Decimal
    realised_pnl_today: Decimal
    unrealised_pnl: Decimal
    pnl_today: Decimal
    equity: Decimal
    peak_equity: Decimal
    drawdown: Decimal
    drawdown_pct: Decimal
    margin: dict[str, Any] = {}
    limits: list[LimitRow]
    strategies: list[StrategyRisk] = []
    kill_switch: KillSwitchState

    def limit(self, name: str) -> LimitRow:
        return next(r for r in self.limits if r.limit_name == name)


class RiskEvent(SdkModel):
    id: int
    account_id: int | None = None
    kind: str
    code: str = ""
    message: str
    details: dict[str, Any] = {}
    created_at: datetime


class SquareOffResult(SdkModel):
    account_id: int
    cancelled: list[int]
    exits: list[int]
    failures: list[dict[str, Any]] = []
    open_positions: list[dict[str, Any]] = []
    flat: bool
