"""A background service that ignores `stop` and blocks a worker thread (as a DB call waiting on a lock does):
what a bounded shutdown must survive. Used by test_process_hygiene.py through BACKGROUND_SERVICES."""

from __future__ import annotations

import asyncio
import time


async def run(stop: asyncio.Event) -> None:
    print("STUBBORN READY", flush=True)  # noqa: T201
    while True:
        await asyncio.to_thread(time.sleep, 120)
