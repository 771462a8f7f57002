"""Pushing messages to WebSocket groups from sync code, in either run mode.

With Redis, `async_to_sync(group_send)` works from any thread or process. With the in-memory
layer (embedded mode) the layer's queues belong to the event loop of the `serve` process, so a
push from another thread (Celery worker thread, matcher thread) is handed to that loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_embedded_loop: asyncio.AbstractEventLoop | None = None


def register_embedded_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    """Called by `serve`: the loop that owns the in-memory channel layer."""
    global _embedded_loop
    _embedded_loop = loop


def group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    loop = _embedded_loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        # Sync code called on an event loop thread: schedule, never block the loop.
        running.create_task(layer.group_send(group, message))
    elif loop is not None and loop.is_running():
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.add_done_callback(_log_failure)
    else:
        async_to_sync(layer.group_send)(group, message)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Push only once the surrounding transaction has committed (never for a rolled-back change)."""
    transaction.on_commit(lambda: group_send(group, message))


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        logger.warning("push to channel layer failed: %s", future.exception())


def user_group(user_id: int, topic: str) -> str:
    """Group names per user and topic, e.g. 'user.42.alerts' (ASCII, < 100 chars)."""
    return f"user.{user_id}.{topic}"
