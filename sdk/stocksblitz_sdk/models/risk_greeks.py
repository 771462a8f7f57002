"""Typed models of `GET /risk/greeks/` and `GET /risk/sizing/`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ._base import SdkModel


class GreeksFigures(SdkModel):
    positions: int = 0
    delta_inr: Decimal
    gamma_inr: Decimal
    vega_inr: Decimal
    theta_inr: Decimal
    premium_inr: Decimal


class StrategyGreeks(GreeksFigures):
    strategy_id: int | None = None
    name: str = ""


class UnderlyingGreeks(GreeksFigures):
    underlying: str
    delta_units: Decimal
    gamma_units: Decimal


class PositionGreeks(SdkModel):
    position_id: int
    tradingsymbol: str
    strategy_id: int | None = None
    underlying: str
    quantity: int
    delta_units: Decimal
    gamma_units: Decimal
    delta_inr: Decimal
    gamma_inr: Decimal
    vega_inr: Decimal
    theta_inr: Decimal
    premium_inr: Decimal


class GreeksSnapshot(GreeksFigures):
    strategy_id: int | None = None
    taken_at: datetime


class GreeksBook(SdkModel):
    account_id: int
    as_of: datetime
    account: GreeksFigures
    by_strategy: list[StrategyGreeks] = []
    by_underlying: list[UnderlyingGreeks] = []
    positions: list[PositionGreeks] = []
    limit: dict[str, Any] = {}
    snapshots: list[GreeksSnapshot] = []
    correlation: dict[str, Any] = {}


class SizingAdvice(SdkModel):
    instrument_token: int
    tradingsymbol: str
    lot_size: int
    lots: int | None = None
    quantity: int | None = None
    binding: str = ""
    by_constraint: dict[str, int] = {}
    risk_per_trade_pct: Decimal | None = None
    volume: int | None = None
    oi: int | None = None
