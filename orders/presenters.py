"""The one JSON shape of orders, trades and positions: the API responses and the /ws/orders/ pushes agree.

The output serializers are built once per process and reused (`to_representation` keeps no state):
DRF builds a ModelSerializer's ~50 fields on every instantiation, which cost more than the order's
own SQL on the placement path (several order pushes plus the response per order).
"""

from __future__ import annotations

import functools
from typing import Any

from portfolio.models import Position, Trade

from .models import Order


@functools.cache
def _order_serializer() -> Any:
    from .api.serializers import OrderOutputSerializer

    serializer = OrderOutputSerializer()
    serializer.fields  # noqa: B018  (build the bound fields once)
    return serializer


@functools.cache
def _trade_serializer() -> Any:
    from .api.serializers import TradeOutputSerializer

    serializer = TradeOutputSerializer()
    serializer.fields  # noqa: B018
    return serializer


def order_json(order: Order) -> dict[str, Any]:
    return dict(_order_serializer().to_representation(order))


def trade_json(trade: Trade) -> dict[str, Any]:
    return dict(_trade_serializer().to_representation(trade))


def position_json(position: Position, marks: dict[int, Any] | None = None) -> dict[str, Any]:
    from .api.serializers import PositionOutputSerializer

    return dict(PositionOutputSerializer(position, context={"marks": marks or {}}).data)
