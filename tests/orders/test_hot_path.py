"""The faster placement path keeps its guarantees: the paper ledger equals a replay of the trades, an alert
failure never undoes an order change (savepoint), pushes go out in order per group and only after commit,
and the rate governor counts across processes in Redis with one round trip."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection

from oms_project.lib.brokers import BrokerRejected
from orders import rate_limit
from orders.errors import OrderRateLimited
from orders.models import Order, OrderEvent
from paper_venue.broker import PaperBroker
from paper_venue.models import PaperVenuePosition, PaperVenueTrade
from portfolio.positions_math import PositionState, apply_fill, signed

pytestmark = pytest.mark.django_db


def _replayed(account_ref: str) -> dict[tuple[int, str], PositionState]:
    states: dict[tuple[int, str], PositionState] = {}
    for t in PaperVenueTrade.objects.filter(account_ref=account_ref).order_by("id"):
        key = (t.instrument_token, t.product)
        states[key] = apply_fill(states.get(key, PositionState()), signed(t.transaction_type, t.quantity), t.price)
    return states


def test_paper_ledger_equals_a_replay_of_every_trade(account, fut, fake_market, place):
    place(transaction_type="BUY", quantity=150)  # fills at the ask
    fake_market.set(fut.instrument_token, "24010")
    place(transaction_type="SELL", quantity=75)  # partial close: realises P&L
    fake_market.set(fut.instrument_token, "23990")
    place(transaction_type="SELL", quantity=150)  # reversal: short 75
    ref = f"paper:{account.pk}"
    replay = _replayed(ref)
    rows = {(p.instrument_token, p.product): p for p in PaperVenuePosition.objects.filter(account_ref=ref)}
    assert set(rows) == set(replay) == {(fut.instrument_token, "NRML")}
    for key, state in replay.items():
        row = rows[key]
        assert row.quantity == state.quantity == -75
        assert D(row.average_price).quantize(D("0.0001")) == state.average_price.quantize(D("0.0001"))
        assert D(row.realized).quantize(D("0.01")) == state.realized.quantize(D("0.01"))
        assert state.realized != 0
    venue = PaperBroker(account).venue
    funds = venue.funds()
    assert funds.available_cash == (D(account.paper_capital) + replay[key].realized).quantize(D("0.01"))
    (position,) = venue.positions()
    assert position.quantity == -75
    assert position.overnight_quantity == 0  # everything traded today


def test_failed_alert_statement_never_undoes_the_order_change(account, fut, place, monkeypatch):
    """On PostgreSQL a failed statement poisons the transaction; the alert's savepoint contains it."""

    def broken_alert_raise(**kwargs: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_for_alerts")

    monkeypatch.setattr("alerts.services.alert_raise", broken_alert_raise)

    def refuse(self: Any, request: Any) -> str:  # the broker refuses it, and the rejection raises an alert
        raise BrokerRejected("Insufficient funds. Required margin is 1.00 but available margin is 0.00.")

    monkeypatch.setattr("paper_venue.venue.PaperVenue.place_order", refuse)
    order = place(order_type="LIMIT", price="24000")
    assert order.status == "REJECTED"
    assert "Insufficient funds" in order.status_message
    assert OrderEvent.objects.filter(order=order, kind="REJECTED").exists()
    assert Order.objects.get(pk=order.pk).status == "REJECTED"


class RecordingLayer:
    """A non-in-memory channel layer: the background sender handles it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self.threads: set[str] = set()

    async def group_send(self, group: str, message: dict) -> None:
        await asyncio.sleep(0.001 if message["n"] % 2 else 0)  # uneven delays must not reorder a group
        self.threads.add(threading.current_thread().name)
        self.sent.append((group, message["n"]))


def test_background_sender_keeps_order_per_group_and_flushes(monkeypatch):
    from oms_project.lib import realtime

    layer = RecordingLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: layer)
    for n in range(40):
        realtime.group_send(f"user.{n % 3}.orders", {"type": "order.push", "n": n})
    assert realtime.flush_pushes(5)
    assert len(layer.sent) == 40
    for g in range(3):
        assert [n for group, n in layer.sent if group == f"user.{g}.orders"] == list(range(g, 40, 3))
    assert layer.threads == {"oms-push-sender"}  # never on the caller's thread


def test_order_pushes_only_after_commit(account, fut, place, monkeypatch, django_capture_on_commit_callbacks):
    from oms_project.lib import realtime

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send", lambda group, message: sent.append((group, message)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        place(order_type="LIMIT", price="23000")
        assert sent == []  # nothing before commit
    for callback in callbacks:
        callback()
    statuses = [m["payload"]["order"]["status"] for _, m in sent if m["payload"]["type"] == "order"]
    assert statuses[0] == "PENDING_SUBMIT" and statuses[-1] == "OPEN"


def test_rate_governor_in_redis_one_round_trip_shared_counter(settings, redis_url, account):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    settings.ORDER_RATE_LIMIT_PER_SECOND = 3
    client = rate_limit._redis()
    assert client is not None
    now = 1_000_000.25
    client.delete(f"orders:rate:{account.pk}:{int(now)}")
    calls: list[Any] = []
    real_pipeline = client.pipeline

    def counting_pipeline(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_pipeline(*args, **kwargs)

    client.pipeline = counting_pipeline  # type: ignore[method-assign]
    try:
        for _ in range(3):
            rate_limit.acquire(account.pk, clock=lambda: now, sleep=lambda s: None, max_wait=0)
        with pytest.raises(OrderRateLimited):
            rate_limit.acquire(account.pk, clock=lambda: now, sleep=lambda s: None, max_wait=0)
    finally:
        del client.pipeline
    assert len(calls) == 4  # one pipelined INCR+EXPIRE per attempt
    assert 0 < client.ttl(f"orders:rate:{account.pk}:{int(now)}") <= rate_limit.KEY_TTL_SECONDS


def test_ledger_backfill_migration_rebuilds_positions_from_trades(account, fut, fake_market, place):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("orders.migrations.0002_paper_venue_position_ledger")
    # The models as that migration saw them (the venue's tables were in the orders app then; same tables now).
    apps = MigrationLoader(connection).project_state(("orders", "0002_paper_venue_position_ledger")).apps
    place(transaction_type="BUY", quantity=150)
    fake_market.set(fut.instrument_token, "24010")
    place(transaction_type="SELL", quantity=75)
    ref = f"paper:{account.pk}"
    live = {p.instrument_token: (p.quantity, D(p.average_price), D(p.realized)) for p in _positions(ref)}
    PaperVenuePosition.objects.all().delete()
    migration.backfill_ledger(apps, None)
    rebuilt = {p.instrument_token: (p.quantity, D(p.average_price), D(p.realized)) for p in _positions(ref)}
    assert rebuilt == live and live[fut.instrument_token][0] == 75


def _positions(ref: str) -> list[PaperVenuePosition]:
    return list(PaperVenuePosition.objects.filter(account_ref=ref))
