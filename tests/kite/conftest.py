"""A local Kite Connect v3 sandbox on a free port, and a Kite account pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from accounts.services import kite_account_add
from devtools.kite_sandbox import KiteSandboxApp, KiteSandboxServer, MemoryVenue, SandboxUser

API_KEY = "sbx_api_key"
API_SECRET = "sbx_api_secret"
KITE_USER_ID = "SB0001"

INSTRUMENT_ROWS = [
    {"instrument_token": 256265, "exchange_token": 1001, "tradingsymbol": "NIFTY 50", "name": "NIFTY 50",
     "last_price": 0.0, "expiry": "", "strike": 0.0, "tick_size": 0.0, "lot_size": 0,
     "instrument_type": "EQ", "segment": "INDICES", "exchange": "NSE"},
    {"instrument_token": 12073986, "exchange_token": 47164, "tradingsymbol": "NIFTY26DEC26000CE", "name": "NIFTY",
     "last_price": 120.5, "expiry": "2026-12-29", "strike": 26000.0, "tick_size": 0.05, "lot_size": 65,
     "instrument_type": "CE", "segment": "NFO-OPT", "exchange": "NFO"},
]  # fmt: skip


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()  # postback replay fingerprints live in the cache
    yield
    cache.clear()


@pytest.fixture
def venue() -> MemoryVenue:
    return MemoryVenue()


@pytest.fixture
def postbacks() -> list[tuple[str, dict[str, Any]]]:
    return []


@pytest.fixture
def sandbox(venue: MemoryVenue, postbacks: list, settings: Any) -> Iterator[KiteSandboxApp]:
    app = KiteSandboxApp(
        [SandboxUser(user_id=KITE_USER_ID, api_key=API_KEY, api_secret=API_SECRET, venue=venue,
                     postback_url="http://testserver/api/v1/broker/kite/postback/")],
        instruments=lambda: INSTRUMENT_ROWS,
        postback_sink=lambda url, payload: postbacks.append((url, payload)),
    )  # fmt: skip
    with KiteSandboxServer(app) as server:
        settings.KITE_API_ROOT = server.url
        settings.KITE_LOGIN_URL = server.url + "/connect/login"
        app.server_url = server.url  # type: ignore[attr-defined]
        yield app


@pytest.fixture
def kite_account(db: Any, user: Any, sandbox: KiteSandboxApp) -> Any:
    return kite_account_add(
        user=user,
        api_key=API_KEY,
        api_secret=API_SECRET,
        access_token=sandbox.issue_access_token(API_KEY),
        name="Kite sandbox",
        kite_user_id=KITE_USER_ID,
    )
