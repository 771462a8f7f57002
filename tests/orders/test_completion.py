"""Completion policies (orders.services.completion, issue #11): chase, convert to MARKET, cancel the rest, the
partial-fill strategies, the trader's touch, a double run, market hours. The runner is driven by hand with the clock
pinned (a Wednesday in the session)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders import completion as policy
from orders import services
from orders.completion_models import OrderCompletion
from orders.models import Order, OrderEvent
from orders.services import completion

pytestmark = [pytest.mark.django_db]
D = Decimal
T0 = "2026-12-02 10:30 IST"  # a Wednesday in the session


def _strategy(user: Any, account: Any, **policy_fields: Any) -> Any:
    return services.strategy_create(user=user, account_id=account.pk, name="s1", completion_policy=policy_fields)


def _limit(place: Any, strategy: Any, price: str, quantity: int = 75, side: str = "BUY") -> Order:
    order = place(order_type="LIMIT", price=D(price), quantity=quantity, transaction_type=side, strategy_id=strategy.pk)
    order.refresh_from_db()
    return order


def _comp(order: Order) -> OrderCompletion:
    return OrderCompletion.objects.get(order=order)


def _mine(order: Order, kind: str) -> list[OrderEvent]:
    return list(OrderEvent.objects.filter(order=order, kind=kind, actor=f"completion:{order.pk}"))


# --- the pure decision -----------------------------------------------------------------------------------------


def _state(**kw: Any) -> policy.OrderState:
    base = dict(
        side="BUY",
        quantity=75,
        filled_quantity=0,
        price=D("100"),
        original_price=D("100"),
        tick_size=D("0.05"),
        placed_at=datetime(2026, 12, 2, 5, 0, tzinfo=UTC),
        first_fill_at=None,
        last_step_at=None,
    )
    return policy.OrderState(**{**base, **kw})


def test_the_chase_moves_by_ticks_toward_the_touch_and_never_past_its_cap() -> None:
    s = policy.PolicySettings(unfilled_action="CHASE", chase_ticks=2, chase_max_adjustment_pct=D("0.25"))
    now = datetime(2026, 12, 2, 5, 1, tzinfo=UTC)
    book = policy.Book(D("99.90"), D("101.00"))
    step = policy.decide(_state(), s, book, now)
    assert (step.kind, step.price) == (policy.StepKind.REPRICE, D("100.10"))
    assert policy.chase_cap(_state(), s) == D("100.25")
    step = policy.decide(_state(price=D("100.20")), s, book, now)
    assert step.price == D("100.25")  # the cap, not 100.30
    assert policy.decide(_state(price=D("100.25")), s, book, now).kind == policy.StepKind.DONE
    sell = policy.decide(_state(side="SELL", price=D("100")), s, policy.Book(D("99.95"), D("100.5")), now)
    assert sell.price == D("99.95")  # never past the touch (the bid)


@given(
    price=st.integers(min_value=100, max_value=100_000),
    ticks=st.integers(min_value=1, max_value=50),
    pct=st.decimals(min_value=D("0.05"), max_value=D("20"), places=2),
    ask_off=st.integers(min_value=1, max_value=2000),
    side=st.sampled_from(["BUY", "SELL"]),
)
def test_a_chased_price_stays_on_the_grid_within_the_cap_and_the_touch(price, ticks, pct, ask_off, side) -> None:  # noqa: ANN001
    tick = D("0.05")
    p = D(price) * tick
    s = policy.PolicySettings(unfilled_action="CHASE", chase_ticks=ticks, chase_max_adjustment_pct=pct)
    state = _state(side=side, price=p, original_price=p)
    touch = p + ask_off * tick if side == "BUY" else max(tick, p - ask_off * tick)
    book = policy.Book(touch if side == "SELL" else p - tick, touch if side == "BUY" else p + tick)
    new = policy.chase_price(state, s, book)
    if new is None:
        return
    assert new % tick == 0
    assert abs(new - p) <= p * pct / 100
    assert (p < new <= touch) if side == "BUY" else (touch <= new < p)


def test_partial_fill_strategies_decide_from_time_and_price() -> None:
    t0 = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    part = dict(filled_quantity=25, first_fill_at=t0)
    book = policy.Book(D("99.9"), D("100.5"))
    at = t0 + timedelta(seconds=10)
    imm = policy.PolicySettings(partial_fill_action="IMMEDIATE")
    assert policy.decide(_state(**part), imm, book, at).kind == policy.StepKind.COMPLETE
    timed = policy.PolicySettings(partial_fill_action="TIME_BASED", partial_fill_wait_seconds=30)
    assert policy.decide(_state(**part), timed, book, at).kind == policy.StepKind.WAIT
    assert policy.decide(_state(**part), timed, book, t0 + timedelta(seconds=30)).kind == policy.StepKind.COMPLETE
    priced = policy.PolicySettings(partial_fill_action="PRICE_BASED", partial_fill_price_move_pct=D("1"))
    assert policy.decide(_state(**part), priced, book, at).kind == policy.StepKind.WAIT  # 0.5% away
    assert policy.decide(_state(**part), priced, policy.Book(D("100.9"), D("101")), at).kind == policy.StepKind.COMPLETE
    rest = policy.PolicySettings(partial_fill_action="CANCEL_REMAINING")
    assert policy.decide(_state(**part), rest, book, at).kind == policy.StepKind.CANCEL
    assert policy.decide(_state(), rest, book, at).kind == policy.StepKind.WAIT  # unfilled: waits for a fill


# --- the runner -------------------------------------------------------------------------------------------------


def test_no_policy_by_default_changes_nothing(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = services.strategy_create(user=user, account_id=account.pk, name="plain")
    order = _limit(place, strategy, "23990")
    clock.shift(600)
    assert completion.completions_tick() == 0
    assert not OrderCompletion.objects.exists()
    order.refresh_from_db()
    assert (order.status, order.price, order.modification_count) == ("OPEN", D("23990"), 0)


def test_chase_moves_the_price_by_ticks_and_stops_at_the_cap(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    # 20 ticks (₹1) a step, at most 0.02% of 23,990 (₹4.798 → the cap 23,994.75 on the grid).
    strategy = _strategy(
        user,
        account,
        unfilled_action="CHASE",
        unfilled_after_seconds=30,
        chase_interval_seconds=10,
        chase_ticks=20,
        chase_max_adjustment_pct="0.02",
    )
    order = _limit(place, strategy, "23990")
    assert completion.completions_tick() == 0  # started, not due yet
    assert _comp(order).state == "ACTIVE" and _comp(order).original_price == D("23990")
    clock.shift(29)
    assert completion.completions_tick() == 0
    prices = []
    for _ in range(6):
        clock.shift(10)
        completion.completions_tick()
        order.refresh_from_db()
        prices.append(order.price)
    assert prices == [D("23991"), D("23992"), D("23993"), D("23994"), D("23994.75"), D("23994.75")]
    comp = _comp(order)
    assert comp.state == "DONE" and "cap" in comp.reason and comp.steps == 5
    assert len(_mine(order, "MODIFIED")) == 5  # each step through order_modify's audit, as the policy
    clock.shift(60)
    assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.price == D("23994.75") and order.status == "OPEN"


def test_convert_to_market_after_the_time(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CONVERT_MARKET", unfilled_after_seconds=60)
    order = _limit(place, strategy, "23990", quantity=150)
    completion.completions_tick()
    clock.shift(59)
    assert completion.completions_tick() == 0
    clock.shift(1)
    assert completion.completions_tick() == 1  # the cancel
    order.refresh_from_db()
    assert order.status == "CANCELLED" and _comp(order).state == "COMPLETING"
    assert _mine(order, "CANCEL_REQUESTED")
    completion.completions_tick()  # the remainder goes out through order_place
    comp = _comp(order)
    assert comp.state == "DONE" and len(comp.children) == 1
    child = Order.objects.get(pk=comp.children[0])
    assert (child.order_type, child.quantity, child.market_protection, child.client_order_id, child.status) == (
        "MARKET",
        150,
        -1,
        f"cp-{order.pk}-1",
        "COMPLETE",
    )
    assert child.strategy_id == strategy.pk
    assert OrderEvent.objects.get(order=child, kind="CREATED").actor == f"completion:{order.pk}"
    clock.shift(60)
    assert completion.completions_tick() == 0
    assert Order.objects.filter(strategy=strategy).count() == 2  # nothing more was sent


def test_cancel_remaining_after_a_partial_fill(user, account, fut, place, fake_market, travel_to) -> None:  # noqa: ANN001
    travel_to(T0)
    strategy = _strategy(user, account, partial_fill_action="CANCEL_REMAINING")
    # 150 rest at each ask level: a buy of 300 at the best ask fills 150 and rests the rest.
    order = _limit(place, strategy, "24000.05", quantity=300)
    assert (order.status, order.filled_quantity) == ("PARTIALLY_FILLED", 150)
    assert completion.completions_tick() == 1
    order.refresh_from_db()
    assert (order.status, order.filled_quantity) == ("CANCELLED", 150)
    comp = _comp(order)
    assert comp.state == "DONE" and "cancel the rest" in comp.reason
    assert Order.objects.filter(strategy=strategy).count() == 1


def test_time_based_partial_fill_completes_the_rest_at_market(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, partial_fill_action="TIME_BASED", partial_fill_wait_seconds=20)
    order = _limit(place, strategy, "24000.05", quantity=300)
    assert completion.completions_tick() == 0
    clock.shift(20)
    completion.completions_tick()
    completion.completions_tick()
    comp = _comp(order)
    order.refresh_from_db()
    assert order.status == "CANCELLED" and comp.state == "DONE"
    child = Order.objects.get(pk=comp.children[0])
    assert (child.order_type, child.quantity) == ("MARKET", 150)


def test_split_by_depth_sends_the_remainder_in_children_the_book_takes(  # noqa: ANN001
    user, account, fut, place, fake_market, travel_to
) -> None:
    clock = travel_to(T0)
    fake_market.set(fut.instrument_token, "24000", tick="5")  # asks 24,000.05, 24,005.05, ...: 150 each
    strategy = _strategy(
        user, account, unfilled_action="SPLIT_DEPTH", unfilled_after_seconds=0, chase_interval_seconds=5
    )
    # 1 bps: three lots (0.72 bps) fit, four (1.06 bps) do not. The thin test book scores low on liquidity: the
    # strategy accepts it (else the execution guard parks each child for the trader's approval).
    services.strategy_update(user=user, strategy_id=strategy.pk, max_market_impact_bps=1, min_liquidity_score=0)
    order = _limit(place, strategy, "23990", quantity=450)
    completion.completions_tick()  # start + cancel
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    for _ in range(8):
        clock.shift(30)  # the venue's book gives back what each child used up
        completion.completions_tick()
    comp = _comp(order)
    kids = list(Order.objects.filter(pk__in=comp.children).order_by("id"))
    assert comp.state == "DONE" and sum(k.quantity for k in kids) == 450, (
        comp.reason,
        [(k.quantity, k.status, k.status_message) for k in kids],
    )
    assert [k.quantity for k in kids] == [225, 225] and all(k.order_type == "MARKET" for k in kids)
    assert [k.client_order_id for k in kids] == [f"cp-{order.pk}-{n}" for n in range(1, len(kids) + 1)]


def test_a_user_modify_stops_the_policy_at_once_and_says_why(  # noqa: ANN001
    user, account, fut, place, travel_to, django_capture_on_commit_callbacks
) -> None:
    clock = travel_to(T0)
    strategy = _strategy(
        user,
        account,
        unfilled_action="CHASE",
        unfilled_after_seconds=0,
        chase_interval_seconds=5,
        chase_ticks=1,
        chase_max_adjustment_pct="1",
    )
    order = _limit(place, strategy, "23990")
    completion.completions_tick()
    order.refresh_from_db()
    assert order.price == D("23990.05")
    with django_capture_on_commit_callbacks(execute=True):  # orders.updated reaches the policy after the commit
        services.order_modify(user=user, order_id=order.pk, price=D("23980"))
    comp = _comp(order)
    assert comp.state == "STOPPED" and comp.stopped_by == f"user:{user.pk}" and "modified" in comp.reason
    for _ in range(3):
        clock.shift(10)
        assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.price == D("23980") and len(_mine(order, "MODIFIED")) == 1


def test_a_user_cancel_ends_the_policy_without_sending_the_rest(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CONVERT_MARKET", unfilled_after_seconds=30)
    order = _limit(place, strategy, "23990")
    completion.completions_tick()
    services.order_cancel(user=user, order_id=order.pk)
    clock.shift(60)
    assert completion.completions_tick() == 0
    comp = _comp(order)
    assert comp.state == "STOPPED" and comp.stopped_by == f"user:{user.pk}" and "cancelled" in comp.reason
    assert Order.objects.filter(strategy=strategy).count() == 1


def test_a_change_at_the_broker_stops_the_policy(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CHASE", unfilled_after_seconds=0, chase_interval_seconds=5)
    order = _limit(place, strategy, "23990")
    completion.completions_tick()
    Order.objects.filter(pk=order.pk).update(price=D("23970"))  # as if modified in Kite's own app
    clock.shift(10)
    assert completion.completions_tick() == 0
    comp = _comp(order)
    assert comp.state == "STOPPED" and "outside the policy" in comp.reason


def test_a_double_run_takes_each_step_once(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CHASE", unfilled_after_seconds=0, chase_interval_seconds=10)
    order = _limit(place, strategy, "23990")
    assert completion.completions_tick() == 1
    assert completion.completions_tick() == 0  # same instant: the interval has not passed
    # A step claimed by another runner (its lease still running) is left to it.
    comp = _comp(order)
    clock.shift(10)
    OrderCompletion.objects.filter(pk=comp.pk).update(
        claimed_at=datetime.now(UTC), claim={"kind": "modify", "price": "23990.10", "reason": "other runner"}
    )
    assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.price == D("23990.05") and order.modification_count == 1
    # That runner died: after the lease the claim is re-driven once.
    clock.shift(completion.CLAIM_LEASE_SECONDS + 1)
    assert completion.completions_tick() == 1
    assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.price == D("23990.10") and order.modification_count == 2
    assert OrderCompletion.objects.filter(order=order).count() == 1


def test_nothing_happens_outside_market_hours(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to("2026-12-02 09:05 IST")  # pre-open: the paper venue takes orders, the exchange is closed
    strategy = _strategy(user, account, unfilled_action="CANCEL", unfilled_after_seconds=30)
    order = _limit(place, strategy, "23990")
    clock.shift(60)
    assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.status == "OPEN" and not OrderCompletion.objects.exists()
    clock.move_to("2026-12-02 09:15 IST")
    assert completion.completions_tick() == 1  # due since 09:05:30, done at the open
    order.refresh_from_db()
    assert order.status == "CANCELLED"


def test_a_per_order_override_switches_the_policy_off(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CANCEL", unfilled_after_seconds=30)
    order = _limit(place, strategy, "23990")
    comp = completion.order_completion_set(user=user, order_id=order.pk, enabled=False)
    assert comp.state == "STOPPED" and comp.source == "order"
    clock.shift(60)
    assert completion.completions_tick() == 0
    order.refresh_from_db()
    assert order.status == "OPEN"


def test_the_runner_is_on_beat_every_three_seconds(user, account, fut, place, travel_to) -> None:  # noqa: ANN001
    from django_celery_beat.models import PeriodicTask

    from oms_project.celery import app
    from orders import tasks

    row = PeriodicTask.objects.get(name="orders: completion policies")  # orders migration 0013
    assert (row.task, row.interval.every, row.interval.period, row.enabled) == (
        "orders.completion_tick",
        3,
        "seconds",
        True,
    )
    assert "orders.completion_tick" in app.tasks
    clock = travel_to(T0)
    strategy = _strategy(user, account, unfilled_action="CANCEL", unfilled_after_seconds=5)
    order = _limit(place, strategy, "23990")
    tasks.completion_tick()
    clock.shift(5)
    assert tasks.completion_tick() == 1
    order.refresh_from_db()
    assert order.status == "CANCELLED" and _comp(order).reason.endswith("cancel")


@pytest.mark.parametrize(("change", "queries"), [("CREATED", 0), ("ACCEPTED", 0), ("MODIFIED", 1), ("", 1)])
def test_the_touch_subscriber_skips_creation_and_acceptance_without_a_query(  # noqa: ANN001
    user, django_assert_num_queries, change, queries
) -> None:
    from orders.events import OrderUpdated
    from orders.services.completion import on_order_updated

    with django_assert_num_queries(queries):  # every placement publishes CREATED and ACCEPTED
        on_order_updated(OrderUpdated(order_id=10**9, user_id=user.pk, change=change))
