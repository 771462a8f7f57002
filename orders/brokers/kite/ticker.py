"""KiteTicker order updates -> the order core (background service `kite_order_updates`).

Kite pushes `{"type": "order", "data": {...postback shape, blank checksum...}}` text frames to
every ticker connection of the user; kiteconnect's `on_order_update(ws, data)` hands us `data`
(kite-api.md §4.2). The socket is authenticated by the access token, so there is no checksum.

`run(stop)` keeps one real kiteconnect `KiteTicker` per active Kite account that has a session,
connected to settings.KITE_TICKER_ROOT, and re-reads the accounts every REFRESH_SECONDS (a new
login connects, a changed token reconnects, a cleared token or deactivated account disconnects).

Threads: kiteconnect runs on Twisted, whose reactor runs at most once per process and can't be
restarted. `_reactor_start()` runs it in one daemon thread the first time an account needs it (never
when there are no Kite accounts, so paper-only embedded mode has no reactor) and it then stays up;
every `KiteTicker.connect()`/`close()` is called on the reactor thread (`callFromThread`), where
`reactor.running` is true so connect() only adds a connection. Order updates arrive on the reactor
thread and are applied (DB work) on one worker thread, in arrival order, through
`kite_order_update_apply` -> `orders.services.order_apply_broker_update` (idempotent; replays dropped).

A refused handshake (HTTP 403: expired/invalid token) stops that ticker's retries; the account is
left alone until its token changes (a new login). Other disconnects are retried by kiteconnect.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from kiteconnect import KiteTicker

from ... import stream_status

logger = logging.getLogger(__name__)

# How often the account list is re-read (new logins, cleared tokens).
REFRESH_SECONDS = 30.0
# kiteconnect's minimum reconnect delay is 5 s (ticker.py `_minimum_reconnect_max_delay`).
RECONNECT_MAX_DELAY = 5

_reactor_lock = threading.Lock()
_reactor_thread: threading.Thread | None = None


def on_order_update_message(account: Any, data: dict[str, Any]) -> bool:
    """Apply one ticker order update; False when it was a replay."""
    from .services import kite_order_update_apply

    return kite_order_update_apply(account=account, payload=data, source="ticker")


def _reactor() -> Any:
    from twisted.internet import reactor  # kiteconnect installed the default reactor on import

    return reactor


def _reactor_start() -> Any:
    """Run the Twisted reactor in a daemon thread, once per process; returns the reactor."""
    global _reactor_thread
    reactor = _reactor()
    with _reactor_lock:
        if _reactor_thread is None and not reactor.running:
            _reactor_thread = threading.Thread(
                target=reactor.run, kwargs={"installSignalHandlers": False}, name="kite-ticker-reactor", daemon=True
            )
            _reactor_thread.start()
    return reactor


def kite_ticker_accounts() -> list[Any]:
    """Active Kite accounts that have a session (an access token) today."""
    from accounts.models import TradingAccount

    accounts = TradingAccount.objects.filter(kind=TradingAccount.Kind.KITE, is_active=True).order_by("id")
    # The token is an encrypted field: test it after decryption, not in SQL.
    return [a for a in accounts if a.kite_api_key and a.has_kite_session]


@dataclass
class AccountTicker:
    """One KiteTicker for one account's (api_key, access_token)."""

    account: Any
    apply: Any  # callable(account, data) run on the worker thread
    root: str
    ticker: Any = None
    refused: bool = False  # the server refused the token (403); don't reconnect with it
    connected: threading.Event = field(default_factory=threading.Event)

    @property
    def token(self) -> tuple[str, str]:
        return (self.account.kite_api_key, self.account.kite_access_token)

    def start(self, reactor: Any) -> None:
        ticker = KiteTicker(
            self.account.kite_api_key,
            self.account.kite_access_token,
            root=self.root,
            reconnect_max_delay=RECONNECT_MAX_DELAY,
        )
        ticker.on_order_update = self._on_order_update
        ticker.on_connect = lambda ws, response: self.connected.set()
        ticker.on_close = self._on_close
        ticker.on_error = self._on_error
        self.ticker = ticker
        reactor.callFromThread(ticker.connect, threaded=True)

    def stop(self, reactor: Any) -> None:
        if self.ticker is not None:
            reactor.callFromThread(self.ticker.close)

    def _on_order_update(self, ws: Any, data: dict[str, Any]) -> None:
        self.apply(self.account, data)

    def _on_close(self, ws: Any, code: Any, reason: Any) -> None:
        self.connected.clear()
        stream_status.stream_mark(self.account.pk, False)

    def _on_error(self, ws: Any, code: Any, reason: Any) -> None:
        text = str(reason or "")
        if "403" in text or "forbidden" in text.lower():
            # Handshake refused: the token expired or is wrong. Retrying can't help until a new login.
            self.refused = True
            if self.ticker is not None:
                self.ticker.stop_retry()
            logger.warning("kite ticker refused the session of account %s: %s", self.account.pk, text)
        else:
            logger.info("kite ticker error on account %s: %s %s", self.account.pk, code, text)


class KiteOrderUpdates:
    """The set of account tickers; `sync(accounts)` reconciles it with the current account list."""

    def __init__(self, root: str | None = None) -> None:
        self.root = root or settings.KITE_TICKER_ROOT
        self.tickers: dict[int, AccountTicker] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._reactor: Any = None
        self.applied = 0  # order updates handed to the order core (for tests/diagnostics)

    def _apply(self, account: Any, data: dict[str, Any]) -> None:
        if self._executor is not None:
            self._executor.submit(self._apply_now, account, data)

    def _apply_now(self, account: Any, data: dict[str, Any]) -> None:
        close_old_connections()
        try:
            on_order_update_message(account, data)
            self.applied += 1
        except Exception:  # noqa: BLE001 - one bad update must not stop the others
            logger.exception("kite ticker order update failed for order %s", data.get("order_id"))
        finally:
            close_old_connections()

    def sync(self, accounts: list[Any]) -> None:
        wanted = {a.pk: a for a in accounts}
        for pk in list(self.tickers):
            current = self.tickers[pk]
            account = wanted.get(pk)
            if account is None or (account.kite_api_key, account.kite_access_token) != current.token:
                current.stop(self._reactor)
                del self.tickers[pk]
        for pk, account in wanted.items():
            if pk in self.tickers:
                continue  # same token: connected, retrying, or refused until the next login
            if self._reactor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kite-order-updates")
                self._reactor = _reactor_start()
            entry = AccountTicker(account=account, apply=self._apply, root=self.root)
            entry.start(self._reactor)
            self.tickers[pk] = entry
        for pk, entry in self.tickers.items():  # shared with housekeeping's order-state sync
            stream_status.stream_mark(pk, entry.connected.is_set())

    def close(self) -> None:
        for entry in self.tickers.values():
            entry.stop(self._reactor)
        self.tickers.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        # The reactor thread stays up (daemon): Twisted can't restart a stopped reactor in this process.


async def run(stop: asyncio.Event, *, refresh_seconds: float | None = None, root: str | None = None) -> None:
    """Background service: keep a KiteTicker per logged-in Kite account until `stop` is set."""
    from asgiref.sync import sync_to_async

    interval = REFRESH_SECONDS if refresh_seconds is None else refresh_seconds
    updates = KiteOrderUpdates(root=root)
    try:
        while not stop.is_set():
            try:
                accounts = await sync_to_async(kite_ticker_accounts, thread_sensitive=False)()
                updates.sync(accounts)
            except Exception:  # noqa: BLE001 - a failed refresh keeps the current tickers
                logger.exception("kite ticker: account refresh failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
    finally:
        await asyncio.to_thread(updates.close)
