"""Embedded mode: the whole product in one process.

uvicorn serves pages, API and WebSockets; the background services run as tasks on the same event
loop (so the in-memory channel layer reaches every browser); a real Celery worker and beat run
as threads over kombu's in-memory broker. Nothing here needs Redis or another server.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from functools import partial
from typing import Any

import uvicorn
from django.conf import settings

from oms_project.background import run_supervised, service_names, stop_services
from oms_project.lib.realtime import register_embedded_loop
from oms_project.lifecycle import arm_hard_exit, shutdown_timeout, startup_repair

logger = logging.getLogger(__name__)


def start_celery_threads() -> list[Any]:
    """A Celery worker (thread pool) and beat (DatabaseScheduler) inside this process."""
    from celery import beat
    from celery.worker import WorkController

    from oms_project.celery import app

    worker = WorkController(
        app=app,
        pool="threads",
        concurrency=2,
        hostname="embedded@localhost",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        loglevel="WARNING",
    )
    threading.Thread(target=worker.start, name="celery-worker", daemon=True).start()
    scheduler = beat.EmbeddedService(app, thread=True, scheduler_cls=settings.CELERY_BEAT_SCHEDULER)
    scheduler.start()
    return [worker, scheduler]


class _Server(uvicorn.Server):
    """uvicorn's server; the first SIGTERM/SIGINT also arms the hard exit that bounds the whole shutdown."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        arm_hard_exit(reason=f"serve shutdown after {signal.Signals(sig).name}")
        super().handle_exit(sig, frame)


async def serve(host: str, port: int, *, with_celery: bool = True, log_level: str = "info") -> None:
    """Run everything until SIGINT/SIGTERM. Shutdown is bounded: uvicorn cancels requests still running after
    `timeout_graceful_shutdown`, background services get `stop`, then are cancelled, within
    SHUTDOWN_TIMEOUT_SECONDS in all; `lifecycle.arm_hard_exit` ends the process if anything still hangs."""
    loop = asyncio.get_running_loop()
    register_embedded_loop(loop)
    if threading.current_thread() is threading.main_thread():
        # uvicorn restores this handler after its own graceful shutdown and re-raises the signal: SIGTERM then
        # unwinds like Ctrl+C (through the `finally` below) instead of killing the process on the spot.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    # One resolver pass before anything else. Embedded mode is one process and it is not serving yet, so every
    # claim already in the database was made by a previous life of it (killed mid-send): settled now, without
    # waiting for the lease. With REDIS_URL set other processes may be sending: the lease applies.
    await asyncio.to_thread(partial(startup_repair, sole_sender=not settings.PRODUCTION_MODE))
    stop = asyncio.Event()
    celery_parts = start_celery_threads() if with_celery else []
    tasks = [asyncio.create_task(run_supervised(name, stop), name=name) for name in service_names()]
    timeout = shutdown_timeout()
    config = uvicorn.Config(
        "oms_project.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        log_level=log_level,
        ws_ping_interval=20,
        timeout_graceful_shutdown=max(1.0, timeout / 2),
    )
    server = _Server(config)
    try:
        await server.serve()
    finally:
        arm_hard_exit(reason="serve shutdown")
        await stop_services(stop, tasks, timeout=max(1.0, timeout / 4))
        for part in celery_parts:
            try:
                part.stop()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                logger.debug("celery part did not stop cleanly", exc_info=True)
        register_embedded_loop(None)
