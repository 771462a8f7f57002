"""Writes for alerts: raise (store + push on commit to the owner only), respond, read, expire.

Other apps call `alert_raise(...)` and `register_response_handler(type, handler)`; see the
"Alerts contract" (docs). Pushes go to the owner's group `user.<id>.alerts` only after commit.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from oms_project.lib.formatting import article
from oms_project.lib.realtime import group_send_on_commit, user_group

from .conf import telegram_bot_token
from .delivery import DeliveryPrefs, should_push, should_telegram
from .errors import AlertActionInvalid, AlertAlreadyResponded, AlertExpired, AlertNotFound, AlertTypeInvalid
from .models import Alert, AlertPreference, AlertResponse
from .selectors import alert_as_dict
from .types import EXPIRED_ACTION, AlertLevel, AlertStatus, AlertType

logger = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
ALERTS_TOPIC = "alerts"
# Channel-layer event type; the consumer's `alert_push` method forwards event["message"].
PUSH_EVENT = "alert.push"
EXPIRY_ACTOR = "system:expiry"

ResponseHandler = Callable[[Alert, str, str], None]
_handlers: dict[str, list[ResponseHandler]] = {}


def register_response_handler(alert_type: str, handler: ResponseHandler) -> None:
    """Call `handler(alert, action, actor)` inside the answering transaction for this type.

    Also called with action "EXPIRED" (actor "system:expiry") when an unanswered alert with actions
    expires. A handler raising a DomainError refuses the answer (the transaction rolls back).
    Registering the same handler twice has no effect.
    """
    handlers = _handlers.setdefault(str(alert_type), [])
    if handler not in handlers:
        handlers.append(handler)


def unregister_response_handler(alert_type: str, handler: ResponseHandler) -> None:
    handlers = _handlers.get(str(alert_type), [])
    if handler in handlers:
        handlers.remove(handler)


def _run_handlers(alert: Alert, action: str, actor: str) -> None:
    for handler in list(_handlers.get(alert.type, [])):
        handler(alert, action, actor)


def _push(alert: Alert, kind: str) -> None:
    group_send_on_commit(
        user_group(alert.user_id, ALERTS_TOPIC),
        {"type": PUSH_EVENT, "message": {"type": kind, "alert": alert_as_dict(alert)}},
    )


def _prefs_for(user_id: int) -> tuple[DeliveryPrefs, str]:
    pref = AlertPreference.objects.filter(user_id=user_id).first()
    if pref is None:
        return DeliveryPrefs(), ""
    return (
        DeliveryPrefs(
            muted_types=frozenset(pref.muted_types or []),
            min_level=pref.min_level,
            quiet_start=pref.quiet_start,
            quiet_end=pref.quiet_end,
        ),
        pref.telegram_chat_id,
    )


def alert_raise(
    *,
    user: AbstractBaseUser | None = None,
    user_id: int | None = None,
    type: str,
    level: str,
    message: str,
    title: str = "",
    payload: dict[str, Any] | None = None,
    links: dict[str, Any] | None = None,
    actions: list[str] | None = None,
    expires_in: datetime.timedelta | None = None,
) -> Alert:
    """Store an alert for `user`; push it to that user's WebSocket group once the transaction commits.

    Works inside a caller's transaction (the push waits for its commit; a rollback pushes nothing).
    Preferences decide delivery only; the alert is always stored. `user_id` instead of `user` saves the
    caller loading the user row (the order core raises fill alerts on the hot path).
    """
    if type not in AlertType.__members__ or level not in AlertLevel.__members__:
        raise AlertTypeInvalid(details={"type": type, "level": level})
    uid = user_id if user_id is not None else user.pk  # type: ignore[union-attr]
    actions = [str(a) for a in (actions or [])]
    now = timezone.now()
    prefs, chat_id = _prefs_for(uid)
    pushed = should_push(
        prefs, alert_type=type, level=level, actions=actions, now_local=timezone.localtime(now, IST).time()
    )
    with transaction.atomic():
        alert = Alert.objects.create(
            user_id=uid,
            type=type,
            level=level,
            title=title or str(type).replace("_", " ").title(),
            message=message,
            payload=payload or {},
            links=links or {},
            actions=actions,
            expires_at=(now + expires_in) if expires_in is not None else None,
            delivered=pushed,
        )
        if pushed:
            _push(alert, "alert")
        token = telegram_bot_token()
        if should_telegram(pushed=pushed, level=level, chat_id=chat_id, token=token):
            alert_id = alert.pk
            transaction.on_commit(lambda: _queue_telegram(alert_id))
    return alert


def _queue_telegram(alert_id: int) -> None:
    from .tasks import alert_telegram_send  # tasks import services; import late to avoid a cycle

    try:
        alert_telegram_send.delay(alert_id)
    except Exception:  # noqa: BLE001 - a broker hiccup must not break the caller's commit
        logger.warning("could not queue Telegram delivery of alert %s", alert_id, exc_info=True)


def alert_respond(*, user: AbstractBaseUser, alert_id: int, action: str, actor: str) -> Alert:
    """Answer an alert once with one of its actions; runs the type's handlers in the same transaction."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id, user_id=user.pk).first()
        if alert is None:
            raise AlertNotFound()
        if alert.status == AlertStatus.RESPONDED:
            raise AlertAlreadyResponded(
                details={
                    "response": alert.response,
                    "responded_at": alert.responded_at.isoformat() if alert.responded_at else None,
                }
            )
        now = timezone.now()
        if alert.status == AlertStatus.EXPIRED or (alert.expires_at is not None and alert.expires_at <= now):
            raise AlertExpired(details={"expires_at": alert.expires_at.isoformat() if alert.expires_at else None})
        if not alert.actions:
            raise AlertActionInvalid("This alert offers no actions.", details={"actions": []})
        if action not in alert.actions:
            raise AlertActionInvalid(details={"action": action, "actions": list(alert.actions)})
        alert.status = AlertStatus.RESPONDED
        alert.response = action
        alert.response_actor = actor[:80]
        alert.responded_at = now
        alert.read_at = alert.read_at or now
        alert.save(update_fields=["status", "response", "response_actor", "responded_at", "read_at", "updated_at"])
        AlertResponse.objects.create(alert=alert, action=action, actor=actor[:80])
        _run_handlers(alert, action, actor)
        _push(alert, "alert.updated")
    return alert


def alert_mark_read(*, user: AbstractBaseUser, alert_id: int) -> Alert:
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id, user_id=user.pk).first()
        if alert is None:
            raise AlertNotFound()
        if alert.read_at is None:
            alert.read_at = timezone.now()
            alert.save(update_fields=["read_at", "updated_at"])
            _push(alert, "alert.updated")
    return alert


def alert_mark_all_read(*, user: AbstractBaseUser) -> int:
    with transaction.atomic():
        now = timezone.now()
        marked = Alert.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=now, updated_at=now)
        if marked:
            group_send_on_commit(
                user_group(user.pk, ALERTS_TOPIC),
                {"type": PUSH_EVENT, "message": {"type": "alerts.read_all", "marked": marked}},
            )
    return marked


def alerts_expire_due(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Expire ACTIVE alerts past their expiry; handlers get action "EXPIRED". Idempotent."""
    now = now or timezone.now()
    ids = list(
        Alert.objects.filter(status=AlertStatus.ACTIVE, expires_at__isnull=False, expires_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:batch]
    )
    expired = 0
    for alert_id in ids:
        try:
            with transaction.atomic():
                alert = Alert.objects.select_for_update().filter(pk=alert_id, status=AlertStatus.ACTIVE).first()
                if alert is None:
                    continue
                alert.status = AlertStatus.EXPIRED
                alert.save(update_fields=["status", "updated_at"])
                if alert.actions:
                    AlertResponse.objects.create(alert=alert, action=EXPIRED_ACTION, actor=EXPIRY_ACTOR)
                    _run_handlers(alert, EXPIRED_ACTION, EXPIRY_ACTOR)
                _push(alert, "alert.updated")
                expired += 1
        except Exception:  # noqa: BLE001 - one bad handler must not stop the others expiring
            logger.exception("expiring alert %s failed", alert_id)
    return expired


@transaction.atomic
def preference_update(
    *,
    user: AbstractBaseUser,
    muted_types: list[str] | None = None,
    min_level: str | None = None,
    quiet_start: datetime.time | None = None,
    quiet_end: datetime.time | None = None,
    telegram_chat_id: str | None = None,
    clear_quiet_hours: bool = False,
) -> AlertPreference:
    pref, _ = AlertPreference.objects.select_for_update().get_or_create(user_id=user.pk)
    if muted_types is not None:
        unknown = [t for t in muted_types if t not in AlertType.__members__]
        if unknown:
            raise AlertTypeInvalid(details={"muted_types": unknown})
        pref.muted_types = sorted(set(muted_types))
    if min_level is not None:
        if min_level not in AlertLevel.__members__:
            raise AlertTypeInvalid(details={"min_level": min_level})
        pref.min_level = min_level
    if clear_quiet_hours:
        pref.quiet_start = pref.quiet_end = None
    if quiet_start is not None:
        pref.quiet_start = quiet_start
    if quiet_end is not None:
        pref.quiet_end = quiet_end
    if telegram_chat_id is not None:
        pref.telegram_chat_id = telegram_chat_id.strip()
    pref.save()
    return pref


TEST_ACTIONS = ["Acknowledge", "Dismiss"]


def alert_send_test(*, user: AbstractBaseUser, level: str = AlertLevel.INFO, with_actions: bool = False) -> Alert:
    """A SYSTEM alert to oneself, to check toasts, bots' handlers and Telegram wiring end to end."""
    return alert_raise(
        user=user,
        type=AlertType.SYSTEM,
        level=level,
        title="Test alert",
        message=f"This is {article(str(level).lower())} test alert you asked for.",
        payload={"test": True},
        actions=list(TEST_ACTIONS) if with_actions else None,
        expires_in=datetime.timedelta(minutes=10) if with_actions else None,
    )


# Channel-layer group every /ws/alerts/ socket joins, for alerts raised for many users at once.
BROADCAST_GROUP = "alerts.broadcast"
# Consumer method `alert_broadcast`: forwards the shared alert to the socket's user if it has an id in "ids".
BROADCAST_EVENT = "alert.broadcast"
# From this many recipients, one broadcast message (one Redis message per web process, fanned out
# locally to its sockets) replaces one group_send per user (several Redis round trips each, which
# took seconds for 1,000 users). Below it, per-user pushes avoid waking every socket for a few users.
BROADCAST_MIN_RECIPIENTS = 20


def alert_raise_many(
    *,
    users: list[AbstractBaseUser],
    type: str,
    level: str,
    message: str,
    title: str = "",
    payload: dict[str, Any] | None = None,
    links: dict[str, Any] | None = None,
    expires_in: datetime.timedelta | None = None,
) -> list[Alert]:
    """The same alert for many users (e.g. BROKER_DOWN to everyone): one row each, pushed on commit.

    Each user's socket only ever receives that user's own row. For many recipients the push is one
    broadcast message carrying the shared body and a user id -> alert id map, which each alerts
    socket reads server-side (see `BROADCAST_MIN_RECIPIENTS`). Informational (no actions)."""
    if type not in AlertType.__members__ or level not in AlertLevel.__members__:
        raise AlertTypeInvalid(details={"type": type, "level": level})
    now = timezone.now()
    now_ist = timezone.localtime(now, IST).time()
    prefs = {p.user_id: p for p in AlertPreference.objects.filter(user_id__in=[u.pk for u in users])}
    rows = []
    for user in users:
        pref = prefs.get(user.pk)
        delivery = (
            DeliveryPrefs(frozenset(pref.muted_types or []), pref.min_level, pref.quiet_start, pref.quiet_end)
            if pref
            else DeliveryPrefs()
        )
        rows.append(
            Alert(
                user_id=user.pk,
                type=type,
                level=level,
                title=title or str(type).replace("_", " ").title(),
                message=message,
                payload=payload or {},
                links=links or {},
                actions=[],
                expires_at=(now + expires_in) if expires_in is not None else None,
                delivered=should_push(delivery, alert_type=type, level=level, actions=[], now_local=now_ist),
            )
        )
    with transaction.atomic():
        created = Alert.objects.bulk_create(rows)
        if any(a.pk is None for a in created):  # backends without RETURNING: read the ids back
            created = list(
                Alert.objects.filter(user_id__in=[u.pk for u in users], created_at__gte=now, type=type).order_by("id")
            )
        # One timestamp for the whole batch (bulk_create stamps each row), so one shared body is exact.
        Alert.objects.filter(pk__in=[a.pk for a in created]).update(created_at=now, updated_at=now)
        for a in created:
            a.created_at = a.updated_at = now
        delivered = [a for a in created if a.delivered]
        if len(delivered) >= BROADCAST_MIN_RECIPIENTS:
            shared = alert_as_dict(delivered[0])
            del shared["id"], shared["user_id"]
            # Each socket picks its own user's alert id; no other user's alert ever reaches a client.
            group_send_on_commit(
                BROADCAST_GROUP,
                {"type": BROADCAST_EVENT, "alert": shared, "ids": {str(a.user_id): a.pk for a in delivered}},
            )
        else:
            for a in delivered:
                _push(a, "alert")
        token = telegram_bot_token()
        for a in created:
            pref = prefs.get(a.user_id)
            if should_telegram(
                pushed=a.delivered, level=level, chat_id=pref.telegram_chat_id if pref else "", token=token
            ):
                transaction.on_commit(lambda alert_id=a.pk: _queue_telegram(alert_id))
    return created
