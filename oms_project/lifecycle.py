"""Process lifecycle: bounded shutdown, web workers that die with their parent, the start-up repair pass.

- `arm_hard_exit(seconds)`: once a normal shutdown (SIGTERM/SIGINT) has begun, the process exits after at
  most `settings.SHUTDOWN_TIMEOUT_SECONDS`, even if a background task, an executor thread (a DB call waiting
  for a lock) or a WebSocket is still busy. The cooperative steps (uvicorn's `--timeout-graceful-shutdown`,
  cancelling background services) normally finish well before; this is the backstop.
- `watch_parent()`: a uvicorn worker (`--workers N` spawns them with multiprocessing) stops serving when
  its supervisor dies, even by `kill -9`: the kernel sends it SIGTERM (Linux `PR_SET_PDEATHSIG`, set through
  ctypes in the worker itself) and, as a portable second line, a watchdog thread polls `os.getppid()` every
  0.5 s. Either way the worker runs uvicorn's normal shutdown, which first closes the listening socket, so a
  restart can bind the port again; the hard exit bounds the rest.
- `LifespanApp`: the ASGI lifespan of the production web process (uvicorn workers; the Procfile's `web`): on
  start-up it installs the two guards above and runs one resolver pass (`orders_resolve_at_startup`) in a
  thread, so a restart after a crash repairs orders left claimed; on shutdown it arms the hard exit.
  Embedded `serve` and the tests run uvicorn with `lifespan="off"`; `serve` does the same steps itself.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_POLL_SECONDS = 0.5
DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10.0
HARD_EXIT_CODE = 128 + signal.SIGTERM  # as if the signal had ended the process

_armed = threading.Lock()
_armed_once = False


def shutdown_timeout() -> float:
    from django.conf import settings

    return float(getattr(settings, "SHUTDOWN_TIMEOUT_SECONDS", DEFAULT_SHUTDOWN_TIMEOUT_SECONDS))


def arm_hard_exit(seconds: float | None = None, *, reason: str = "shutdown") -> None:
    """Exit the process `seconds` from now unless it has exited by then (idempotent: the first call counts)."""
    global _armed_once
    with _armed:
        if _armed_once:
            return
        _armed_once = True
    delay = shutdown_timeout() if seconds is None else seconds

    def hard_exit() -> None:
        busy = sorted(t.name for t in threading.enumerate() if t is not threading.current_thread())
        logger.error("%s did not finish within %.1f s (threads: %s); exiting now", reason, delay, ", ".join(busy))
        for handler in logging.getLogger().handlers:
            try:
                handler.flush()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        os._exit(HARD_EXIT_CODE)

    timer = threading.Timer(delay, hard_exit)
    timer.name = "hard-exit"
    timer.daemon = True
    timer.start()


def bound_shutdown_on_signals() -> None:
    """Arm the hard exit on the first SIGTERM/SIGINT, then run whatever handler was installed (uvicorn's).
    Main thread only (Python's rule for signal handlers); elsewhere nothing happens."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)
        if getattr(previous, "_arms_hard_exit", False):
            continue

        def handler(signum: int, frame: Any, previous: Any = previous) -> None:
            arm_hard_exit(reason=f"shutdown after {signal.Signals(signum).name}")
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        handler._arms_hard_exit = True  # type: ignore[attr-defined]
        signal.signal(sig, handler)


def _set_parent_death_signal(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(on_orphaned: Callable[[], None] | None = None) -> bool:
    """In a multiprocessing child (a uvicorn worker): SIGTERM ourselves when the parent dies. Returns False
    (and does nothing) in a process that is not such a child."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return False
    parent_pid = parent.pid
    _set_parent_death_signal(signal.SIGTERM)

    def orphaned() -> None:
        logger.error("parent process %s is gone; worker %s shutting down", parent_pid, os.getpid())
        arm_hard_exit(reason="shutdown of an orphaned worker")
        (on_orphaned or (lambda: os.kill(os.getpid(), signal.SIGTERM)))()

    if os.getppid() != parent_pid:  # the parent died before the death signal was set
        orphaned()
        return True

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(PARENT_POLL_SECONDS):
            if os.getppid() != parent_pid:
                orphaned()
                return

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
    return True


def startup_repair(*, sole_sender: bool = False) -> None:
    from django.db import close_old_connections

    from orders.services import orders_resolve_at_startup

    try:
        orders_resolve_at_startup(sole_sender=sole_sender)
    finally:
        close_old_connections()


class LifespanApp:
    """ASGI wrapper: handles the `lifespan` scope (start-up guards and repair, bounded shutdown) and passes
    every other scope to `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                bound_shutdown_on_signals()
                watch_parent()
                threading.Thread(target=startup_repair, name="startup-repair", daemon=True).start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                arm_hard_exit(reason="web worker shutdown")
                await send({"type": "lifespan.shutdown.complete"})
                return
