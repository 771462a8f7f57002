"""The one JSON shape of orders, trades and positions: the API responses and the /ws/orders/ pushes agree."""

from __future__ import annotations

from typing import Any

from .models import Order, Position, Trade


def order_json(order: Order) -> dict[str, Any]:
    from .api.serializers import OrderOutputSerializer

    return dict(OrderOutputSerializer(order).data)


def trade_json(trade: Trade) -> dict[str, Any]:
    from .api.serializers import TradeOutputSerializer

    return dict(TradeOutputSerializer(trade).data)


def position_json(position: Position, marks: dict[int, Any] | None = None) -> dict[str, Any]:
    from .api.serializers import PositionOutputSerializer

    return dict(PositionOutputSerializer(position, context={"marks": marks or {}}).data)
