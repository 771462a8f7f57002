"""Alerts over HTTP (`AlertsAPI`) and the live event stream (`EventHub`).

EventHub runs a background thread per WebSocket (`/ws/alerts/`, and `/ws/orders/` once an order
handler is registered). It reconnects by itself with backoff and, after a reconnect, asks the
server to replay the alerts it missed since the last id it saw (so `on_alert` handlers see every
alert once) and the alerts that changed meanwhile (read, answered, expired: `on_alert_update`
handlers see each change once, even if it was made while the socket was down).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from datetime import datetime
from datetime import time as dtime
from typing import Any

from ._http import HttpSession
from .models.alerts import Alert, AlertPreferences, OrderUpdate, alert_from_dict

logger = logging.getLogger("stocksblitz_sdk.events")

AlertHandler = Callable[[Alert], None]
OrderHandler = Callable[[OrderUpdate], None]

MARGIN_TYPES = frozenset({"MARGIN_WARNING", "MARGIN_CALL"})
MARGIN_CHANGE_TYPES = frozenset({"MARGIN_CHANGE"})
RISK_TYPES = frozenset({"RISK_BREACH", "KILL_SWITCH", "GREEKS_LIMIT"})


class AlertsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def iter(
        self,
        *,
        unread: bool | None = None,
        level: str | None = None,
        type: str | None = None,
        status: str | None = None,
    ) -> Iterator[Alert]:
        params = {"unread": _bool(unread), "level": level, "type": type, "status": status}
        for row in self._http.paginate("/alerts/", params):
            yield alert_from_dict(row)

    def list(
        self,
        *,
        unread: bool | None = None,
        level: str | None = None,
        type: str | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[Alert]:
        """The newest `limit` alerts (newest first) matching the filters."""
        params = {"unread": _bool(unread), "level": level, "type": type, "status": status, "limit": limit}
        page = self._http.request("GET", "/alerts/", params=params)
        return [alert_from_dict(row) for row in page["results"]]

    def list_for_user(self, user_id: int, *, limit: int = 100) -> list[Alert]:
        page = self._http.request("GET", f"/users/{user_id}/alerts/", params={"limit": limit})
        return [alert_from_dict(row) for row in page["results"]]

    def get(self, alert_id: int) -> Alert:
        return alert_from_dict(self._http.request("GET", f"/alerts/{alert_id}/"))

    def respond(self, alert_id: int, action: str) -> Alert:
        """Answer an alert with one of its `actions` (once; raises AlertAlreadyRespondedError after)."""
        return alert_from_dict(self._http.request("POST", f"/alerts/{alert_id}/respond/", json={"action": action}))

    def mark_read(self, alert_id: int) -> Alert:
        return alert_from_dict(self._http.request("PUT", f"/alerts/{alert_id}/mark-read/"))

    def mark_all_read(self) -> int:
        return int(self._http.request("POST", "/alerts/mark-all-read/")["marked"])

    def preferences(self) -> AlertPreferences:
        return AlertPreferences.model_validate(self._http.request("GET", "/alerts/preferences/"))

    def update_preferences(
        self,
        *,
        muted_types: list[str] | None = None,
        min_level: str | None = None,
        quiet_start: dtime | str | None = None,
        quiet_end: dtime | str | None = None,
        telegram_chat_id: str | None = None,
    ) -> AlertPreferences:
        body: dict[str, Any] = {}
        if muted_types is not None:
            body["muted_types"] = muted_types
        if min_level is not None:
            body["min_level"] = min_level
        if quiet_start is not None:
            body["quiet_start"] = str(quiet_start)
        if quiet_end is not None:
            body["quiet_end"] = str(quiet_end)
        if telegram_chat_id is not None:
            body["telegram_chat_id"] = telegram_chat_id
        return AlertPreferences.model_validate(self._http.request("PUT", "/alerts/preferences/", json=body))


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


class EventHub:
    """Background listener dispatching live alerts and order updates to handlers.

    Handlers run on the listener thread; keep them short (hand heavy work to your own queue).
    An exception in a handler is logged and does not stop the listener.
    """

    ALERTS_PATH = "/ws/alerts/"
    ORDERS_PATH = "/ws/orders/"
    MAX_BACKOFF = 10.0
    SEEN_MEMORY = 5000

    def __init__(self, http: HttpSession, *, initial_backoff: float = 0.5) -> None:
        self._http = http
        self._initial_backoff = initial_backoff
        self._alert_handlers: list[tuple[frozenset[str] | None, AlertHandler]] = []
        self._update_handlers: list[AlertHandler] = []
        self._order_handlers: list[OrderHandler] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._sockets: dict[str, Any] = {}
        self._seen: deque[int] = deque(maxlen=self.SEEN_MEMORY)
        self._seen_set: set[int] = set()
        self.last_alert_id: int | None = None
        # Server-time cursor: alerts changed after it are re-sent (as updates) on the next reconnect.
        self.synced_at: datetime | None = None
        self._versions: OrderedDict[int, str] = OrderedDict()  # alert id -> last updated_at dispatched
        self._snapshots: OrderedDict[tuple[str, Any], datetime] = OrderedDict()  # (kind, id) -> updated_at
        self.connected = {self.ALERTS_PATH: threading.Event(), self.ORDERS_PATH: threading.Event()}
        self.connections = {self.ALERTS_PATH: 0, self.ORDERS_PATH: 0}
        self.last_error: str | None = None

    # -- registration (usable as decorators) --------------------------------------------------
    def on_alert(self, handler: AlertHandler) -> AlertHandler:
        """Every new alert (typed: MarginWarningAlert, RiskBreachAlert, OrderAlert, ...)."""
        self._alert_handlers.append((None, handler))
        return handler

    def on_margin_warning(self, handler: AlertHandler) -> AlertHandler:
        """MARGIN_WARNING and MARGIN_CALL alerts."""
        self._alert_handlers.append((MARGIN_TYPES, handler))
        return handler

    def on_margin_change(self, handler: AlertHandler) -> AlertHandler:
        """MARGIN_CHANGE alerts (required margin moved > 10%, or an exchange margin change)."""
        self._alert_handlers.append((MARGIN_CHANGE_TYPES, handler))
        return handler

    def on_risk_breach(self, handler: AlertHandler) -> AlertHandler:
        """RISK_BREACH, KILL_SWITCH and GREEKS_LIMIT alerts."""
        self._alert_handlers.append((RISK_TYPES, handler))
        return handler

    def on_alert_type(self, *types: str) -> Callable[[AlertHandler], AlertHandler]:
        def register(handler: AlertHandler) -> AlertHandler:
            self._alert_handlers.append((frozenset(types), handler))
            return handler

        return register

    def on_alert_update(self, handler: AlertHandler) -> AlertHandler:
        """An alert changed (answered, expired, read)."""
        self._update_handlers.append(handler)
        return handler

    def on_order_update(self, handler: OrderHandler) -> OrderHandler:
        """Order, trade and position updates from /ws/orders/."""
        self._order_handlers.append(handler)
        if self.running:
            self._start_thread(self.ORDERS_PATH)
        return handler

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads.values()) and not self._stop.is_set()

    def start(self, *, since_id: int | None = None, changed_since: datetime | None = None) -> None:
        """Start listening in the background. `since_id`: also replay alerts newer than this id;
        `changed_since` (aware datetime, with `since_id`): also re-send alerts changed after it."""
        if self.running:
            return
        self._stop.clear()
        if since_id is not None:
            self.last_alert_id = since_id
        if changed_since is not None:
            self.synced_at = changed_since
        self._start_thread(self.ALERTS_PATH)
        if self._order_handlers:
            self._start_thread(self.ORDERS_PATH)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            sockets = list(self._sockets.values())
        for ws in sockets:
            try:
                ws.close()
            except Exception:  # noqa: BLE001
                pass
        for thread in list(self._threads.values()):
            if thread is not threading.current_thread():
                thread.join(timeout)
        self._threads.clear()

    def wait_connected(self, timeout: float = 10.0, path: str = ALERTS_PATH) -> bool:
        return self.connected[path].wait(timeout)

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until every socket this hub started is connected (True), or `timeout` passes (False)."""
        deadline = time.monotonic() + timeout
        return all(self.connected[path].wait(max(0.0, deadline - time.monotonic())) for path in list(self._threads))

    def _start_thread(self, path: str) -> None:
        with self._lock:
            thread = self._threads.get(path)
            if thread is not None and thread.is_alive():
                return
            thread = threading.Thread(target=self._run, args=(path,), name=f"stocksblitz-events{path}", daemon=True)
            self._threads[path] = thread
        thread.start()

    # -- the loop ----------------------------------------------------------------------------
    def _run(self, path: str) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        backoff = self._initial_backoff
        url = self._http.ws_url(path)
        while not self._stop.is_set():
            try:
                with connect(url, additional_headers=self._http.auth_headers, open_timeout=10, close_timeout=2) as ws:
                    with self._lock:
                        self._sockets[path] = ws
                    self.connections[path] += 1
                    self.connected[path].set()
                    backoff = self._initial_backoff
                    self._read_loop(path, ws)
            except (ConnectionClosed, InvalidStatus, OSError, TimeoutError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 - keep listening whatever happens
                self.last_error = f"{type(exc).__name__}: {exc}"
                logger.exception("event listener on %s failed", path)
            finally:
                self.connected[path].clear()
                with self._lock:
                    self._sockets.pop(path, None)
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.MAX_BACKOFF)

    def _read_loop(self, path: str, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        while not self._stop.is_set():
            try:
                raw = ws.recv(timeout=1.0)
            except TimeoutError:
                continue
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == 4401:
                    self.last_error = "authentication refused (check the API key)"
                raise
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if path == self.ALERTS_PATH:
                self._on_alert_message(ws, message)
            else:
                self._on_order_message(message)

    def _on_alert_message(self, ws: Any, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "hello":
            if self.last_alert_id is None:
                self.last_alert_id = int(message.get("last_id") or 0)  # first connect: from now on
                self._advance(message.get("server_time"))
            else:
                request: dict[str, Any] = {"action": "replay", "since_id": self.last_alert_id}
                if self.synced_at is not None:
                    request["changed_since"] = self.synced_at.isoformat()
                ws.send(json.dumps(request))
        elif kind == "alert":
            data = message.get("alert") or {}
            alert_id = int(data.get("id", 0))
            self._advance(data.get("updated_at"))
            if alert_id in self._seen_set:
                return
            self._remember(alert_id)
            self._version_seen(alert_id, data.get("updated_at"))
            if self.last_alert_id is None or alert_id > self.last_alert_id:
                self.last_alert_id = alert_id
            self._dispatch_alert(alert_from_dict(data))
        elif kind == "alert.updated":
            data = message.get("alert") or {}
            self._advance(data.get("updated_at"))
            if not self._version_seen(int(data.get("id", 0)), data.get("updated_at")):
                alert = alert_from_dict(data)
                for handler in list(self._update_handlers):
                    self._call(handler, alert)
        elif kind == "replay.done":
            last = int(message.get("last_id") or 0)
            if self.last_alert_id is None or last > self.last_alert_id:
                self.last_alert_id = last
            self._advance(message.get("server_time"))

    def _advance(self, server_time: Any) -> None:
        try:
            when = datetime.fromisoformat(str(server_time)) if server_time else None
        except ValueError:
            return
        if when is not None and when.tzinfo is not None and (self.synced_at is None or when > self.synced_at):
            self.synced_at = when

    def _version_seen(self, alert_id: int, updated_at: Any) -> bool:
        """Remember this state of the alert; True if it was already dispatched (a re-sent update)."""
        if not updated_at:
            return False
        seen = self._versions.get(alert_id) == updated_at
        self._versions[alert_id] = str(updated_at)
        self._versions.move_to_end(alert_id)
        while len(self._versions) > self.SEEN_MEMORY:
            self._versions.popitem(last=False)
        return seen

    def _remember(self, alert_id: int) -> None:
        if len(self._seen) == self._seen.maxlen:
            self._seen_set.discard(self._seen[0])
        self._seen.append(alert_id)
        self._seen_set.add(alert_id)

    def _dispatch_alert(self, alert: Alert) -> None:
        for types, handler in list(self._alert_handlers):
            if types is None or alert.type in types:
                self._call(handler, alert)

    def _on_order_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind not in ("order", "trade", "position"):
            return
        update = OrderUpdate(kind=kind, data=message.get(kind) or {})
        if self._is_stale(update):
            return
        for handler in list(self._order_handlers):
            self._call(handler, update)

    def _is_stale(self, update: OrderUpdate) -> bool:
        """The Redis channel layer does not guarantee delivery order (django/channels_redis#89,
        #151): drop an order/position snapshot older than one already delivered for the same object."""
        if update.kind not in ("order", "position") or update.id is None:
            return False
        try:
            stamp = datetime.fromisoformat(str(update.data.get("updated_at")))
        except ValueError:
            return False
        key = (update.kind, update.id)
        last = self._snapshots.get(key)
        if last is not None and stamp < last:
            return True
        self._snapshots[key] = stamp
        self._snapshots.move_to_end(key)
        while len(self._snapshots) > self.SEEN_MEMORY:
            self._snapshots.popitem(last=False)
        return False

    @staticmethod
    def _call(handler: Callable[[Any], None], arg: Any) -> None:
        try:
            handler(arg)
        except Exception:  # noqa: BLE001
            logger.exception("event handler %r failed", handler)


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> bool:
    """Small helper for scripts and tests: poll until `predicate()` is true or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
