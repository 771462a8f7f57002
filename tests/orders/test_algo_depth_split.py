"""Depth-aware split (orders.services.algos, issue #11): each child sized, when it is sent, to the largest whole-lot
quantity within the impact budget against the book the paper venue fills against (its used-up depth included), an
IOC LIMIT at the walk's worst level; the next child after the book refilled. Restart safety (a crash between the
claim and the link), pause / resume / cancel, the strategy's budget, the slippage history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from marketdata.types import DepthLevel
from orders import algo_plan
from orders.domain import OrderRole
from orders.execution_models import AdvancedExecutionSlice, AdvancedOrderExecution
from orders.models import Order
from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = Decimal
T0 = "2026-12-02 10:30 IST"  # a Wednesday in the session
LOT = 75
# A steep offer side (lots: 2, 2, 4, 4, 4 = 16 lots shown) over a 0.05 bid: mid 24000.00; 50 bps = ₹120 over it.
ASKS = tuple(
    DepthLevel(D(p), n * LOT, 3) for p, n in (("24000.05", 2), ("24020", 2), ("24060", 4), ("24150", 4), ("24300", 4))
)


class Crash(Exception):
    """Stands in for the process dying."""


@pytest.fixture
def steep(fut: Any, fake_market: Any) -> Any:
    return fake_market.set(1001, "24000", spread="0.05", sell_depth=ASKS)


def _split(user: Any, **kw: Any) -> AdvancedOrderExecution:
    return algos.depth_split_start(user=user, **{"instrument_token": 1001, "transaction_type": "BUY", "lots": 20, **kw})


def steep_instrument() -> Any:
    from marketdata.models import Instrument

    return Instrument.objects.get(instrument_token=1001)


def _children(ex: AdvancedOrderExecution) -> list[Order]:
    return list(Order.objects.filter(advanced_slice__execution=ex).order_by("advanced_slice__number"))


MID = D("24000")


def _impact_bps(price: Decimal) -> Decimal:
    return (price - MID) / MID * 10_000


def test_each_child_fits_the_budget_on_the_book_it_meets_and_waits_for_the_refill(
    user,
    account,
    steep,
    travel_to,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    from orders.models import OrderSlippageHistory

    clock = travel_to(T0)
    ex = _split(user)
    assert ex.algorithm == "DEPTH_SPLIT" and ex.params["max_impact_bps"] == "50" and ex.params["interval_seconds"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert algos.algos_tick() == 1
    first = _children(ex)[0]
    want = algo_plan.depth_split_child(steep, side="BUY", lot_size=LOT, impact_budget_bps=D(50), remaining=1500)
    # The book's walk within 50 bps: 15 lots (16 would average 24130, 54 bps); a LIMIT at the walk's last level.
    assert want.quantity == 15 * LOT and want.limited_by == "impact budget"
    assert (first.role, first.quantity, first.order_type, first.validity, first.price) == (
        OrderRole.ALGO,
        want.quantity,
        "LIMIT",
        "IOC",
        D("24300"),
    )
    assert first.status == "COMPLETE" and _impact_bps(first.average_price) <= 50
    # The book has not refilled: nothing goes out until the interval after the child has passed.
    clock.shift(2)
    assert algos.algos_tick() == 0
    ex.refresh_from_db()
    sent_at = AdvancedExecutionSlice.objects.get(execution=ex, number=1).sent_at
    assert ex.next_slice_at == sent_at + timedelta(seconds=5)
    clock.shift(3)
    with django_capture_on_commit_callbacks(execute=True):
        assert algos.algos_tick() == 1
    kids = _children(ex)
    assert [k.quantity for k in kids] == [15 * LOT, 5 * LOT] and all(k.status == "COMPLETE" for k in kids)
    assert _impact_bps(kids[1].average_price) <= 50  # the refilled book: the remainder at the first levels
    ex.refresh_from_db()
    assert ex.status == "COMPLETED" and ex.filled_quantity == 1500 and ex.slices_sent == 2
    rows = OrderSlippageHistory.objects.filter(order__advanced_slice__execution=ex)
    assert rows.exists() and set(rows.values_list("algorithm", flat=True)) == {"DEPTH_SPLIT"}


def test_a_child_sent_before_the_book_refilled_is_sized_on_the_thinner_book(user, account, steep, travel_to) -> None:  # noqa: ANN001
    from orders.execution import venue_quote

    clock = travel_to(T0)
    ex = _split(user, interval_seconds=2)
    algos.algos_tick()
    clock.shift(2)  # 2 of the venue's 5 s refill: 40% of the 16 shown lots back, 8.6 lots still used up
    thinner = venue_quote(account, steep_instrument(), steep, "BUY", timezone.now())
    assert thinner.sell_depth[0].price > ASKS[0].price  # the first levels are still used up
    want = algo_plan.depth_split_child(thinner, side="BUY", lot_size=LOT, impact_budget_bps=D(50), remaining=5 * LOT)
    assert algos.algos_tick() == 1
    second = _children(ex)[1]
    # A full book would take the 5 lots left at once; the thinner one gives less, at its own worst level.
    assert second.quantity == want.quantity < 5 * LOT and second.price == want.limit_price


def test_the_strategys_budget_makes_smaller_children(user, account, steep, travel_to) -> None:  # noqa: ANN001
    from portfolio.models import Strategy

    travel_to(T0)
    strategy = Strategy.objects.create(user=user, account=account, name="tight", max_market_impact_bps=20)
    ex = _split(user, strategy_id=strategy.pk)
    assert ex.params["max_impact_bps"] == "20"
    algos.algos_tick()
    first = _children(ex)[0]
    assert first.quantity < 15 * LOT and _impact_bps(first.average_price) <= 20


def test_a_crash_between_claim_and_send_never_sends_a_child_twice(
    user, account, steep, fake_market, travel_to, monkeypatch
) -> None:  # noqa: ANN001
    from orders.services import placement

    clock = travel_to(T0)
    ex = _split(user)
    real = placement.order_place

    def dies(intent, **kw):  # noqa: ANN001, ANN003
        raise Crash

    monkeypatch.setattr(placement, "order_place", dies)
    with pytest.raises(Crash):
        algos.execution_step(ex.pk)
    s1 = AdvancedExecutionSlice.objects.get(execution=ex, number=1)
    assert s1.status == "CLAIMED" and s1.order_id is None and s1.send_quantity == 15 * LOT
    monkeypatch.setattr(placement, "order_place", real)
    # The book deepens meanwhile: the re-drive sends the claim as it was (same quantity, same price, same key).
    fake_market.set(1001, "24000", spread="0.05", sell_depth=tuple(DepthLevel(lv.price, 40 * LOT, 3) for lv in ASKS))
    assert algos.algos_tick() == 0  # someone's claim until the lease ends
    clock.shift(algos.ALGO_CLAIM_LEASE_SECONDS + 1)
    assert algos.algos_tick() == 1
    kid = _children(ex)[0]
    assert (kid.quantity, kid.price, kid.client_order_id) == (15 * LOT, D("24300"), f"algo-{ex.pk}-1")

    # Dying after the child was made, before the link: the re-drive replays the order, never a second one.
    clock.shift(5)

    def made_then_dies(intent, **kw):  # noqa: ANN001, ANN003
        real(intent, **kw)
        raise Crash

    monkeypatch.setattr(placement, "order_place", made_then_dies)
    with pytest.raises(Crash):
        algos.execution_step(ex.pk)
    monkeypatch.setattr(placement, "order_place", real)
    assert Order.objects.filter(user=user).count() == 2
    assert AdvancedExecutionSlice.objects.get(execution=ex, number=2).order_id is None
    clock.shift(algos.ALGO_CLAIM_LEASE_SECONDS + 1)
    assert algos.algos_tick() == 1
    assert Order.objects.filter(user=user).count() == 2  # replayed
    ex.refresh_from_db()
    assert ex.status == "COMPLETED" and ex.filled_quantity == 1500 and ex.slices_sent == 2


def test_pause_holds_resume_goes_on_cancel_stops(user, account, steep, travel_to) -> None:  # noqa: ANN001
    from orders import errors

    clock = travel_to(T0)
    ex = _split(user, lots=40)
    assert algos.algos_tick() == 1
    algos.execution_pause(user=user, execution_id=ex.pk, actor="user:1")
    clock.shift(60)
    assert algos.algos_tick() == 0 and len(_children(ex)) == 1
    ex = algos.execution_resume(user=user, execution_id=ex.pk)
    assert ex.status == "RUNNING"
    assert algos.algos_tick() == 1 and len(_children(ex)) == 2
    ex = algos.execution_cancel(user=user, execution_id=ex.pk)
    assert ex.status == "CANCELLED" and ex.filled_quantity == 30 * LOT
    clock.shift(60)
    assert algos.algos_tick() == 0 and len(_children(ex)) == 2
    with pytest.raises(errors.ExecutionNotActive):
        algos.execution_pause(user=user, execution_id=ex.pk)


def test_the_price_guard_bounds_every_child(user, account, steep, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    ex = _split(user, limit_price=D("24060"))
    algos.algos_tick()
    first = _children(ex)[0]
    assert first.price == D("24060") and first.filled_quantity == 8 * LOT  # what the book shows up to the guard


def test_start_refuses_bad_parameters(user, account, steep) -> None:  # noqa: ANN001
    from orders import errors

    with pytest.raises(errors.AlgoParamsInvalid):
        _split(user, interval_seconds=1)
    with pytest.raises(errors.LotSizeMismatch):
        _split(user, max_child_quantity=100)
    assert not AdvancedOrderExecution.objects.exists()
