"""The broker interface's types, wherever the order core keeps them (they are moving to oms_project.lib)."""

from __future__ import annotations

try:
    from oms_project.lib.brokers import BrokerAuthError, BrokerError, BrokerOrder, BrokerPosition, BrokerTrade
except ImportError:  # pragma: no cover - before the move
    from orders.brokers.base import (  # type: ignore[no-redef]
        BrokerAuthError,
        BrokerError,
        BrokerOrder,
        BrokerPosition,
        BrokerTrade,
    )

__all__ = ["BrokerAuthError", "BrokerError", "BrokerOrder", "BrokerPosition", "BrokerTrade"]
