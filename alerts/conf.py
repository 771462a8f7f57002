"""Alert settings read at call time (so tests can override them)."""

from __future__ import annotations

import os

from django.conf import settings

TELEGRAM_API_ROOT = "https://api.telegram.org"


def telegram_bot_token() -> str:
    """TELEGRAM_BOT_TOKEN from settings, else from the environment; empty disables Telegram."""
    return getattr(settings, "TELEGRAM_BOT_TOKEN", None) or os.environ.get("TELEGRAM_BOT_TOKEN", "")


def telegram_api_root() -> str:
    return getattr(settings, "TELEGRAM_API_ROOT", None) or TELEGRAM_API_ROOT
