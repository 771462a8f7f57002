"""The order core's side of risk's live monitor (risk/monitor.py; subscribed in orders/apps.py).

risk.square_off_requested     a strategy hit its loss cap with auto square-off on: square_off(account, strategy)
risk.position_exit_requested  a per-position guard with auto-close on: a reducing MARKET exit of that position
Both as the system actor, through the pipeline. Failures are logged (the monitor's alert already went out)."""

from __future__ import annotations

import logging
from typing import Any

from oms_project.lib.errors import DomainError

from .square_off import SYSTEM_ACTOR, square_off

logger = logging.getLogger(__name__)


def on_square_off_requested(event: Any) -> None:
    square_off(event.account_id, event.strategy_id, reason=event.reason, actor=SYSTEM_ACTOR)


def on_position_exit_requested(event: Any) -> None:
    from portfolio.models import Position

    from .positions import position_exit

    position = Position.objects.select_related("user").filter(pk=event.position_id, account_id=event.account_id).first()
    if position is None or not position.quantity:
        return
    try:
        position_exit(user=position.user, position_id=position.pk, actor=SYSTEM_ACTOR)
    except DomainError as exc:
        logger.warning("risk auto-close of position %s refused: %s %s", position.pk, exc.code, exc.message)
