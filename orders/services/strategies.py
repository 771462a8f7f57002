"""Per-user order preferences. Strategies are the portfolio's (`portfolio.services.strategy_create/update`),
re-exported here for the order core's interface (`orders.services`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from portfolio.services import STRATEGY_FIELDS, strategy_create, strategy_update

from .. import errors
from ..models import OrderPreferences
from ._common import preferences_for

__all__ = ["STRATEGY_FIELDS", "preferences_update", "strategy_create", "strategy_update"]


def preferences_update(
    *,
    user: AbstractBaseUser,
    duplicate_window_seconds: Any = None,
    duplicate_action: str | None = None,
    auto_slice: bool | None = None,
    confirm_market_orders: bool | None = None,
) -> OrderPreferences:
    prefs = preferences_for(user)
    if duplicate_window_seconds is not None:
        prefs.duplicate_window_seconds = Decimal(str(duplicate_window_seconds))
    if duplicate_action is not None:
        if duplicate_action not in OrderPreferences.DuplicateAction.values:
            raise errors.InvalidOrderField("duplicate_action must be REFUSE or CONFIRM.")
        prefs.duplicate_action = duplicate_action
    if auto_slice is not None:
        prefs.auto_slice = auto_slice
    if confirm_market_orders is not None:
        prefs.confirm_market_orders = confirm_market_orders
    prefs.save()
    return prefs
