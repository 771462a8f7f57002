"""PaperBroker: the `Broker` for a paper account, over the venue. It never calls into the order core: what
the venue did during a request comes back in the request's `BrokerReport` (`executions`), and what the
matcher did later comes back from `match`; the caller feeds both to the one inbound path
(`orders.services.order_apply_broker_update`), exactly like a Kite postback or ticker update."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from oms_project.lib.brokers import BrokerOrder, BrokerReport, BrokerTrade, Execution, VenueBroker, report_of_call
from portfolio.selectors import paper_venue_capital

from .models import PaperVenueOrder
from .venue import WORKING, Listener, PaperVenue, match_orders


def account_ref(account: Any) -> str:
    return f"paper:{account.pk}"


class PaperBroker(VenueBroker):
    """`listener`, when given, hears the venue's changes instead of the reports (a venue that "answers
    later", for tests of brokers that report only by postback)."""

    def __init__(self, account: Any, *, listener: Listener | None = None) -> None:
        self.account = account
        self._executions: list[Execution] = []
        self.venue = PaperVenue(
            account_ref(account),
            # What the trader paid in (the account's paper capital and the portfolio ledger's pay-ins/outs);
            # the venue adds the realised P&L of its own fills.
            capital=lambda: paper_venue_capital(account),
            on_update=listener or self._heard,
        )

    def _heard(self, order: BrokerOrder, trades: list[BrokerTrade]) -> None:
        self._executions.append(Execution(order, tuple(trades)))

    def _reporting(self, call: Any, *args: Any, **kwargs: Any) -> BrokerReport:
        self._executions = []
        report = report_of_call(call, *args, **kwargs)
        executions, self._executions = tuple(self._executions), []
        return replace(report, executions=executions) if executions else report

    def place_order(self, request: Any) -> BrokerReport:
        return self._reporting(self.venue.place_order, request)

    def modify_order(self, broker_order_id: str, **changes: Any) -> BrokerReport:
        return self._reporting(self.venue.modify_order, broker_order_id, **changes)

    def cancel_order(self, broker_order_id: str, *, variety: str = "regular") -> BrokerReport:
        return self._reporting(self.venue.cancel_order, broker_order_id, variety=variety)

    def take_executions(self) -> list[Execution]:
        """What the venue reported since the last request or take (the matcher's fills, expiries)."""
        executions, self._executions = self._executions, []
        return executions


def working_orders(account_refs: list[str] | None = None) -> Any:
    """The venue's working orders (OPEN, TRIGGER PENDING), of these accounts if given (unevaluated queryset)."""
    qs = PaperVenueOrder.objects.filter(status__in=WORKING)
    return qs if account_refs is None else qs.filter(account_ref__in=account_refs)


def match_accounts(brokers: dict[str, PaperBroker], queryset: Any, at: datetime, *, report: Any) -> int:
    """Work the venue's open orders of these accounts against the market. After each order that changed,
    `report(broker, executions)` gets what its venue reported, before the next order is worked."""
    return match_orders(
        queryset,
        at,
        venue_for=lambda ref: brokers[ref].venue,
        after_each=lambda ref: report(brokers[ref], brokers[ref].take_executions()),
    )
