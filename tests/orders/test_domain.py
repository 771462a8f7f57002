"""State machine (hypothesis), pure validation (one test per code), position math (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders import errors
from orders.domain import ALLOWED, TERMINAL, OrderStatus, can_transition, normalize_broker_status
from orders.validation import InstrumentFacts, OrderDraft, slice_plan, validate
from portfolio.positions_math import PositionState, apply_fill, cash_flow_pnl, unrealized

STATUSES = list(OrderStatus)


@given(st.sampled_from(sorted(TERMINAL)), st.sampled_from(STATUSES))
def test_no_exit_from_terminal_states(a, b):
    assert not can_transition(a, b)


@given(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=30))
def test_any_accepted_walk_follows_the_table(proposals):
    """Apply random proposed statuses; only table edges are taken, and after a terminal state nothing moves."""
    current = OrderStatus.PENDING_SUBMIT
    for p in proposals:
        if can_transition(current, p):
            assert p == current or p in ALLOWED[current]
            current = p
        if current in TERMINAL:
            assert not any(can_transition(current, s) for s in STATUSES)


def test_table_covers_every_status_and_no_skipping_back_to_pending():
    assert set(ALLOWED) == set(OrderStatus)
    for s in (OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED, OrderStatus.TRIGGER_PENDING):
        assert not can_transition(s, OrderStatus.PENDING_SUBMIT)
        assert not can_transition(s, OrderStatus.PENDING_APPROVAL)
    assert not can_transition(OrderStatus.PARTIALLY_FILLED, OrderStatus.OPEN)


def test_kite_statuses_normalised():
    assert normalize_broker_status("OPEN PENDING", filled_quantity=0, quantity=75) == "SUBMITTED"
    assert normalize_broker_status("MODIFY PENDING", filled_quantity=0, quantity=75) is None
    assert normalize_broker_status("OPEN", filled_quantity=25, quantity=75) == "PARTIALLY_FILLED"
    assert normalize_broker_status("TRIGGER PENDING", filled_quantity=0, quantity=75) == "TRIGGER PENDING"
    assert normalize_broker_status("LAPSED", filled_quantity=0, quantity=75) == "EXPIRED"


@pytest.mark.django_db(transaction=True)
def test_conditional_update_prevents_skipping(user, account, fut):
    """Two writers holding the same version: only the first transition lands."""
    from orders.models import Order
    from orders.services._common import _transition

    o = Order.objects.create(
        user=user,
        account=account,
        exchange="NFO",
        tradingsymbol="X",
        instrument_token=1001,
        transaction_type="BUY",
        quantity=75,
        product="NRML",
        order_type="LIMIT",
        price=D("1"),
        tag="t-cond",
        status="OPEN",
    )
    a, b = Order.objects.get(pk=o.pk), Order.objects.get(pk=o.pk)
    assert _transition(a, "COMPLETE", actor="t", kind="FILLED")
    assert not _transition(b, "CANCELLED", actor="t", kind="CANCELLED")  # stale version, and terminal now
    assert Order.objects.get(pk=o.pk).status == "COMPLETE"


# --- validation -------------------------------------------------------------------------------
FUT = InstrumentFacts(
    instrument_token=1,
    exchange="NFO",
    tradingsymbol="NIFTY26DECFUT",
    instrument_type="FUT",
    lot_size=75,
    tick_size=D("0.05"),
    freeze_quantity=1800,
    expiry=date.today() + timedelta(days=9),
    lower_circuit=D("21600"),
    upper_circuit=D("26400"),
    last_price=D("24000"),
)
EQ = InstrumentFacts(
    instrument_token=2,
    exchange="NSE",
    tradingsymbol="INFY",
    instrument_type="EQ",
    lot_size=1,
    tick_size=D("0.05"),
    freeze_quantity=None,
    expiry=None,
)


def draft(**kw):  # noqa: ANN003, ANN201
    base = dict(transaction_type="BUY", quantity=75, product="NRML", order_type="LIMIT", price=D("24000"))
    base.update(kw)
    return OrderDraft(**base)


@pytest.mark.parametrize(
    "d, facts, code",
    [
        (draft(quantity=70), FUT, "LOT_SIZE_MISMATCH"),
        (draft(quantity=0), FUT, "INVALID_QUANTITY"),
        (draft(price=D("24000.03")), FUT, "TICK_SIZE_MISMATCH"),
        (draft(price=D("27000")), FUT, "PRICE_OUT_OF_BAND"),
        (draft(price=None), FUT, "PRICE_REQUIRED"),
        (draft(order_type="SL-M", price=None, trigger_price=None, market_protection=-1), FUT, "TRIGGER_REQUIRED"),
        (
            draft(order_type="SL-M", price=None, trigger_price=D("23900"), market_protection=-1),
            FUT,
            "TRIGGER_WRONG_SIDE",
        ),
        (
            draft(transaction_type="SELL", order_type="SL", price=D("24200"), trigger_price=D("24100")),
            FUT,
            "TRIGGER_WRONG_SIDE",
        ),
        (draft(product="CNC"), FUT, "PRODUCT_NOT_ALLOWED"),
        (draft(product="NRML", quantity=1, price=D("1500")), EQ, "PRODUCT_NOT_ALLOWED"),
        (draft(order_type="MARKET", price=None, market_protection=0), FUT, "MARKET_PROTECTION_REQUIRED"),
        (draft(order_type="MARKET", price=None, market_protection=None), FUT, "MARKET_PROTECTION_REQUIRED"),
        (draft(validity="TTL"), FUT, "INVALID_ORDER_FIELD"),
        (draft(tag="x" * 21), FUT, "INVALID_ORDER_FIELD"),
        (draft(stop_loss=D("24100")), FUT, "BRACKET_STOP_WRONG_SIDE"),
    ],
)
def test_each_validation_failure_has_its_code(d, facts, code):
    with pytest.raises(errors.OrderValidationError) as exc:
        validate(d, facts, today=date.today(), market_open=True)
    assert exc.value.code == code
    assert exc.value.message


def test_expired_instrument_and_closed_market():
    from dataclasses import replace

    with pytest.raises(errors.InstrumentExpired):
        validate(draft(), replace(FUT, expiry=date.today() - timedelta(days=1)), today=date.today(), market_open=True)
    with pytest.raises(errors.MarketClosed):
        validate(draft(), FUT, today=date.today(), market_open=False)
    validate(draft(), FUT, today=date.today(), market_open=False, amo=True)  # AMO allowed


def test_freeze_limit_refused_with_hint_or_sliced():
    with pytest.raises(errors.FreezeQuantityExceeded) as exc:
        slice_plan(3600, FUT, slice_requested=False)
    assert "auto_slice" in exc.value.message and exc.value.details["slices_needed"] == 2
    assert slice_plan(3675, FUT, slice_requested=True) == [1800, 1800, 75]
    assert slice_plan(75, FUT, slice_requested=False) == [75]
    with pytest.raises(errors.TooManySlices):
        slice_plan(1800 * 10 + 75, FUT, slice_requested=True)


# --- positions (hypothesis) -------------------------------------------------------------------
fills_st = st.lists(
    st.tuples(
        st.integers(min_value=-500, max_value=500).filter(bool),
        st.decimals(min_value=D("1"), max_value=D("50000"), places=2),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300)
@given(fills_st, st.decimals(min_value=D("1"), max_value=D("50000"), places=2))
def test_position_invariants(fills, mark):
    state = PositionState()
    for q, p in fills:
        state = apply_fill(state, q, p)
    assert state.quantity == sum(q for q, _ in fills)
    # Equal up to Decimal's 28-digit context (averages of odd quantities do not terminate).
    assert abs(state.realized + unrealized(state, mark) - cash_flow_pnl(fills, mark)) < D("1e-9")
    if state.quantity == 0:
        assert state.average_price == 0


def test_position_examples_add_partial_close_reversal():
    s = apply_fill(PositionState(), 75, D("100"))
    s = apply_fill(s, 75, D("110"))  # add
    assert (s.quantity, s.average_price) == (150, D("105"))
    s = apply_fill(s, -50, D("120"))  # partial close keeps the average
    assert (s.quantity, s.average_price, s.realized) == (100, D("105"), D("750"))
    s = apply_fill(s, -150, D("90"))  # reversal: close 100, open 50 short at 90
    assert (s.quantity, s.average_price, s.realized) == (-50, D("90"), D("750") - D("1500"))
    s = apply_fill(s, 50, D("80"))  # full close
    assert (s.quantity, s.realized) == (0, D("-250"))


def test_pure_modules_do_not_import_django():
    """orders' domain / validation and portfolio's positions_math import nothing from Django."""
    import ast
    from pathlib import Path

    import orders
    import portfolio

    for pkg, name in ((orders, "domain.py"), (orders, "validation.py"), (portfolio, "positions_math.py")):
        tree = ast.parse((Path(pkg.__file__).parent / name).read_text())
        mods = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        mods += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in mods if m.split(".")[0] in ("django", "rest_framework", "channels")], name


@pytest.mark.django_db
def test_matcher_step_and_admin_history_read_only(admin_client, fut, place, monkeypatch):
    from orders import matcher
    from orders.matcher import matcher_step

    monkeypatch.setattr(matcher, "close_old_connections", lambda: None)  # keep the test transaction's connection

    order = place(order_type="LIMIT", price=D("23000"))
    assert matcher_step() == {"matched": 0, "trailed": 0, "resolved": 0}
    r = admin_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert r.status_code == 200 and b"CREATED" in r.content
    ev = order.events.first()
    assert admin_client.post(f"/admin/orders/orderevent/{ev.pk}/delete/", {"post": "yes"}).status_code == 403
