"""Two runners at once (PostgreSQL, threads): each order's step is taken once. The completion row is locked
`FOR UPDATE SKIP LOCKED` and the step claimed before it is done, so the second runner skips it."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from orders import services
from orders.completion_models import OrderCompletion
from orders.models import Order
from orders.services import completion
from tests.conftest import require_service

RUNNERS = 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.service
def test_concurrent_runners_cancel_once_and_send_the_remainder_once(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database")
    clock = travel_to("2026-12-02 10:30 IST")
    strategy = services.strategy_create(
        user=user,
        account_id=account.pk,
        name="s1",
        completion_policy={"unfilled_action": "CONVERT_MARKET", "unfilled_after_seconds": 5},
    )
    orders = [
        place(order_type="LIMIT", price=Decimal("23990") - i, quantity=75, strategy_id=strategy.pk) for i in range(3)
    ]
    clock.shift(10)
    errors: list[BaseException] = []

    def runner(barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            completion.completions_tick()
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(3):  # start + cancel, then the remainder, then nothing
        barrier = threading.Barrier(RUNNERS)
        threads = [threading.Thread(target=runner, args=(barrier,)) for _ in range(RUNNERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        clock.shift(completion.CLAIM_LEASE_SECONDS + 1)
    assert errors == []
    assert OrderCompletion.objects.count() == 3
    for order in orders:
        comp = OrderCompletion.objects.get(order=order)
        assert comp.state == "DONE" and len(comp.children) == 1, comp.reason
        assert Order.objects.filter(client_order_id__startswith=f"cp-{order.pk}-").count() == 1
        assert order.events.filter(kind="CANCEL_REQUESTED", actor=f"completion:{order.pk}").count() == 1
    assert Order.objects.filter(strategy=strategy).count() == 6
