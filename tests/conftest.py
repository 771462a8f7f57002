"""Shared fixtures: users, API clients authenticated by real API keys, service requirements, the clock.

The clock: `pytest --at "2027-01-04 10:00 IST"` runs the whole session at that instant (the clock
ticks on from there); a test that depends on a particular date or time pins it itself with the
`travel_to` fixture (or `time_machine.travel`). See tests/README.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from accounts.services import api_key_create

IN_CI = bool(os.environ.get("CI"))

IST = timezone(timedelta(hours=5, minutes=30), "IST")
_AT_FORMAT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?\s*(IST|UTC|Z)?$")


def parse_instant(text: str) -> datetime:
    """'2027-01-04', '2027-01-04 10:00 IST', '2027-01-04T04:30 UTC' -> an aware datetime (IST unless said)."""
    match = _AT_FORMAT.match(text.strip())
    if match is None:
        raise pytest.UsageError(f"--at {text!r}: expected 'YYYY-MM-DD[ HH:MM[:SS]] [IST|UTC]'")
    day, clock, zone = match.groups()
    naive = datetime.fromisoformat(f"{day}T{clock or '10:00'}")
    return naive.replace(tzinfo=UTC if zone in ("UTC", "Z") else IST)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        default=None,
        metavar="INSTANT",
        help="run the whole session with the clock pinned at INSTANT ('2027-01-04 10:00 IST'); it ticks from there",
    )


_session_travel: Any = None


def pytest_configure(config: pytest.Config) -> None:
    global _session_travel
    at = config.getoption("--at", default=None)
    if at:
        _session_travel = time_machine.travel(parse_instant(at), tick=True)
        _session_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


# Folders and files whose tests build their world for "today" (instruments expiring in 30 days, market
# hours, the demo master, quiet hours): every test in them counts as date-sensitive. Elsewhere a test opts
# in with `@pytest.mark.dates`. scripts/test-dates reruns `-m dates` at each pinned instant. The order core
# is represented by the suites that walk an order through its life (the rest of tests/orders is about
# shapes, codes and queries, the same on any day, and would make the matrix longer than the suite).
DATE_SENSITIVE_PATHS = (
    "test_clock.py",
    "marketdata/",
    "portfolio/",
    "alerts/",
    "orders/test_api.py",
    "orders/test_paper_flow.py",
    "orders/test_pipeline.py",
    "orders/test_brackets.py",
    "orders/test_crash_recovery.py",
    "orders/test_safe_submission.py",
    "orders/test_exchange_rules.py",
    "orders/ui/test_order_pages.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        try:
            relative = Path(item.path).relative_to(root).as_posix()
        except ValueError:
            continue
        if relative.startswith(DATE_SENSITIVE_PATHS) and item.get_closest_marker("clock_free") is None:
            item.add_marker(pytest.mark.dates)
    # Tests that cannot apply to this session are deselected, never skipped (a skip under CI must mean nothing
    # is missing): `needs_at` without --at; `sqlite_only` when the test database is not embedded mode's SQLite
    # (scripts/test runs those on SQLite in their own invocation).
    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "oms_project.sqlite3"
    cannot = [
        i for i in items
        if (i.get_closest_marker("needs_at") and not config.getoption("--at"))
        or (i.get_closest_marker("sqlite_only") and not on_sqlite)
    ]
    if cannot:
        config.hook.pytest_deselected(items=cannot)
        items[:] = [i for i in items if i not in cannot]
    # In the date matrix (`--at` with `-m dates`), a test that pins its own clock (the `travel_to` fixture,
    # directly or through one such as small_master) means the same at every instant: run it once, in the
    # main suite, not eight more times.
    if config.getoption("--at") and "dates" in (config.option.markexpr or ""):
        pinned = [i for i in items if "travel_to" in getattr(i, "fixturenames", ())]
        if pinned:
            config.hook.pytest_deselected(items=pinned)
            items[:] = [i for i in items if "travel_to" not in getattr(i, "fixturenames", ())]


def pytest_report_header(config: pytest.Config) -> str | None:
    at = config.getoption("--at", default=None)
    return f"clock pinned at {parse_instant(at).isoformat()} (--at)" if at else None


@pytest.fixture(autouse=True)
def _fresh_order_caps() -> Iterator[None]:
    """Kite's per-second, per-minute and per-day order counts (orders.rate_limit) live in the cache across tests;
    account ids come back after each test's rollback and pinned clocks repeat the same seconds, so every test
    starts with no counts at all."""
    yield
    from orders import rate_limit

    try:
        rate_limit.forget_counts()
    except Exception:  # noqa: BLE001 - no cache/Redis for this test: nothing was counted
        pass


@pytest.fixture
def travel_to() -> Iterator[Callable[..., Any]]:
    """Pin the clock for this test: `travel_to(instant, tick=False)`; returns time_machine's traveller
    (`.shift()`, `.move_to()`). Undone at the end of the test."""
    started: list[Any] = []

    def travel(instant: datetime | str, *, tick: bool = False) -> Any:
        when = parse_instant(instant) if isinstance(instant, str) else instant
        traveller = time_machine.travel(when, tick=tick)
        started.append(traveller)
        return traveller.start()

    yield travel
    for traveller in reversed(started):
        traveller.stop()


@pytest.fixture(autouse=True)
def _risk_limits_only_where_asked(request: pytest.FixtureRequest, settings: Any) -> None:
    """The risk limits (risk/limits.py: 6% daily loss, 10 orders a minute, +-10% of LTP, ...) would refuse the
    orders other suites place to test something else; they run where a test asks with @pytest.mark.risk_limits
    (tests/risk). The kill switch always applies."""
    if request.node.get_closest_marker("risk_limits") is None:
        settings.RISK_LIMITS_ENABLED = False


def require_service(name: str, available: bool, why: str) -> None:
    """A test that needs a service fails under CI when it is missing, and only skips locally."""
    if available:
        return
    message = f"{name} is not configured ({why})"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    require_service("Redis", bool(url), "set REDIS_URL")
    return url


@pytest.fixture
def make_user(django_user_model: Any) -> Callable[..., Any]:
    def make(username: str = "trader", password: str = "pw-secret-123", **extra: Any) -> Any:
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("trader")


@pytest.fixture
def other_user(make_user: Callable[..., Any]) -> Any:
    return make_user("intruder")


@pytest.fixture
def api_key_for() -> Callable[[Any], str]:
    def make(owner: Any, name: str = "test-bot") -> str:
        return api_key_create(user=owner, name=name)[1]

    return make


@pytest.fixture
def api_client_for(api_key_for: Callable[[Any], str]) -> Callable[[Any], APIClient]:
    def make(owner: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_for(owner)}")
        return client

    return make


@pytest.fixture
def api(user: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(user)


@pytest.fixture
def other_api(other_user: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(other_user)
