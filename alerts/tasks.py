"""Celery tasks: Telegram delivery (fired on commit) and the periodic expiry (beat)."""

from __future__ import annotations

import logging

import httpx
from celery import shared_task

from .conf import telegram_bot_token
from .models import Alert, AlertPreference
from .services import alerts_expire_due
from .telegram import telegram_send

logger = logging.getLogger(__name__)

EXPIRE_TASK_NAME = "alerts.expire_due"
TELEGRAM_TASK_NAME = "alerts.telegram_send"

# Tests inject an httpx.MockTransport here; production leaves it None (real network).
telegram_transport: httpx.BaseTransport | None = None


@shared_task(name=EXPIRE_TASK_NAME, ignore_result=True)
def alerts_expire_due_task() -> int:
    return alerts_expire_due()


@shared_task(
    name=TELEGRAM_TASK_NAME, ignore_result=True, autoretry_for=(httpx.HTTPError,), retry_backoff=True, max_retries=3
)
def alert_telegram_send(alert_id: int) -> int | None:
    token = telegram_bot_token()
    alert = Alert.objects.filter(pk=alert_id).first()
    pref = AlertPreference.objects.filter(user_id=alert.user_id).first() if alert else None
    if not token or alert is None or pref is None or not pref.telegram_chat_id:
        return None
    status = telegram_send(alert=alert, token=token, chat_id=pref.telegram_chat_id, transport=telegram_transport)
    if status >= 400:
        logger.warning("Telegram refused alert %s: HTTP %s", alert_id, status)
    return status
