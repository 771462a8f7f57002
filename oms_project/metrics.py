"""Prometheus metrics (prometheus_client, the Prometheus project's own Python client), one module so every
name is declared once. Served at /metrics (housekeeping.views.metrics_view).

Multi-process: the production layout runs several processes (uvicorn workers, Celery worker, beat, the
services); with PROMETHEUS_MULTIPROC_DIR set (an empty directory, wiped at start, set by the start-up
environment) every process writes its samples there and /metrics aggregates them (the library's
multiprocess mode). Embedded mode is one process: the default registry.

    oms_orders_placed_total                             orders past every pre-trade check, sent to the broker
    oms_orders_refused_total{code}                      refused by a pre-trade stage (its code) or the broker (BROKER_REJECTED)
    oms_order_placement_seconds                         pipeline start to the broker's first answer (same thread)
    oms_pretrade_stage_seconds{stage}                   each pre-trade stage
    oms_fills_total                                     fills stored
    oms_alerts_total{type,level}                        alerts raised
    oms_housekeeping_jobs_total{job,status}             job runs by outcome (OK, ERROR, SKIPPED)
    oms_housekeeping_job_seconds{job}                   job durations
    oms_broker_healthy{account}                         1 healthy, 0 failing (paused)
    oms_broker_latency_seconds{account}                 the health check's round trip
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: N811

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0)

ORDERS_PLACED = Counter("oms_orders_placed", "Orders that passed the pre-trade checks and went to the broker")
ORDERS_REFUSED = Counter("oms_orders_refused", "Orders refused, by error code", ["code"])
PLACEMENT_SECONDS = Histogram("oms_order_placement_seconds", "order_place duration", buckets=_LATENCY_BUCKETS)
STAGE_SECONDS = Histogram("oms_pretrade_stage_seconds", "Pre-trade stage duration", ["stage"], buckets=_STAGE_BUCKETS)
FILLS = Counter("oms_fills", "Fills stored")
ALERTS = Counter("oms_alerts", "Alerts raised", ["type", "level"])
JOBS = Counter("oms_housekeeping_jobs", "Housekeeping job runs by outcome", ["job", "status"])
JOB_SECONDS = Histogram("oms_housekeeping_job_seconds", "Housekeeping job duration", ["job"], buckets=_LATENCY_BUCKETS)
BROKER_HEALTHY = Gauge("oms_broker_healthy", "1 when the broker account's last check passed", ["account"],
                       multiprocess_mode="mostrecent")  # fmt: skip
BROKER_LATENCY = Gauge("oms_broker_latency_seconds", "Broker health check round trip", ["account"],
                       multiprocess_mode="mostrecent")  # fmt: skip


def job_finished(job: str, status: str, seconds: float) -> None:
    JOBS.labels(job=job, status=str(status)).inc()
    JOB_SECONDS.labels(job=job).observe(seconds)


def broker_checked(account_id: int, healthy: bool, latency_seconds: float | None) -> None:
    BROKER_HEALTHY.labels(account=str(account_id)).set(1 if healthy else 0)
    if latency_seconds is not None:
        BROKER_LATENCY.labels(account=str(account_id)).set(latency_seconds)


def exposition() -> bytes:
    """The text exposition of every metric (aggregated over processes in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()
