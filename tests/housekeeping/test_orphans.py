"""Orphaned exits: every strategy setting honoured by the close-driven path and the every-minute sweep; kept
orphans flagged and listed; the trader's keep / cancel; a per-strategy manual run; reruns change nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alerts.models import Alert
from housekeeping.models import HousekeepingEvent, OrderFlags
from housekeeping.services import orphans
from orders import services
from orders.models import Order

pytestmark = pytest.mark.dates


@pytest.fixture(autouse=True)
def _pinned(travel_to):
    travel_to("2026-12-02 10:30 IST", tick=True)


def _exits(entry):
    return {o.role: o for o in Order.objects.filter(parent=entry).exclude(role="SLICE")}


def _open_and_close(place, capture, strategy=None, *, close_with_callbacks=True):
    extra = {"strategy_id": strategy.pk} if strategy else {}
    with capture(execute=True):
        entry = place(stop_loss=D("23900"), target=D("24500"), **extra)
    if close_with_callbacks:
        with capture(execute=True):
            place(transaction_type="SELL", **extra)
    else:
        place(transaction_type="SELL", **extra)  # the close's subscribers never ran (a crash, a restart)
    return _exits(entry)


@pytest.mark.parametrize(
    ("strategy_settings", "sl_status", "tgt_status", "reason_word"),
    [
        ({}, "CANCELLED", "CANCELLED", None),
        ({"allow_orphaned_orders": True}, "TRIGGER PENDING", "OPEN", "allows"),
        ({"auto_cleanup_enabled": False}, "TRIGGER PENDING", "OPEN", "auto-cleanup"),
        ({"cleanup_sl_on_exit": False}, "TRIGGER PENDING", "CANCELLED", "stop-losses"),
        ({"cleanup_target_on_exit": False}, "CANCELLED", "OPEN", "targets"),
    ],
)
def test_close_driven_cleanup_honours_each_setting(user, fut, place, django_capture_on_commit_callbacks,
                                                   strategy_settings, sl_status, tgt_status, reason_word):  # fmt: skip
    strat = services.strategy_create(user=user, name="s", **strategy_settings)
    ex = _open_and_close(place, django_capture_on_commit_callbacks, strat)
    assert (ex["STOP_LOSS"].status, ex["TARGET"].status) == (sl_status, tgt_status)
    kept = [o for o in ex.values() if o.status not in ("CANCELLED",)]
    listed = orphans.orphans_list(user=user, strategy_id=strat.pk)
    assert {o.pk for o in listed} == {o.pk for o in kept}
    for o in listed:
        assert o.housekeeping.is_orphaned and reason_word in o.housekeeping.orphaned_reason
    notes = Alert.objects.filter(user=user, type="ORPHANED_ORDER")
    assert notes.count() == len(kept)


def test_no_notification_when_the_strategy_says_so(user, fut, place, django_capture_on_commit_callbacks):
    strat = services.strategy_create(user=user, name="quiet", allow_orphaned_orders=True,
                                     notify_on_orphan_detection=False)  # fmt: skip
    _open_and_close(place, django_capture_on_commit_callbacks, strat)
    assert len(orphans.orphans_list(user=user)) == 2
    assert not Alert.objects.filter(user=user, type="ORPHANED_ORDER").exists()


def test_the_sweep_finds_what_the_close_missed_and_reruns_change_nothing(user, fut, place, run_job,
                                                                         django_capture_on_commit_callbacks):  # fmt: skip
    ex = _open_and_close(place, django_capture_on_commit_callbacks, close_with_callbacks=False)
    assert ex["STOP_LOSS"].status == "TRIGGER PENDING"  # missed
    first = run_job("orphaned_orders")
    assert sorted(first.did["cancelled"]) == sorted(o.pk for o in ex.values())
    assert first.looked_at["exit_orders"] == 2
    again = run_job("orphaned_orders")
    assert again.status == HousekeepingEvent.Status.OK and "cancelled" not in again.did
    assert Alert.objects.filter(user=user, type="ORPHANED_ORDER").count() == 2  # notified once each


def test_kept_orphans_the_traders_choice_and_a_manual_per_strategy_cleanup(user, fut, place, run_job,
                                                                           django_capture_on_commit_callbacks):  # fmt: skip
    strat = services.strategy_create(user=user, name="aggr", preset="aggressive")
    ex = _open_and_close(place, django_capture_on_commit_callbacks, strat)
    sl, tgt = ex["STOP_LOSS"], ex["TARGET"]
    assert run_job("orphaned_orders").status == "OK"
    sl.refresh_from_db()
    assert sl.status == "TRIGGER PENDING"  # the sweep keeps what the settings keep
    flags = orphans.orphan_keep(user=user, order_id=sl.pk)
    assert flags.kept_by == f"user:{user.pk}"
    cancelled = orphans.orphan_cancel(user=user, order_id=tgt.pk)
    assert cancelled.status == "CANCELLED"
    assert [o.pk for o in orphans.orphans_list(user=user)] == [sl.pk]
    ev = run_job("orphaned_orders", trigger="manual", actor=f"user:{user.pk}", strategy_id=strat.pk, cancel_kept=True)
    assert ev.strategy_id == strat.pk and ev.did["cancelled"] == [sl.pk]
    assert orphans.orphans_list(user=user) == []


def test_another_traders_orphan_cannot_be_touched(user, other_user, fut, place, django_capture_on_commit_callbacks):
    from housekeeping import errors

    strat = services.strategy_create(user=user, name="aggr", preset="aggressive")
    ex = _open_and_close(place, django_capture_on_commit_callbacks, strat)
    with pytest.raises(errors.OrderNotOrphaned):
        orphans.orphan_keep(user=other_user, order_id=ex["STOP_LOSS"].pk)
    assert OrderFlags.objects.get(order=ex["STOP_LOSS"]).kept_by.startswith("setting:")


def test_is_orphan_by_side():
    class O:
        def __init__(self, side):
            self.transaction_type = side

    assert orphans.is_orphan(O("SELL"), 0) and orphans.is_orphan(O("SELL"), -75)
    assert not orphans.is_orphan(O("SELL"), 75)
    assert orphans.is_orphan(O("BUY"), 0) and not orphans.is_orphan(O("BUY"), -75)
