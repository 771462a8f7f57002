"""Brackets (stop-loss + target on fill, also partial), OCO, orphan cleanup, trailing stop, freeze slicing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from orders import services
from orders.models import Order, OrderEvent

pytestmark = pytest.mark.django_db


def exits_of(entry):  # noqa: ANN001, ANN201
    return {o.role: o for o in Order.objects.filter(parent=entry).exclude(role="SLICE")}


def test_entry_fill_places_linked_exits_and_target_fill_cancels_stop(
    fut, fake_market, place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss_points=D("50"), target_points=D("100"))
    entry.refresh_from_db()
    assert entry.status == "COMPLETE"
    ex = exits_of(entry)
    sl, tgt = ex["STOP_LOSS"], ex["TARGET"]
    assert (sl.transaction_type, sl.order_type, sl.quantity, sl.status) == ("SELL", "SL-M", 75, "TRIGGER PENDING")
    assert sl.trigger_price == D("23950.05") or sl.trigger_price == D("23950.00")
    assert tgt.order_type == "LIMIT" and tgt.price == D("24100.05") and tgt.status == "OPEN"
    assert sl.oco_sibling_id == tgt.pk
    fake_market.set(1001, "24120")
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_match_all()
    tgt.refresh_from_db()
    sl.refresh_from_db()
    assert tgt.status == "COMPLETE"
    assert sl.status == "CANCELLED"


def test_partial_entry_fill_places_exits_for_the_filled_quantity(
    fut, fake_market, place, django_capture_on_commit_callbacks
):
    fake_market.set(1001, "24000", level_qty=75, levels=1)
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(quantity=150, order_type="LIMIT", price=D("24000.05"), stop_loss=D("23800"), target=D("24300"))
    entry.refresh_from_db()
    assert entry.status == "PARTIALLY_FILLED" and entry.filled_quantity == 75
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].quantity == 75 and ex["TARGET"].quantity == 75


def test_stop_fill_cancels_target(fut, fake_market, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss=D("23900"), target=D("24500"))
    fake_market.set(1001, "23890")
    with django_capture_on_commit_callbacks(execute=True):
        services.paper_match_all()
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "COMPLETE"
    assert ex["TARGET"].status == "CANCELLED"


def test_position_closed_another_way_cancels_exits_unless_orphans_allowed(
    user, fut, place, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss=D("23900"), target=D("24500"))
        place(transaction_type="SELL")  # closes the position manually
    ex = exits_of(entry)
    assert ex["STOP_LOSS"].status == "CANCELLED" and ex["TARGET"].status == "CANCELLED"

    strat = services.strategy_create(user=user, name="aggr", preset="aggressive")
    assert strat.allow_orphaned_orders
    with django_capture_on_commit_callbacks(execute=True):
        entry2 = place(stop_loss=D("23900"), target=D("24500"), strategy_id=strat.pk)
        place(transaction_type="SELL", strategy_id=strat.pk)
    ex2 = exits_of(entry2)
    assert ex2["STOP_LOSS"].status == "TRIGGER PENDING" and ex2["TARGET"].status == "OPEN"


def test_trailing_stop_moves_up_by_points_never_down(fut, fake_market, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = place(stop_loss_points=D("50"), trailing_stop_points=D("50"))
    sl = exits_of(entry)["STOP_LOSS"]
    start = sl.trigger_price
    fake_market.set(1001, "24200")
    assert services.orders_trail_stops() == 1
    sl.refresh_from_db()
    assert sl.trigger_price == D("24150.00") > start
    fake_market.set(1001, "24100")
    assert services.orders_trail_stops() == 0
    sl.refresh_from_db()
    assert sl.trigger_price == D("24150.00")
    assert OrderEvent.objects.filter(order=sl, kind="MODIFIED", actor="system:trailing").count() == 1


def test_freeze_quantity_sliced_into_children(fut, fake_market, place, account):
    account.paper_capital = D("50000000")
    account.save()
    fake_market.set(1001, "24000", level_qty=5000)
    parent = place(quantity=3675, auto_slice=True)
    kids = list(Order.objects.filter(parent=parent, role="SLICE").order_by("id"))
    assert [k.quantity for k in kids] == [1800, 1800, 75]
    assert all(k.status == "COMPLETE" for k in kids)
    parent.refresh_from_db()
    assert parent.status == "COMPLETE" and parent.filled_quantity == 3675
    assert parent.broker_order_id is None  # the parent itself is never sent


def test_freeze_quantity_refused_with_hint(fut, place):
    from orders.errors import FreezeQuantityExceeded

    with pytest.raises(FreezeQuantityExceeded) as exc:
        place(quantity=3675)
    assert "auto_slice" in exc.value.message
    assert not Order.objects.exists()


def test_strategy_presets(user, account):
    c = services.strategy_create(user=user, name="safe")
    a = services.strategy_create(user=user, name="fast", preset="aggressive")
    assert c.margin_buffer_pct == D("20.0") and c.max_loss_per_strategy_pct == D("5.0") and not c.allow_orphaned_orders
    assert a.margin_buffer_pct == D("5.0") and a.min_liquidity_score == 40 and not a.auto_cleanup_enabled


def test_audit_rows_are_append_only(fut, place):
    order = place()
    ev = OrderEvent.objects.filter(order=order).first()
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        OrderEvent.objects.filter(order=order).update(reason="x")
    with pytest.raises(PermissionError):
        OrderEvent.objects.filter(order=order).delete()
