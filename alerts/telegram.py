"""Telegram delivery of CRITICAL/URGENT alerts through the Bot API (sendMessage)."""

from __future__ import annotations

import httpx

from .conf import telegram_api_root
from .models import Alert


def telegram_text(alert: Alert) -> str:
    return f"[{alert.level}] {alert.title}\n{alert.message}"


def telegram_send(*, alert: Alert, token: str, chat_id: str, transport: httpx.BaseTransport | None = None) -> int:
    """POST https://api.telegram.org/bot<token>/sendMessage; returns the HTTP status. Raises on 5xx/network."""
    url = f"{telegram_api_root()}/bot{token}/sendMessage"
    with httpx.Client(timeout=10, transport=transport) as client:
        response = client.post(url, json={"chat_id": chat_id, "text": telegram_text(alert)})
    if response.status_code >= 500:
        response.raise_for_status()
    return response.status_code
