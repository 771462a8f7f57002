"""Domain events: typed facts ("order #7 filled 65 at 101.5") published after commit to subscribers.

An app that makes a fact happen defines its events in ONE module (`orders/events.py`, later
`portfolio/events.py`) as frozen dataclasses with a class-level `name` ("orders.filled"), and
publishes them from its write services with `publish(event)`: inside a transaction the event is
held until the commit and dropped on rollback (a rolled-back fill never places a bracket exit);
outside one it is delivered at once. Subscribers register in their app's `ready()` with
`subscribe("orders.filled", handler)`, by name, so a lower app (risk, margin) can react to a
higher one's fact without importing it (the layers, docs/architecture.md). Handlers run in the
order they subscribed, each on its own: one failing is logged and does not stop the others or
undo the commit that published the event.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

from django.db import transaction

logger = logging.getLogger(__name__)


class DomainEvent(Protocol):
    name: ClassVar[str]


Handler = Callable[[Any], None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    """Register `handler` for events called `name`; registering the same handler twice is a no-op."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Handler) -> None:
    if handler in _subscribers.get(name, []):
        _subscribers[name].remove(handler)


def subscribers(name: str) -> list[Handler]:
    return list(_subscribers.get(name, []))


def publish(event: DomainEvent, *, using: str | None = None) -> None:
    """Deliver `event` after the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: deliver(event), using=using)


def deliver(event: DomainEvent) -> None:
    for handler in subscribers(event.name):
        try:
            handler(event)
        except Exception:
            logger.exception("subscriber %s of %s failed", getattr(handler, "__qualname__", handler), event.name)
