"""The paper matcher step: work every open paper venue order against the simulated market."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def paper_match_all(at: datetime | None = None) -> int:
    from accounts.models import TradingAccount

    from ..brokers.paper.broker import PaperBroker
    from ..brokers.paper.models import PaperVenueOrder
    from ..brokers.paper.venue import WORKING as VENUE_WORKING
    from ..brokers.paper.venue import match_orders

    at = at or timezone.now()
    refs = set(PaperVenueOrder.objects.filter(status__in=VENUE_WORKING).values_list("account_ref", flat=True))
    venues = {}
    for ref in refs:
        try:
            account = TradingAccount.objects.get(pk=int(ref.split(":", 1)[1]))
        except (TradingAccount.DoesNotExist, ValueError, IndexError):
            continue
        venues[ref] = PaperBroker(account).venue
    qs = PaperVenueOrder.objects.filter(status__in=VENUE_WORKING, account_ref__in=list(venues))
    return match_orders(qs, at, venue_for=venues.__getitem__)
