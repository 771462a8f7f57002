"""Strategies and per-user order preferences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from accounts.selectors import account_resolve

from .. import errors
from ..domain import (
    STRATEGY_PRESETS,
)
from ..models import OrderPreferences, Strategy
from ._common import preferences_for

STRATEGY_FIELDS = tuple(STRATEGY_PRESETS["conservative"].keys())


def strategy_create(
    *, user: AbstractBaseUser, name: str, account_id: int | None = None, preset: str = "conservative", **overrides: Any
) -> Strategy:
    """A strategy on one of the user's accounts, starting from a preset (seed 001's conservative or
    aggressive settings) with any setting overridden."""
    account = account_resolve(user=user, account_id=account_id)
    if preset not in STRATEGY_PRESETS:
        raise errors.StrategyPresetUnknown(
            f"preset must be one of {', '.join(STRATEGY_PRESETS)}.", details={"presets": list(STRATEGY_PRESETS)}
        )
    values = {**STRATEGY_PRESETS[preset], **_settings_only(overrides)}
    try:
        with transaction.atomic():
            return Strategy.objects.create(user=user, account=account, name=name, preset=preset, **_typed(values))
    except IntegrityError:
        raise errors.StrategyNameTaken() from None


@transaction.atomic
def strategy_update(*, user: AbstractBaseUser, strategy_id: int, **fields: Any) -> Strategy:
    """Change a strategy's name, active flag or settings; unknown fields are ignored."""
    strategy = Strategy.objects.select_for_update().filter(pk=strategy_id, user=user).first()
    if strategy is None:
        raise errors.StrategyNotFound()
    changes = {**_settings_only(fields), **{k: fields[k] for k in ("name", "is_active") if k in fields}}
    for key, value in _typed(changes).items():
        setattr(strategy, key, value)
    try:
        with transaction.atomic():
            strategy.save()
    except IntegrityError:
        raise errors.StrategyNameTaken() from None
    return strategy


def _settings_only(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k in STRATEGY_FIELDS}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    # Presets keep percentages as strings so they stay exact; the model wants Decimal.
    return {k: (Decimal(v) if isinstance(v, str) and k in DECIMAL_SETTINGS else v) for k, v in values.items()}


DECIMAL_SETTINGS = frozenset({"max_order_spread_pct", "margin_buffer_pct", "max_loss_per_strategy_pct"})


def preferences_update(
    *,
    user: AbstractBaseUser,
    duplicate_window_seconds: Any = None,
    duplicate_action: str | None = None,
    auto_slice: bool | None = None,
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
    prefs.save()
    return prefs
