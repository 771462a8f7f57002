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
    base = dict(
        instrument_token=1001,
        transaction_type="BUY",
        quantity=750,
        duration_seconds=600,
        slices=5,
        size_jitter_pct=D(0),
        time_jitter_pct=D(0),
        seed=1,
    )
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
        OrderRole.ALGO,
        150,
        "MARKET",
        f"algo-{ex.pk}-1",
    )
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


def test_pause_holds_resume_shifts_the_schedule_and_cancel_stops(user, account, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    ex = _twap(user)
    clock.shift(60)
    assert algos.algos_tick() == 1
    algos.execution_pause(user=user, execution_id=ex.pk, actor="user:1")
    clock.shift(300)  # slices 2-3 would have been due
    assert algos.algos_tick() == 0
    s2_before = AdvancedExecutionSlice.objects.get(execution=ex, number=2).planned_at
    ex = algos.execution_resume(user=user, execution_id=ex.pk)
    s2 = AdvancedExecutionSlice.objects.get(execution=ex, number=2).planned_at
    assert (s2 - s2_before).total_seconds() == pytest.approx(300, abs=1)  # moved by the pause
    assert algos.algos_tick() == 0  # slice 2 is again 60 s after the resume (it was 60 s after slice 1's time)
    clock.shift(120)
    assert algos.algos_tick() == 1
    ex = algos.execution_cancel(user=user, execution_id=ex.pk)
    assert ex.status == "CANCELLED" and ex.filled_quantity == 300
    assert set(ex.slices.filter(number__gte=3).values_list("status", flat=True)) == {"SKIPPED"}
    clock.shift(600)
    assert algos.algos_tick() == 0
    from orders import errors

    with pytest.raises(errors.ExecutionNotActive):
        algos.execution_resume(user=user, execution_id=ex.pk)


def test_the_price_guard_holds_a_slice_until_the_touch_is_within_it(user, account, fut, fake_market, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    fake_market.set(1001, "24010")  # ask 24010.05
    ex = _twap(user, limit_price=D("24000"))
    clock.shift(60)
    assert algos.algos_tick() == 0
    ex.refresh_from_db()
    assert "beyond the price guard" in ex.status_message and not _children(ex)
    fake_market.set(1001, "23990")  # ask 23990.05 <= 24000
    clock.shift(algos.RETRY_SECONDS)
    assert algos.algos_tick() == 1
    kid = _children(ex)[0]
    assert (kid.order_type, kid.price, kid.validity, kid.status) == ("LIMIT", D("24000"), "IOC", "COMPLETE")


def test_the_participation_cap_waits_for_market_volume(user, account, fut, fake_market, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    ex = _twap(user, participation_cap_pct=10)  # the fake market's volume stays 1000: nothing traded since
    clock.shift(60)
    assert algos.algos_tick() == 0
    ex.refresh_from_db()
    assert "participation cap" in ex.status_message
    q = fake_market.quotes[1001]
    fake_market.quotes[1001] = replace(q, volume=1000 + 1200)  # 10% of 1,200 = 120 units: one lot (75)
    clock.shift(algos.RETRY_SECONDS)
    assert algos.algos_tick() == 1
    assert [k.quantity for k in _children(ex)] == [75]  # capped below the planned 150


def test_an_iceberg_shows_one_leg_at_a_time_and_refreshes_on_fill(
    user,
    account,
    fut,
    fake_market,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from orders.services import paper_match_all

    clock = travel_to(T0)
    ex = algos.iceberg_start(
        user=user,
        instrument_token=1001,
        transaction_type="BUY",
        quantity=375,
        visible_lots=2,
        limit_price=D("23999.00"),
    )
    assert algos.algos_tick() == 1
    assert algos.algos_tick() == 0  # the first leg rests (below the ask): no second leg
    leg1 = _children(ex)[0]
    assert (leg1.quantity, leg1.order_type, leg1.status) == (150, "LIMIT", "OPEN")
    # The market comes down through the price: the matcher fills the leg, its end refreshes the iceberg.
    fake_market.set(1001, "23990")
    clock.shift(1)
    with django_capture_on_commit_callbacks(execute=True):
        paper_match_all()
    kids = _children(ex)
    assert kids[0].status == "COMPLETE" and len(kids) >= 2
    # Legs at the new touch fill at once; the last leg is what is left (75).
    for _ in range(3):
        clock.shift(1)
        algos.algos_tick()
    ex.refresh_from_db()
    assert [k.quantity for k in _children(ex)] == [150, 150, 75]
    assert ex.status == "COMPLETED" and ex.filled_quantity == 375


def test_cancel_cancels_the_working_leg(user, account, fut, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    ex = algos.iceberg_start(
        user=user,
        instrument_token=1001,
        transaction_type="BUY",
        quantity=375,
        visible_quantity=150,
        limit_price=D("23990.00"),
    )
    algos.algos_tick()
    ex = algos.execution_cancel(user=user, execution_id=ex.pk)
    assert [k.status for k in _children(ex)] == ["CANCELLED"] and ex.status == "CANCELLED"


def test_a_wide_book_makes_a_market_child_wait_not_park(user, account, fut, fake_market, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    ex = _twap(user)
    fake_market.set(1001, "24000", spread="400")  # ~3.3% spread: VERY_WIDE
    clock.shift(60)
    assert algos.algos_tick() == 0
    ex.refresh_from_db()
    assert ex.status == "RUNNING" and "WIDE_SPREAD" in ex.status_message
    assert not Order.objects.filter(user=user).exists()


def test_progress_is_pushed_to_the_owners_orders_socket_on_commit(
    user,
    account,
    fut,
    travel_to,
    monkeypatch,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from oms_project.lib import realtime

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send", lambda group, message: sent.append((group, message)))
    clock = travel_to(T0)
    ex = _twap(user)
    clock.shift(60)
    with django_capture_on_commit_callbacks(execute=True):
        algos.algos_tick()
    frames = [m["payload"] for g, m in sent if g == f"user.{user.pk}.orders" and m["payload"]["type"] == "execution"]
    last = frames[-1]["execution"]
    assert last["id"] == ex.pk and last["filled_quantity"] == 150 and last["slices_done"] == 1
    assert last["progress_pct"] == "20.0" and last["time_left_seconds"] == 540


def test_a_childs_fills_are_in_the_slippage_history_as_its_algorithm(
    user,
    account,
    fut,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from orders.models import OrderSlippageHistory

    clock = travel_to(T0)
    ex = _twap(user)
    clock.shift(60)
    algos.algos_tick()
    clock.shift(120)
    with django_capture_on_commit_callbacks(execute=True):  # slice 2's fill is recorded after its commit
        algos.algos_tick()
    rows = list(OrderSlippageHistory.objects.filter(order__advanced_slice__execution=ex))
    assert rows and {r.algorithm for r in rows} == {"TWAP"}


def test_an_iceberg_leg_the_trader_cancels_pauses_it_until_resumed(
    user,
    account,
    fut,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from orders.services import order_cancel

    clock = travel_to(T0)
    ex = algos.iceberg_start(
        user=user,
        instrument_token=1001,
        transaction_type="BUY",
        quantity=375,
        visible_quantity=150,
        limit_price=D("23990.00"),
    )
    algos.algos_tick()
    leg = _children(ex)[0]
    with django_capture_on_commit_callbacks(execute=True):  # the leg's end reaches the execution
        order_cancel(user=user, order_id=leg.pk)
    ex.refresh_from_db()
    assert ex.status == "PAUSED" and f"leg #{leg.pk} ended CANCELLED" in ex.status_message
    assert len(_children(ex)) == 1  # no new leg behind the trader's back
    algos.execution_resume(user=user, execution_id=ex.pk)
    clock.shift(1)
    assert algos.algos_tick() == 1
    assert [k.status for k in _children(ex)] == ["CANCELLED", "OPEN"]
