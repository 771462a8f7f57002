"""Embedded mode: the whole product in one process.

uvicorn serves pages, API and WebSockets; the background services run as tasks on the same event
loop (so the in-memory channel layer reaches every browser); a real Celery worker and beat run
as threads over kombu's in-memory broker. Nothing here needs Redis or another server.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import uvicorn
from django.conf import settings

from oms_project.background import run_supervised, service_names
from oms_project.lib.realtime import register_embedded_loop

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


async def serve(host: str, port: int, *, with_celery: bool = True, log_level: str = "info") -> None:
    loop = asyncio.get_running_loop()
    register_embedded_loop(loop)
    stop = asyncio.Event()
    celery_parts = start_celery_threads() if with_celery else []
    tasks = [asyncio.create_task(run_supervised(name, stop), name=name) for name in service_names()]
    config = uvicorn.Config(
        "oms_project.asgi:application", host=host, port=port, lifespan="off", log_level=log_level, ws_ping_interval=20
    )
    server = uvicorn.Server(config)
    try:
        await server.serve()
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for part in celery_parts:
            try:
                part.stop()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                logger.debug("celery part did not stop cleanly", exc_info=True)
        register_embedded_loop(None)
