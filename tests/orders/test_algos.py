"""Parent executions (orders.services.algos, issue #11): TWAP and ICEBERG children through order_place, the
tick driven by hand with the clock pinned, restart safety (a crash between claim and send), pause / resume /
cancel, the price guard and the participation cap."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from orders.domain import OrderRole
from orders.execution_models import AdvancedExecutionSlice, AdvancedOrderExecution
from orders.models import Order, OrderEvent
from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = Decimal
T0 = "2026-12-02 10:30 IST"  # a Wednesday in the session


class Crash(Exception):
    """Stands in for the process dying."""


def _twap(user: Any, **kw: Any) -> AdvancedOrderExecution:
    base = dict(instrument_token=1001, transaction_type="BUY", quantity=750, duration_seconds=600, slices=5,
                size_jitter_pct=D(0), time_jitter_pct=D(0), seed=1)
    return algos.twap_start(user=user, **{**base, **kw})


def _children(ex: AdvancedOrderExecution) -> list[Order]:
    return list(Order.objects.filter(advanced_slice__execution=ex).order_by("advanced_slice__number"))


def test_a_twap_sends_its_slices_on_schedule_through_order_place(user, account, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    ex = _twap(user)
    # No jitter: 5 slices of 2 lots at 60, 180, 300, 420, 540 s.
    assert ex.status == "RUNNING" and ex.slices_total == 5 and ex.arrival_price == D("24000")
    assert algos.algos_tick() == 0  # the first slice is due at +60 s
    clock.shift(60)
    assert algos.algos_tick() == 1
    assert algos.algos_tick() == 0  # the next one is not due yet
    kid = _children(ex)[0]
    assert (kid.role, kid.quantity, kid.order_type, kid.client_order_id) == (
        OrderRole.ALGO, 150, "MARKET", f"algo-{ex.pk}-1")
    assert OrderEvent.objects.get(order=kid, kind="CREATED").actor == f"algo:{ex.pk}"
    for _ in range(4):
        clock.shift(120)
        assert algos.algos_tick() == 1
    ex.refresh_from_db()
    kids = _children(ex)
    assert [k.quantity for k in kids] == [150] * 5 and all(k.status == "COMPLETE" for k in kids)
    assert ex.status == "COMPLETED" and ex.filled_quantity == 750 and ex.slices_sent == 5
    assert ex.average_price is not None and ex.average_price >= D("24000.05")  # bought at the ask or above


def test_a_crash_between_claim_and_send_never_sends_a_slice_twice(user, account, fut, travel_to, monkeypatch) -> None:  # noqa: ANN001
    from orders.services import placement

    clock = travel_to(T0)
    ex = _twap(user)
    clock.shift(60)
    real = placement.order_place

    def dies(intent, **kw):  # noqa: ANN001, ANN003
        raise Crash

    monkeypatch.setattr(placement, "order_place", dies)
    with pytest.raises(Crash):
        algos.execution_step(ex.pk)
    s1 = AdvancedExecutionSlice.objects.get(execution=ex, number=1)
    assert s1.status == "CLAIMED" and s1.order_id is None and s1.send_quantity == 150
    assert not Order.objects.filter(user=user).exists()
    monkeypatch.setattr(placement, "order_place", real)
    # "Restart": the claim is someone's until the lease ends, then it is re-driven with the same key.
    assert algos.algos_tick() == 0
    clock.shift(algos.ALGO_CLAIM_LEASE_SECONDS + 1)
    assert algos.algos_tick() == 1
    s1.refresh_from_db()
    assert s1.status == "SENT" and Order.objects.filter(user=user, client_order_id=f"algo-{ex.pk}-1").count() == 1

    # Dying after the child was made, before the link was written: the re-drive replays the same order.
    clock.shift(120)

    def made_then_dies(intent, **kw):  # noqa: ANN001, ANN003
        real(intent, **kw)
        raise Crash

    monkeypatch.setattr(placement, "order_place", made_then_dies)
    with pytest.raises(Crash):
        algos.execution_step(ex.pk)
    monkeypatch.setattr(placement, "order_place", real)
    assert AdvancedExecutionSlice.objects.get(execution=ex, number=2).order_id is None
    assert Order.objects.filter(user=user).count() == 2
    clock.shift(algos.ALGO_CLAIM_LEASE_SECONDS + 1)
    assert algos.algos_tick() == 1
    s2 = AdvancedExecutionSlice.objects.get(execution=ex, number=2)
    assert s2.status == "SENT" and s2.order.client_order_id == f"algo-{ex.pk}-2"
    assert Order.objects.filter(user=user).count() == 2  # replayed, not sent again
    ex.refresh_from_db()
    assert ex.filled_quantity == 300 and ex.slices_sent == 2
