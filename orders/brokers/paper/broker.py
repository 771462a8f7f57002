"""PaperBroker: the `Broker` for a paper account, over the venue; venue changes flow into the order core."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from orders.brokers.base import BrokerFunds, BrokerOrder, BrokerOrderRequest, BrokerPosition, BrokerTrade

from .venue import Listener, PaperVenue


def account_ref(account: Any) -> str:
    return f"paper:{account.pk}"


def apply_to_order_core(account: Any) -> Listener:
    def listener(order: BrokerOrder, trades: list[BrokerTrade]) -> None:
        from orders import services  # the order core sits above the broker layer

        services.order_apply_broker_update(account=account, order=order, trades=trades, source="paper")

    return listener


class PaperBroker:
    def __init__(self, account: Any, *, listener: Listener | None = None) -> None:
        self.account = account
        self.venue = PaperVenue(
            account_ref(account),
            capital=Decimal(account.paper_capital),
            on_update=listener or apply_to_order_core(account),
        )

    def place_order(self, request: BrokerOrderRequest) -> str:
        return self.venue.place_order(request)

    def modify_order(self, broker_order_id: str, **changes: Any) -> str:
        return self.venue.modify_order(broker_order_id, **changes)

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> str:
        return self.venue.cancel_order(broker_order_id, variety=variety)

    def orders(self) -> list[BrokerOrder]:
        return self.venue.orders()

    def order_history(self, broker_order_id: str) -> list[BrokerOrder]:
        return self.venue.order_history(broker_order_id)

    def trades(self) -> list[BrokerTrade]:
        return self.venue.trades()

    def order_trades(self, broker_order_id: str) -> list[BrokerTrade]:
        return self.venue.order_trades(broker_order_id)

    def positions(self) -> list[BrokerPosition]:
        return self.venue.positions()

    def funds(self) -> BrokerFunds:
        return self.venue.funds()
