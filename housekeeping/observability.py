"""Feeds the Prometheus metrics (oms_project.metrics) from what the product already tells: the pre-trade
pipeline's observer (stage timings, refusals by code), the order core's events (accepted, rejected, filled)
and new alert rows. Nothing on the order path waits on it (counters are in-process memory, or mmap files
in multiprocess mode).

Placement latency is measured from the start of the placement's pipeline run to the broker's acceptance
in the same thread (inline submission, the normal path); an acceptance seen by another thread (a
postback, the resolver) is not a placement and is not timed."""

from __future__ import annotations

import threading
import time
from typing import Any

from oms_project import metrics

_local = threading.local()
_MAX_AGE_NS = 30 * 10**9


def on_pipeline_run(result: Any, ctx: Any, started_ns: int) -> None:
    for f in result.findings:
        metrics.STAGE_SECONDS.labels(stage=f.stage).observe(f.micros / 1e6)
    if result.denial is not None:
        metrics.ORDERS_REFUSED.labels(code=getattr(result.denial, "code", "") or "DENIED").inc()
    elif result.replay is None and result.park is None:
        metrics.ORDERS_PLACED.inc()  # passed every check: created and handed to the broker
        _local.started_ns = started_ns


def _broker_answered() -> None:
    """The first broker answer (accepted, filled or rejected) after a placement in this thread."""
    started = getattr(_local, "started_ns", None)
    _local.started_ns = None
    if started is not None:
        elapsed = time.perf_counter_ns() - started
        if elapsed < _MAX_AGE_NS:
            metrics.PLACEMENT_SECONDS.observe(elapsed / 1e9)


def on_accepted(event: Any) -> None:
    _broker_answered()


def on_rejected(event: Any) -> None:
    _broker_answered()
    metrics.ORDERS_REFUSED.labels(code="BROKER_REJECTED").inc()


def on_filled(event: Any) -> None:
    _broker_answered()
    metrics.FILLS.inc()


def on_alert_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        metrics.ALERTS.labels(type=instance.type, level=instance.level).inc()


def connect() -> None:
    from django.db.models.signals import post_save

    from alerts.models import Alert
    from oms_project.lib import events, pretrade

    pretrade.register_observer(on_pipeline_run)
    events.subscribe("orders.accepted", on_accepted)
    events.subscribe("orders.rejected", on_rejected)
    events.subscribe("orders.filled", on_filled)
    post_save.connect(on_alert_saved, sender=Alert, dispatch_uid="housekeeping.metrics.alerts")
