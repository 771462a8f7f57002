"""The paper matcher step: work every open paper venue order against the simulated market, then feed what the
venue reported to the one inbound path, as a broker's postbacks would be."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .broker_updates import order_apply_executions


def paper_match_all(at: datetime | None = None) -> int:
    from accounts.models import TradingAccount
    from paper_venue.broker import PaperBroker, match_accounts, working_orders

    at = at or timezone.now()
    refs = set(working_orders().values_list("account_ref", flat=True))
    ids: dict[str, int] = {}
    for ref in refs:
        try:
            ids[ref] = int(ref.split(":", 1)[1])
        except (ValueError, IndexError):
            continue
    accounts = TradingAccount.objects.in_bulk(list(ids.values()))  # one query, not one per account each second
    brokers = {ref: PaperBroker(accounts[pk]) for ref, pk in ids.items() if pk in accounts}
    qs = working_orders(account_refs=list(brokers))

    def book(broker: PaperBroker, executions: list) -> None:
        order_apply_executions(account=broker.account, executions=executions, source="paper")

    return match_accounts(brokers, qs, at, report=book)
