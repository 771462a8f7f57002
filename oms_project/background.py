"""Long-running background loops (market feed, paper matcher, ...), one registry for both run modes.

Each service is an async callable `run(stop: asyncio.Event) -> None` named in
settings.BACKGROUND_SERVICES. Embedded mode runs them all on the `serve` process's event loop;
production runs each in its own process with `manage.py run_service NAME` (see the Procfile).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

ServiceFn = Callable[[asyncio.Event], Awaitable[None]]


def service_names() -> list[str]:
    return list(settings.BACKGROUND_SERVICES)


def load_service(name: str) -> ServiceFn:
    try:
        return import_string(settings.BACKGROUND_SERVICES[name])
    except KeyError:
        raise KeyError(f"Unknown background service {name!r}; known: {', '.join(service_names())}") from None


async def run_supervised(name: str, stop: asyncio.Event) -> None:
    """Run one service, restarting it after a crash (with a pause) until `stop` is set."""
    fn = load_service(name)
    while not stop.is_set():
        try:
            await fn(stop)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("background service %s crashed; restarting in 2 s", name)
            try:
                await asyncio.wait_for(stop.wait(), timeout=2)
            except TimeoutError:
                pass


async def stop_services(stop: asyncio.Event, tasks: list[asyncio.Task], *, timeout: float) -> None:
    """Ask the services to stop, give them `timeout` seconds, then cancel what is left (a task awaiting a
    thread is released at once; the thread itself finishes on its own, bounded by the hard exit)."""
    stop.set()
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        logger.warning("background service %s did not stop within %.1f s; cancelling it", task.get_name(), timeout)
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=1.0)
