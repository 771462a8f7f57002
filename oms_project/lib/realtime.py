"""Pushing messages to WebSocket groups from sync code, in either run mode.

With Redis (production) a push from a plain thread (a request thread under ASGI, a Celery worker,
the matcher) is handed to ONE background sender per process: a daemon thread with its own event
loop and Redis pool that sends in order per group and concurrently across groups. The caller never
blocks on Redis (`async_to_sync(group_send)` from a request thread used to cost a hop onto the busy
server loop and several Redis round trips per push, inside the request's latency). Pending pushes
are flushed at interpreter exit (a short-lived `manage.py shell` push still arrives).
With the in-memory layer (embedded mode) the layer's queues belong to the event loop of the `serve`
process, so a push from another thread is handed to that loop.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
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
    elif not isinstance(layer, InMemoryChannelLayer):
        _background_sender().send(layer, group, message)
    else:
        async_to_sync(layer.group_send)(group, message)


class _BackgroundSender:
    """One daemon thread + event loop per process; FIFO per group, groups sent concurrently."""

    FLUSH_AT_EXIT_SECONDS = 3.0

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._queue: collections.deque[tuple[Any, str, dict[str, Any]]] = collections.deque()
        self._pending = 0
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._wake = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="oms-push-sender", daemon=True)
        self._thread.start()

    def send(self, layer: Any, group: str, message: dict[str, Any]) -> None:
        with self._cond:
            self._queue.append((layer, group, message))
            self._pending += 1
        self._loop.call_soon_threadsafe(self._wake.set)

    def flush(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._pending == 0, timeout=timeout)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._cond:
                batch = list(self._queue)
                self._queue.clear()
            if not batch:
                continue
            per_group: dict[tuple[int, str], list[tuple[Any, dict[str, Any]]]] = {}
            for layer, group, message in batch:
                per_group.setdefault((id(layer), group), []).append((layer, message))
            await asyncio.gather(*(self._send_in_order(group, items) for (_, group), items in per_group.items()))
            with self._cond:
                self._pending -= len(batch)
                self._cond.notify_all()

    @staticmethod
    async def _send_in_order(group: str, items: list[tuple[Any, dict[str, Any]]]) -> None:
        for layer, message in items:
            try:
                await layer.group_send(group, message)
            except Exception as exc:  # a lost push must never break the sender
                logger.warning("push to %s failed: %s", group, exc)


_sender: _BackgroundSender | None = None
_sender_lock = threading.Lock()


def _background_sender() -> _BackgroundSender:
    global _sender
    if _sender is None or _sender.pid != os.getpid():  # a forked child starts its own
        with _sender_lock:
            if _sender is None or _sender.pid != os.getpid():
                _sender = _BackgroundSender()
    return _sender


def flush_pushes(timeout: float = _BackgroundSender.FLUSH_AT_EXIT_SECONDS) -> bool:
    """Wait until the background sender has sent everything queued so far (True if it did in time)."""
    sender = _sender
    if sender is None or sender.pid != os.getpid():
        return True
    return sender.flush(timeout)


atexit.register(flush_pushes)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Push only once the surrounding transaction has committed (never for a rolled-back change)."""
    transaction.on_commit(lambda: group_send(group, message))


def _log_failure(future: Any) -> None:
    if future.exception() is not None:
        logger.warning("push to channel layer failed: %s", future.exception())


def user_group(user_id: int, topic: str) -> str:
    """Group names per user and topic, e.g. 'user.42.alerts' (ASCII, < 100 chars)."""
    return f"user.{user_id}.{topic}"
