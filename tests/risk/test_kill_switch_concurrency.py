"""No order slips through after an engage returns, under concurrent placement (PostgreSQL, many threads): the
risk.kill_switch commit guard reads the switch rows with a share lock in the placement transaction and the
engage takes them FOR UPDATE, so every order either committed before the engage (and the square-off cancels
or flattens it) or is refused. The book ends flat and HALTED."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from orders.models import Order
from portfolio.models import Position
from risk import errors, services
from risk.models import KillSwitch
from tests.conftest import require_service
from tests.support.orders import place_order

THREADS = 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.service
def test_engage_under_concurrent_placement_lets_nothing_through(user, account, fut, settings):
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    settings.KILL_SWITCH_SQUARE_OFF_ATTEMPTS = 10
    settings.KILL_SWITCH_RETRY_SECONDS = 0.2
    place_order(
        user,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        order_type="MARKET",
        instrument_token=fut.instrument_token,
        confirm_duplicate=True,
    )  # the account's switch rows exist now
    stop = threading.Event()
    engaged_at: list[float] = []
    outcomes: list[tuple[float, str]] = []  # (monotonic start, "placed" | "refused" | error code)
    lock = threading.Lock()

    def trader() -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    place_order(
                        user,
                        transaction_type="BUY",
                        quantity=75,
                        product="NRML",
                        order_type="MARKET",
                        instrument_token=fut.instrument_token,
                        confirm_duplicate=True,
                    )
                    outcome = "placed"
                except errors.KillSwitchEngaged:
                    outcome = "refused"
                except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                    outcome = getattr(exc, "code", type(exc).__name__)
                with lock:
                    outcomes.append((started, outcome))
        finally:
            connection.close()

    threads = [threading.Thread(target=trader) for _ in range(THREADS)]
    for t in threads:
        t.start()
    while sum(1 for _, o in outcomes if o == "placed") < THREADS * 2:  # the book is busy
        time.sleep(0.01)
    switch = services.kill_switch_engage(user=user, reason="concurrency drill")
    engaged_at.append(time.monotonic())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sum(1 for s, _ in outcomes if s > engaged_at[0]) < THREADS:
        time.sleep(0.05)  # keep placing after the engage returned
    stop.set()
    for t in threads:
        t.join(30)
    switch = KillSwitch.objects.get(pk=switch.pk)

    after = [o for started, o in outcomes if started > engaged_at[0]]
    # Every attempt after the engage returned was refused (a few by the broker account's rate governor first).
    assert after and "placed" not in after and "refused" in after, after
    # The broker account's 10 orders/s governor may also answer (nothing is written then).
    assert {o for _, o in outcomes} <= {"placed", "refused", "ORDER_RATE_LIMITED"}, {o for _, o in outcomes}
    # No entry was written after the engage took its lock (it set `since` after every in-flight placement).
    assert not Order.objects.filter(role="ENTRY", created_at__gt=switch.since).exists()
    placed = sum(1 for _, o in outcomes if o == "placed")
    assert Order.objects.filter(role="ENTRY").count() == placed + 1
    # The square-off flattened everything placed before the engage, retrying while orders were still settling.
    assert switch.state == "HALTED"
    assert sum(p.quantity for p in Position.objects.filter(account=account)) == 0
    assert not Order.objects.filter(status__in=["PENDING_SUBMIT", "OPEN", "SUBMITTED"], role="ENTRY").exists()
    print(
        f"\n{THREADS} threads: {placed} orders placed before the engage, {len(after)} refused after it; "
        f"square-off attempts {switch.attempts}"
    )
