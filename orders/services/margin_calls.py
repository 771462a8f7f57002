"""The order core's side of a margin call (#10): margin sits below orders, so it publishes
`margin.call_expired` (grace over, still short, the account squares off automatically) and
`margin.call_square_off_requested` (the trader answered "Square off"); this subscriber squares the
account off through the pipeline as the system and reports back to margin."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model

from margin import monitoring

from .square_off import square_off

logger = logging.getLogger(__name__)

MARGIN_CALL_ACTOR = monitoring.SYSTEM_ACTOR


def on_margin_call_square_off(event: Any) -> None:
    user = get_user_model().objects.filter(pk=event.user_id).first()
    if user is None:
        return
    actor = getattr(event, "actor", "") or MARGIN_CALL_ACTOR
    if not actor.startswith("system"):
        actor = f"{MARGIN_CALL_ACTOR} ({actor})"
    result = square_off(
        user=user, account_id=event.account_id, actor=actor, reason=f"margin call #{event.margin_call_id}"
    )
    monitoring.margin_call_squared_off(
        margin_call_id=event.margin_call_id, order_ids=[o.pk for o in result.orders], failures=result.failures
    )
