"""Domain events: delivered after commit, never on rollback, by name, each subscriber on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import transaction

from oms_project.lib import events


@dataclass(frozen=True)
class Thing:
    name: ClassVar[str] = "test.thing"
    n: int


@pytest.fixture
def received():
    got: list[int] = []

    def handler(event: Thing) -> None:
        got.append(event.n)

    events.subscribe(Thing.name, handler)
    yield got
    events.unsubscribe(Thing.name, handler)


@pytest.mark.django_db(transaction=True)
def test_published_after_commit_and_dropped_on_rollback(received) -> None:
    with transaction.atomic():
        events.publish(Thing(1))
        assert received == []  # not before the commit
    assert received == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        events.publish(Thing(2))
        raise RuntimeError("rolled back")
    assert received == [1]
    events.publish(Thing(3))  # outside a transaction: at once
    assert received == [1, 3]


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_the_others(received, caplog) -> None:
    def broken(event: Thing) -> None:
        raise ValueError("boom")

    events.subscribe(Thing.name, broken)
    try:
        events.subscribe(Thing.name, broken)  # twice is once
        assert events.subscribers(Thing.name).count(broken) == 1
        events.publish(Thing(7))
    finally:
        events.unsubscribe(Thing.name, broken)
    assert received == [7]
    assert "subscriber" in caplog.text and "test.thing" in caplog.text
