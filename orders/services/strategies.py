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
    account = account_resolve(user=user, account_id=account_id)
    if preset not in STRATEGY_PRESETS:
        raise errors.InvalidOrderField(f"preset must be one of {', '.join(STRATEGY_PRESETS)}.")
    values = {**STRATEGY_PRESETS[preset], **{k: v for k, v in overrides.items() if k in STRATEGY_FIELDS}}
    values = {k: (Decimal(v) if isinstance(v, str) else v) for k, v in values.items()}
    try:
        with transaction.atomic():
            return Strategy.objects.create(user=user, account=account, name=name, preset=preset, **values)
    except IntegrityError:
        raise errors.InvalidOrderField("You already have a strategy with this name.") from None


def strategy_update(*, user: AbstractBaseUser, strategy_id: int, **fields: Any) -> Strategy:
    strategy = Strategy.objects.filter(pk=strategy_id, user=user).first()
    if strategy is None:
        raise errors.StrategyNotFound()
    for k, v in fields.items():
        if k in STRATEGY_FIELDS or k in ("name", "is_active"):
            setattr(strategy, k, v)
    strategy.save()
    return strategy


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
