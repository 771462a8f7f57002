"""A WSGI app that speaks Kite Connect v3 to the real `kiteconnect` client.

Wire facts (routes, form vs JSON bodies, envelopes, error types and HTTP codes, 19-char IST
timestamps, CSV instruments) follow /work/shared/research/kite-api.md; payload shapes follow the
official mocks in /work/shared/kite-mocks/. The trading itself is done by a `Venue` per user.

Extras that real Kite does not have (prefixed `/_sandbox/`, JSON bodies, no auth; bind to
127.0.0.1): `POST /_sandbox/faults` to inject faults, `POST /_sandbox/expire` to expire sessions,
`POST /_sandbox/request_token` to mint a login request_token, `POST /_sandbox/price` (MemoryVenue).
And `GET /connect/login` imitates Kite's login page: it approves at once and redirects to the
user's redirect URL with a request_token, like kite.zerodha.com/connect/login does after login.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from oms_project.lib.brokers import BrokerError, BrokerOrderRequest, BrokerRejected
from orders.brokers.kite.convert import session_checksum, to_kite_time

from . import render, rules
from .venue import MemoryVenue, Venue

logger = logging.getLogger(__name__)

# Kite's order-placement limit: 10 requests per calendar second per account (kite-api.md §6).
ORDER_RATE_PER_SECOND = 10
# Tag limit: 20 characters, longer is rejected (kite-api.md §6).
MAX_TAG_LENGTH = 20
PRODUCTS = {"MIS", "NRML", "CNC", "MTF"}
ORDER_TYPES = {"MARKET", "LIMIT", "SL", "SL-M"}
VARIETIES = {"regular", "amo", "iceberg", "co"}
VALIDITIES = {"DAY", "IOC", "TTL"}
INSTRUMENT_COLUMNS = [
    "instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry",
    "strike", "tick_size", "lot_size", "instrument_type", "segment", "exchange",
]  # fmt: skip


def _close_db_connections() -> None:
    """Request threads are short-lived: give back their DB connections (the venue may use the DB)."""
    try:
        from django.db import close_old_connections
    except ImportError:  # pragma: no cover
        return
    close_old_connections()


class DropConnection(Exception):
    """Raised by the app to make the server close the socket without answering."""


class KiteError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


@dataclass
class SandboxUser:
    user_id: str
    api_key: str
    api_secret: str
    venue: Venue
    redirect_url: str = "http://127.0.0.1:8000/broker/kite/callback/"
    postback_url: str = ""
    app_id: int = 1234
    access_tokens: set[str] = field(default_factory=set)
    request_tokens: set[str] = field(default_factory=set)
    order_calls: deque = field(default_factory=deque)


@dataclass
class Fault:
    """`mode`: "error" answers an error instead of doing anything; "delay" sleeps `seconds`
    AFTER the operation was done, before answering; "drop" does the operation and then closes
    the connection without an answer. `route` is a route name below (e.g. "order.place") or "*"."""

    route: str
    mode: str
    count: int = 1
    seconds: float = 0.0
    status: int = 503
    error_type: str = "NetworkException"
    message: str = "Sandbox fault"


class PostbackSender:
    """Delivers postbacks from a background thread (Kite gives an app ~2-3 s to answer)."""

    def __init__(self, sink: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self._sink = sink or self._http_post
        self._queue: deque[tuple[str, dict[str, Any]]] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.sent: list[dict[str, Any]] = []

    @staticmethod
    def _http_post(url: str, payload: dict[str, Any]) -> None:
        import urllib.request

        req = urllib.request.Request(
            url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(req, timeout=3) as resp:  # noqa: S310 - configured local/https URL
            resp.read()

    def submit(self, url: str, payload: dict[str, Any]) -> None:
        with self._cond:
            self._queue.append((url, payload))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kite-sandbox-postbacks", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if self._stopped and not self._queue:
                    return
                url, payload = self._queue.popleft()
            try:
                self._sink(url, payload)
                self.sent.append(payload)
            except Exception:  # noqa: BLE001 - a failing receiver must not stop the sandbox
                logger.warning("postback to %s failed", url, exc_info=True)
            with self._cond:
                self._cond.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()


Route = tuple[str, str, "re.Pattern[str]", str]


class KiteSandboxApp:
    """The WSGI callable. Thread-safe; one instance serves all sandbox users."""

    def __init__(
        self,
        users: Iterable[SandboxUser] = (),
        *,
        instruments: Callable[[], list[dict[str, Any]]] | None = None,
        quotes: Callable[[list[str]], dict[str, Any]] | None = None,
        postback_sink: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self.users: dict[str, SandboxUser] = {}
        self.faults: list[Fault] = []
        self.instruments_source = instruments or (lambda: [])
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._rows_read_at = 0.0
        # keys like "NSE:INFY" -> {key: (instrument_token, marketdata.types.Quote)}; unknown keys are left out
        self.quote_source = quotes or (lambda keys: {})
        self.postbacks = PostbackSender(postback_sink)
        # Set by KiteSandboxServer when it runs the ticker endpoint (kite_sandbox/ticker.py).
        self.ticker: Any = None
        self.requests_seen: list[tuple[str, str]] = []
        # Iceberg-variety orders: order id -> (legs, leg quantity), shown as `meta.iceberg` (one id for every leg).
        self.icebergs: dict[str, tuple[int, int]] = {}
        self._iceberg_tags: dict[str, tuple[int, int]] = {}  # until the id is known (a postback sent while placing)
        for user in users:
            self.add_user(user)
        self.routes: list[Route] = [
            ("POST", "api.token", re.compile(r"^/session/token$"), "session_token"),
            ("DELETE", "api.token.invalidate", re.compile(r"^/session/token$"), "session_invalidate"),
            ("GET", "user.profile", re.compile(r"^/user/profile$"), "profile"),
            ("GET", "user.margins", re.compile(r"^/user/margins$"), "margins"),
            ("GET", "user.margins.segment", re.compile(r"^/user/margins/(?P<segment>\w+)$"), "margins_segment"),
            ("POST", "order.margins", re.compile(r"^/margins/orders$"), "margins_orders"),
            ("POST", "order.margins.basket", re.compile(r"^/margins/basket$"), "margins_basket"),
            ("GET", "orders", re.compile(r"^/orders$"), "orders"),
            ("GET", "trades", re.compile(r"^/trades$"), "trades"),
            ("GET", "order.trades", re.compile(r"^/orders/(?P<order_id>[^/]+)/trades$"), "order_trades"),
            ("GET", "order.info", re.compile(r"^/orders/(?P<order_id>[^/]+)$"), "order_info"),
            ("POST", "order.place", re.compile(r"^/orders/(?P<variety>[^/]+)$"), "order_place"),
            ("PUT", "order.modify", re.compile(r"^/orders/(?P<variety>[^/]+)/(?P<order_id>[^/]+)$"), "order_modify"),
            ("DELETE", "order.cancel", re.compile(r"^/orders/(?P<variety>[^/]+)/(?P<order_id>[^/]+)$"), "order_cancel"),
            ("GET", "portfolio.positions", re.compile(r"^/portfolio/positions$"), "positions"),
            ("GET", "portfolio.holdings", re.compile(r"^/portfolio/holdings$"), "holdings"),
            ("GET", "market.instruments.all", re.compile(r"^/instruments$"), "instruments"),
            ("GET", "market.instruments", re.compile(r"^/instruments/(?P<exchange>[A-Z]+)$"), "instruments"),
            ("GET", "market.quote", re.compile(r"^/quote$"), "quote"),
            ("GET", "market.quote.ohlc", re.compile(r"^/quote/ohlc$"), "quote_ohlc"),
            ("GET", "market.quote.ltp", re.compile(r"^/quote/ltp$"), "quote_ltp"),
            ("GET", "connect.login", re.compile(r"^/connect/login/?$"), "connect_login"),
            ("POST", "sandbox.faults", re.compile(r"^/_sandbox/faults$"), "ctl_faults"),
            ("POST", "sandbox.expire", re.compile(r"^/_sandbox/expire$"), "ctl_expire"),
            ("POST", "sandbox.request_token", re.compile(r"^/_sandbox/request_token$"), "ctl_request_token"),
            ("POST", "sandbox.price", re.compile(r"^/_sandbox/price$"), "ctl_price"),
        ]
        self._public = {"api.token", "connect.login"}

    # --- users, sessions, faults (also the Python API for tests) --------------------------------

    def add_user(self, user: SandboxUser) -> SandboxUser:
        with self._lock:
            self.users[user.api_key] = user
        user.venue.add_listener(lambda order, _u=user: self._order_changed(_u, order))
        return user

    def user(self, api_key: str) -> SandboxUser:
        try:
            return self.users[api_key]
        except KeyError:
            raise KiteError(403, "TokenException", "Invalid `api_key`.") from None

    def issue_request_token(self, api_key: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.user(api_key).request_tokens.add(token)
        return token

    def issue_access_token(self, api_key: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.user(api_key).access_tokens.add(token)
        return token

    def access_token_valid(self, api_key: str, access_token: str) -> bool:
        with self._lock:
            user = self.users.get(api_key)
            return user is not None and bool(access_token) and access_token in user.access_tokens

    def expire_sessions(self, api_key: str | None = None) -> None:
        with self._lock:
            for user in self.users.values():
                if api_key is None or user.api_key == api_key:
                    user.access_tokens.clear()

    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def _take_fault(self, route: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.route in (route, "*") and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- postbacks and ticker order updates -------------------------------------------------------

    def _order_changed(self, user: SandboxUser, order: Any) -> None:
        payload = render.postback_json(
            order,
            user_id=user.user_id,
            app_id=user.app_id,
            api_secret=user.api_secret,
            iceberg=self._iceberg_of(order),
        )
        if self.ticker is not None:
            # Ticker order updates carry the postback shape with a blank checksum (kite-api.md §4.2).
            self.ticker.publish_order(user.api_key, {**payload, "checksum": ""})
        if user.postback_url:
            self.postbacks.submit(user.postback_url, payload)

    # --- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        try:
            return self._handle(environ, start_response)
        finally:
            _close_db_connections()

    def _handle(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO", "") or "/"
        self.requests_seen.append((method, path))
        try:
            route, handler, kwargs = self._resolve(method, path)
            if route.startswith("sandbox.") and environ.get("REMOTE_ADDR") not in _LOOPBACK:
                # No auth on the control endpoints: whoever reaches them could fault or expire anyone.
                raise KiteError(403, "PermissionException", "Sandbox control endpoints answer on loopback only.")
            fault = self._take_fault(route)
            if fault and fault.mode == "error":
                raise KiteError(fault.status, fault.error_type, fault.message)
            request = _Request(environ)
            if route not in self._public and not route.startswith("sandbox."):
                request.user = self._authenticate(environ)
            result = getattr(self, "h_" + handler)(request, **kwargs)
            if fault and fault.mode == "delay":
                time.sleep(fault.seconds)
            if fault and fault.mode == "drop":
                raise DropConnection()
            if isinstance(result, _Raw):
                return result.send(start_response)
            return _json(start_response, 200, {"status": "success", "data": result})
        except KiteError as exc:
            body = {"status": "error", "message": exc.message, "data": None, "error_type": exc.error_type}
            return _json(start_response, exc.status, body)
        except DropConnection:
            raise
        except Exception:  # noqa: BLE001
            logger.exception("kite sandbox: unhandled error on %s %s", method, path)
            body = {
                "status": "error",
                "message": "Something went wrong.",
                "data": None,
                "error_type": "GeneralException",
            }
            return _json(start_response, 500, body)

    def _resolve(self, method: str, path: str) -> tuple[str, str, dict[str, str]]:
        path_matched = False
        for verb, name, pattern, handler in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            path_matched = True
            if verb == method:
                return name, handler, match.groupdict()
        if path_matched:
            raise KiteError(405, "InputException", "Method not allowed.")
        raise KiteError(404, "GeneralException", "Route not found.")

    def _authenticate(self, environ: dict[str, Any]) -> SandboxUser:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, credentials = header.partition(" ")
        api_key, _, access_token = credentials.partition(":")
        with self._lock:
            user = self.users.get(api_key)
            if scheme != "token" or user is None or access_token not in user.access_tokens:
                raise KiteError(403, "TokenException", "Incorrect `api_key` or `access_token`.")
            return user

    def _count_order_call(self, user: SandboxUser) -> None:
        now = int(time.time())  # Kite counts per calendar second
        with self._lock:
            calls = user.order_calls
            while calls and calls[0] < now:
                calls.popleft()
            if len(calls) >= ORDER_RATE_PER_SECOND:
                raise KiteError(429, "NetworkException", "Too many requests")
            calls.append(now)

    # --- session ----------------------------------------------------------------------------------

    def h_session_token(self, request: _Request) -> dict[str, Any]:
        api_key = request.form_value("api_key")
        request_token = request.form_value("request_token")
        checksum = request.form_value("checksum")
        with self._lock:
            user = self.users.get(api_key)
            if user is None:
                raise KiteError(403, "TokenException", "Invalid `api_key`.")
            if request_token not in user.request_tokens:
                raise KiteError(403, "TokenException", "Token is invalid or has expired.")
            if checksum != session_checksum(api_key, request_token, user.api_secret):
                raise KiteError(403, "TokenException", "Invalid `checksum`.")
            user.request_tokens.discard(request_token)  # single use, like Kite's
            access_token = secrets.token_urlsafe(24)
            user.access_tokens.add(access_token)
        return {
            "user_type": "individual",
            "email": f"{user.user_id.lower()}@sandbox.invalid",
            "user_name": f"Sandbox {user.user_id}",
            "user_shortname": "Sandbox",
            "broker": "ZERODHA",
            "exchanges": ["NSE", "NFO", "BFO", "CDS", "BSE", "MCX", "BCD", "MF"],
            "products": ["CNC", "NRML", "MIS", "BO", "CO"],
            "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
            "avatar_url": None,
            "user_id": user.user_id,
            "api_key": user.api_key,
            "access_token": access_token,
            "public_token": secrets.token_hex(16),
            "enctoken": secrets.token_urlsafe(16),
            "refresh_token": "",
            "silo": "",
            "login_time": to_kite_time(datetime.now(UTC)),
            "meta": {"demat_consent": "physical"},
        }

    def h_session_invalidate(self, request: _Request) -> bool:
        user = self.users.get(request.query_value("api_key"))
        if user is not None:
            with self._lock:
                user.access_tokens.discard(request.query_value("access_token"))
        return True

    def h_connect_login(self, request: _Request) -> _Raw:
        user = self.users.get(request.query_value("api_key"))
        if user is None:
            raise KiteError(400, "InputException", "Invalid `api_key`.")
        params = {"request_token": self.issue_request_token(user.api_key), "action": "login", "status": "success"}
        extra = parse_qs(request.query_value("redirect_params"), keep_blank_values=True)
        params.update({k: v[0] for k, v in extra.items()})
        parts = urlsplit(user.redirect_url)
        query = "&".join(q for q in (parts.query, urlencode(params)) if q)
        location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
        return _Raw(302, b"", "text/html", [("Location", location)])

    # --- user ---------------------------------------------------------------------------------------

    def h_profile(self, request: _Request) -> dict[str, Any]:
        user = request.user
        return {
            "user_id": user.user_id,
            "user_type": "individual",
            "email": f"{user.user_id.lower()}@sandbox.invalid",
            "user_name": f"Sandbox {user.user_id}",
            "user_shortname": "Sandbox",
            "broker": "ZERODHA",
            "exchanges": ["BFO", "MCX", "NSE", "CDS", "BSE", "BCD", "MF", "NFO"],
            "products": ["CNC", "NRML", "MIS", "BO", "CO"],
            "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
            "avatar_url": None,
            "meta": {"demat_consent": "physical"},
        }

    def h_margins(self, request: _Request) -> dict[str, Any]:
        return render.margins_json(request.user.venue.funds())

    def _margin_orders(self, request: _Request) -> list[dict[str, Any]]:
        try:
            body = json.loads(request.body or b"[]")
        except ValueError:
            raise KiteError(400, "InputException", "Invalid JSON body.") from None
        if not isinstance(body, list) or not all(isinstance(o, dict) for o in body):
            raise KiteError(400, "InputException", "Expected a JSON list of orders.")
        return body

    def _margins(self, request: _Request) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
        from .margins import calculate

        user = request.user
        return calculate(
            self._margin_orders(request),
            row=self._row,
            price=lambda exchange, symbol: self._last_price(user, exchange, symbol) if self._row(exchange, symbol) else None,
        )

    def h_margins_orders(self, request: _Request) -> list[dict[str, Any]]:
        return self._margins(request)[0]

    def h_margins_basket(self, request: _Request) -> dict[str, Any]:
        per, initial, final = self._margins(request)
        return {"initial": initial, "final": final, "orders": per, "charges": final["charges"]}

    def h_margins_segment(self, request: _Request, segment: str) -> dict[str, Any]:
        if segment not in ("equity", "commodity"):
            raise KiteError(400, "InputException", "Invalid segment.")
        margins = render.margins_json(request.user.venue.funds())
        return margins[segment]

    # --- orders ----------------------------------------------------------------------------------

    def _venue_call(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except BrokerRejected as exc:
            error_type = "MarginException" if "margin" in exc.message.lower() else "InputException"
            raise KiteError(400, error_type, exc.message) from exc
        except BrokerError as exc:
            raise KiteError(503, "NetworkException", exc.message) from exc

    def h_orders(self, request: _Request) -> list[dict[str, Any]]:
        uid = request.user.user_id
        return [
            render.order_json(o, user_id=uid, iceberg=self._iceberg_of(o))
            for o in self._venue_call(request.user.venue.orders)
        ]

    def h_order_info(self, request: _Request, order_id: str) -> list[dict[str, Any]]:
        uid = request.user.user_id
        history = self._venue_call(lambda: request.user.venue.order_history(order_id))
        return [render.order_json(o, user_id=uid, iceberg=self._iceberg_of(o)) for o in history]

    def h_trades(self, request: _Request) -> list[dict[str, Any]]:
        return [render.trade_json(t) for t in self._venue_call(request.user.venue.trades)]

    def h_order_trades(self, request: _Request, order_id: str) -> list[dict[str, Any]]:
        return [render.trade_json(t) for t in self._venue_call(lambda: request.user.venue.order_trades(order_id))]

    # --- Kite's order rules (rules.py) ----------------------------------------------------------

    def _row(self, exchange: str, tradingsymbol: str) -> dict[str, Any] | None:
        """The instrument's CSV row; the list is re-read on a miss (at most once a second)."""
        key = (exchange, tradingsymbol)
        with self._lock:
            row = self._rows.get(key)
            if row is None and time.monotonic() - self._rows_read_at > 1.0:
                rows = self.instruments_source()
                self._rows = {(str(r.get("exchange")), str(r.get("tradingsymbol"))): r for r in rows}
                self._rows_read_at = time.monotonic()
                row = self._rows.get(key)
        return row

    def _last_price(self, user: SandboxUser, exchange: str, tradingsymbol: str) -> Decimal | None:
        own = getattr(user.venue, "last_price", None)
        if own is not None:
            return own(exchange, tradingsymbol)
        try:
            q = self.quote_source([f"{exchange}:{tradingsymbol}"]).get(f"{exchange}:{tradingsymbol}")
        except Exception:  # noqa: BLE001 - no price: the trigger side is not judged
            return None
        return getattr(q, "last_price", None) if q is not None else None

    def _enforce(self, user: SandboxUser, ask: rules.Ask) -> None:
        row = self._row(ask.exchange, ask.tradingsymbol)
        if row is None:
            return  # unknown here: the venue answers for it
        facts = rules.facts_from_row(row, self._last_price(user, ask.exchange, ask.tradingsymbol))
        try:
            rules.check(ask, facts)
            rules.check_amo(ask, facts, datetime.now(UTC))
        except rules.RuleViolation as exc:
            raise KiteError(400, "InputException", exc.message) from None

    def h_order_place(self, request: _Request, variety: str) -> dict[str, str]:
        order_request = _parse_place(request, variety)
        self._enforce(
            request.user,
            rules.Ask(
                exchange=order_request.exchange,
                tradingsymbol=order_request.tradingsymbol,
                transaction_type=order_request.transaction_type,
                quantity=order_request.quantity,
                product=order_request.product,
                order_type=order_request.order_type,
                price=order_request.price,
                trigger_price=order_request.trigger_price,
                autoslice=request.form_value("autoslice") == "true",
                variety=variety,
                iceberg_legs=order_request.iceberg_legs,
                iceberg_quantity=order_request.iceberg_quantity,
            ),
        )
        self._count_order_call(request.user)
        resolve = getattr(request.user.venue, "resolve_instrument", None)
        if resolve is not None:
            token = self._venue_call(lambda: resolve(order_request.exchange, order_request.tradingsymbol))
            order_request = replace(order_request, instrument_token=token)
        # An iceberg: Kite answers with the first leg's id and places each next leg when the last one filled; the
        # sandbox works the whole quantity as one order under that id and reports the leg in `meta.iceberg`.
        iceberg = (int(order_request.iceberg_legs or 0), int(order_request.iceberg_quantity or 0))
        if variety == "iceberg" and order_request.tag:
            with self._lock:
                self._iceberg_tags[order_request.tag] = iceberg
        order_id = self._venue_call(lambda: request.user.venue.place_order(order_request))
        if variety == "iceberg":
            with self._lock:
                self.icebergs[str(order_id)] = iceberg
        return {"order_id": str(order_id)}

    def _iceberg_of(self, order: Any) -> tuple[int, int] | None:
        """(legs, leg quantity) of an iceberg-variety order, by its id (or its tag while it is being placed)."""
        found = self.icebergs.get(order.broker_order_id)
        if found is None and order.tag and (order.raw or {}).get("variety") == "iceberg":
            found = self._iceberg_tags.get(order.tag)
        return found

    def h_order_modify(self, request: _Request, variety: str, order_id: str) -> dict[str, str]:
        changes: dict[str, Any] = {}
        if request.form_value("quantity"):
            changes["quantity"] = _positive_int(request.form_value("quantity"), "quantity")
        for name in ("price", "trigger_price"):
            if request.form_value(name):
                changes[name] = _price(request.form_value(name), name)
        if request.form_value("order_type"):
            changes["order_type"] = _choice(request.form_value("order_type"), ORDER_TYPES, "order_type")
            if changes["order_type"] in ("MARKET", "SL-M") and request.form_value("market_protection") in ("", "0"):
                raise KiteError(400, "InputException", _NO_PROTECTION)
        if request.form_value("validity"):
            changes["validity"] = _choice(request.form_value("validity"), VALIDITIES, "validity")
        self._enforce_modify(request.user, order_id, changes)
        self._count_order_call(request.user)
        self._venue_call(lambda: request.user.venue.modify_order(order_id, variety=variety, **changes))
        return {"order_id": order_id}

    def _enforce_modify(self, user: SandboxUser, order_id: str, changes: dict[str, Any]) -> None:
        """The order as it would be after the change, judged by the same rules (a modify cannot be sliced)."""
        try:
            history = user.venue.order_history(order_id)
        except Exception:  # noqa: BLE001 - unknown order: the venue answers for it
            return
        if not history:
            return
        o = history[-1]
        order_type = changes.get("order_type", o.order_type)
        self._enforce(
            user,
            rules.Ask(
                exchange=o.exchange,
                tradingsymbol=o.tradingsymbol,
                transaction_type=o.transaction_type,
                quantity=int(changes.get("quantity", o.quantity)),
                product=o.product,
                order_type=order_type,
                price=changes.get("price", o.price if order_type in ("LIMIT", "SL") else None),
                trigger_price=changes.get("trigger_price", o.trigger_price if order_type in ("SL", "SL-M") else None),
            ),
        )

    def h_order_cancel(self, request: _Request, variety: str, order_id: str) -> dict[str, str]:
        self._count_order_call(request.user)
        self._venue_call(lambda: request.user.venue.cancel_order(order_id, variety=variety))
        return {"order_id": order_id}

    # --- portfolio and instruments ------------------------------------------------------------

    def h_positions(self, request: _Request) -> dict[str, list[dict[str, Any]]]:
        """Kite's net and day positions, computed from the account's trades as Kite does (render.py)."""
        user = request.user
        trades = self._venue_call(user.venue.trades)
        marks = {(p.exchange, p.tradingsymbol): p.last_price for p in self._venue_call(user.venue.positions)}

        def last(exchange: str, symbol: str) -> Decimal:
            ltp = self._last_price(user, exchange, symbol)
            return Decimal(ltp if ltp is not None else marks.get((exchange, symbol), 0))

        def close(exchange: str, symbol: str) -> Decimal:
            own = getattr(user.venue, "close_price", None)
            if own is not None:
                return Decimal(own(exchange, symbol))
            try:
                q = self.quote_source([f"{exchange}:{symbol}"]).get(f"{exchange}:{symbol}")
            except Exception:  # noqa: BLE001 - no quote: Kite's close_price is then 0
                return Decimal("0")
            return Decimal(getattr(q, "close", 0) or 0) if q is not None else Decimal("0")

        today = datetime.now(UTC).astimezone(render.IST).date()
        return render.positions_payload(trades, today=today, last_price=last, close_price=close)

    def h_holdings(self, request: _Request) -> list:
        return []

    def h_instruments(self, request: _Request, exchange: str | None = None) -> _Raw:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=INSTRUMENT_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in self.instruments_source():
            if exchange is None or row.get("exchange") == exchange:
                # kiteconnect float()s last_price/strike/tick_size and int()s the token and lot size.
                out_row = {k: ("" if row.get(k) is None else row.get(k)) for k in INSTRUMENT_COLUMNS}
                for k in ("last_price", "strike", "tick_size"):
                    out_row[k] = out_row[k] if out_row[k] != "" else "0.0"
                for k in ("instrument_token", "exchange_token", "lot_size"):
                    out_row[k] = out_row[k] if out_row[k] != "" else "0"
                writer.writerow(out_row)
        return _Raw(200, out.getvalue().encode(), "text/csv")

    def _quotes(self, request: _Request) -> dict[str, Any]:
        keys = request.query.get("i") or []
        if not keys:
            raise KiteError(400, "InputException", "No instruments given.")
        return self.quote_source(keys)

    def h_quote(self, request: _Request) -> dict[str, Any]:
        return {key: render.quote_json(q) for key, q in self._quotes(request).items()}

    def h_quote_ohlc(self, request: _Request) -> dict[str, Any]:
        out = {}
        for key, q in self._quotes(request).items():
            full = render.quote_json(q)
            out[key] = {k: full[k] for k in ("instrument_token", "last_price", "ohlc")}
        return out

    def h_quote_ltp(self, request: _Request) -> dict[str, Any]:
        return {
            key: {"instrument_token": q.instrument_token, "last_price": render.num(q.last_price)}
            for key, q in self._quotes(request).items()
        }

    # --- sandbox control --------------------------------------------------------------------------

    def h_ctl_faults(self, request: _Request) -> dict[str, int]:
        body = request.json()
        allowed = {"route", "mode", "count", "seconds", "status", "error_type", "message"}
        self.inject_fault(Fault(**{k: v for k, v in body.items() if k in allowed}))
        return {"faults": len(self.faults)}

    def h_ctl_expire(self, request: _Request) -> bool:
        self.expire_sessions(request.json().get("api_key"))
        return True

    def h_ctl_request_token(self, request: _Request) -> dict[str, str]:
        return {"request_token": self.issue_request_token(request.json().get("api_key", ""))}

    def h_ctl_price(self, request: _Request) -> bool:
        body = request.json()
        venue = self.user(body.get("api_key", "")).venue
        if not isinstance(venue, MemoryVenue):
            raise KiteError(400, "InputException", "Prices come from the simulated market for this venue.")
        venue.set_price(body["exchange"], body["tradingsymbol"], Decimal(str(body["price"])))
        return True


_LOOPBACK = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})

_NO_PROTECTION = (
    "Market orders without market protection are not allowed via API. "
    "Please set market protection or use a Limit order."
)  # the text Kite answers since 1 April 2026 (kite-api.md §6)


def _choice(value: str, allowed: set[str], name: str) -> str:
    if value not in allowed:
        raise KiteError(400, "InputException", f"Invalid `{name}`.")
    return value


def _positive_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise KiteError(400, "InputException", f"Invalid `{name}`.") from None
    if number <= 0:
        raise KiteError(400, "InputException", f"Invalid `{name}`.")
    return number


def _price(value: str, name: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise KiteError(400, "InputException", f"Invalid `{name}`.") from None
    if number < 0 or not number.is_finite():
        raise KiteError(400, "InputException", f"Invalid `{name}`.")
    return number


def _parse_place(request: _Request, variety: str) -> BrokerOrderRequest:
    f = request.form_value
    _choice(variety, VARIETIES, "variety")
    for name in ("exchange", "tradingsymbol", "transaction_type", "quantity", "product", "order_type"):
        if not f(name):
            raise KiteError(400, "InputException", f"Missing `{name}`.")
    transaction_type = _choice(f("transaction_type"), {"BUY", "SELL"}, "transaction_type")
    order_type = _choice(f("order_type"), ORDER_TYPES, "order_type")
    product = _choice(f("product"), PRODUCTS, "product")
    validity = _choice(f("validity") or "DAY", VALIDITIES, "validity")
    quantity = _positive_int(f("quantity"), "quantity")
    price = _price(f("price"), "price") if f("price") else None
    trigger = _price(f("trigger_price"), "trigger_price") if f("trigger_price") else None
    if order_type in ("LIMIT", "SL") and not price:
        raise KiteError(400, "InputException", "Invalid `price`.")
    if order_type in ("SL", "SL-M") and not trigger:
        raise KiteError(400, "InputException", "Invalid `trigger_price`.")
    protection = f("market_protection")
    if order_type in ("MARKET", "SL-M") and protection in ("", "0"):
        raise KiteError(400, "InputException", _NO_PROTECTION)
    tag = f("tag")
    if len(tag) > MAX_TAG_LENGTH:
        raise KiteError(400, "InputException", "Tag length cannot be more than 20 characters.")
    return BrokerOrderRequest(
        tag=tag,
        exchange=f("exchange"),
        tradingsymbol=f("tradingsymbol"),
        instrument_token=0,
        transaction_type=transaction_type,
        quantity=quantity,
        product=product,
        order_type=order_type,
        validity=validity,
        price=price,
        trigger_price=trigger,
        validity_ttl=int(f("validity_ttl")) if f("validity_ttl").isdigit() else None,
        disclosed_quantity=int(f("disclosed_quantity")) if f("disclosed_quantity").isdigit() else 0,
        market_protection=int(protection) if protection.lstrip("-").isdigit() else None,
        variety=variety,
        # Kite's iceberg variety; a regular order ignores these (kite-api.md §2.2).
        iceberg_legs=_iceberg_int(f("iceberg_legs"), "iceberg_legs") if variety == "iceberg" else None,
        iceberg_quantity=_iceberg_int(f("iceberg_quantity"), "iceberg_quantity") if variety == "iceberg" else None,
    )


def _iceberg_int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise KiteError(400, "InputException", f"Invalid `{name}`.") from None


class _Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.user: SandboxUser = None  # type: ignore[assignment]
        self.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length) if length else b""
        content_type = environ.get("CONTENT_TYPE", "")
        self.form = (
            parse_qs(self.body.decode(), keep_blank_values=True) if "x-www-form-urlencoded" in content_type else {}
        )

    def form_value(self, name: str) -> str:
        return (self.form.get(name) or [""])[0].strip()

    def query_value(self, name: str) -> str:
        return (self.query.get(name) or [""])[0].strip()

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise KiteError(400, "InputException", "Invalid JSON body.") from None
        if not isinstance(data, dict):
            raise KiteError(400, "InputException", "Expected a JSON object.")
        return data


@dataclass
class _Raw:
    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    def send(self, start_response: Callable) -> list[bytes]:
        start_response(
            f"{self.status} {_REASONS.get(self.status, 'OK')}",
            [("Content-Type", self.content_type), ("Content-Length", str(len(self.body))), *self.headers],
        )
        return [self.body]


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}  # fmt: skip


def _json(start_response: Callable, status: int, body: dict[str, Any]) -> list[bytes]:
    return _Raw(status, json.dumps(body).encode(), "application/json").send(start_response)
