"""Reads for alerts, always scoped to their owner (someone else's alert is 'not found')."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from .errors import AlertNotFound
from .models import Alert, AlertPreference

# Replay after a reconnect returns at most this many alerts (the newest ones).
REPLAY_LIMIT = 500


def _iso(value: Any) -> str | None:
    # Same rendering as the rest of the API (DRF): the instant with the Asia/Kolkata offset.
    return timezone.localtime(value).isoformat() if value is not None else None


def alert_as_dict(alert: Alert) -> dict[str, Any]:
    """The one JSON shape of an alert: API responses and WebSocket pushes both use it."""
    return {
        "id": alert.pk,
        "user_id": alert.user_id,
        "type": alert.type,
        "level": alert.level,
        "title": alert.title,
        "message": alert.message,
        "payload": alert.payload,
        "links": alert.links,
        "actions": list(alert.actions),
        "status": alert.status,
        "is_read": alert.read_at is not None,
        "read_at": _iso(alert.read_at),
        "response": alert.response or None,
        "response_actor": alert.response_actor or None,
        "responded_at": _iso(alert.responded_at),
        "expires_at": _iso(alert.expires_at),
        "created_at": _iso(alert.created_at),
        "updated_at": _iso(alert.updated_at),
    }


def alert_list(
    *,
    user: AbstractBaseUser,
    unread: bool | None = None,
    level: str | None = None,
    type: str | None = None,
    status: str | None = None,
) -> QuerySet[Alert]:
    qs = Alert.objects.filter(user=user)
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    if level:
        qs = qs.filter(level=level)
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def alert_get(*, user: AbstractBaseUser, alert_id: int) -> Alert:
    try:
        return Alert.objects.get(pk=alert_id, user=user)
    except (Alert.DoesNotExist, ValueError, TypeError):
        raise AlertNotFound() from None


def alert_unread_count(*, user: AbstractBaseUser) -> int:
    return Alert.objects.filter(user=user, read_at__isnull=True).count()


def alerts_since(*, user_id: int, since_id: int, limit: int = REPLAY_LIMIT) -> list[Alert]:
    """The owner's alerts with id > since_id, oldest first, capped to the newest `limit`."""
    newest = list(Alert.objects.filter(user_id=user_id, pk__gt=since_id).order_by("-id")[:limit])
    newest.reverse()
    return newest


def alerts_changed_since(
    *, user_id: int, changed_since: datetime.datetime, max_id: int, limit: int = REPLAY_LIMIT
) -> list[Alert]:
    """The owner's alerts with id <= max_id changed (read, answered, expired) after `changed_since`,
    oldest change first, capped to the `limit` most recent changes. (Alerts with a higher id are
    replayed as new alerts, already in their current state.)"""
    newest = list(
        Alert.objects.filter(user_id=user_id, pk__lte=max_id, updated_at__gt=changed_since).order_by(
            "-updated_at", "-id"
        )[:limit]
    )
    newest.reverse()
    return newest


def alert_last_id(*, user_id: int) -> int:
    return Alert.objects.filter(user_id=user_id).order_by("-id").values_list("id", flat=True).first() or 0


def preference_get(*, user: AbstractBaseUser) -> AlertPreference:
    """The user's preferences (unsaved defaults when none are stored)."""
    pref = AlertPreference.objects.filter(user=user).first()
    return pref if pref is not None else AlertPreference(user=user)
