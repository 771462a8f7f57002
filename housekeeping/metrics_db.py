"""Job and broker figures for /metrics read from the database at scrape time, so the web process answers for
runs that happened in the worker (the production layout runs jobs in other processes and containers):

    oms_housekeeping_last_run_timestamp_seconds{job}      start of the job's last run (epoch)
    oms_housekeeping_last_run_duration_seconds{job}
    oms_housekeeping_last_run_ok{job}                     1 when the last run was OK or SKIPPED
    oms_housekeeping_runs_24h{job,status}                 runs in the last 24 hours by outcome
    oms_broker_account_healthy{account}                   from the last health check (BrokerHealth)
    oms_broker_account_paused{account}
    oms_reconciliation_open_mismatches                    open differences with the brokers
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from .models import BrokerHealth, HousekeepingEvent, Mismatch


def exposition() -> bytes:
    reg = CollectorRegistry()
    last_ts = Gauge("oms_housekeeping_last_run_timestamp_seconds", "Start of the last run", ["job"], registry=reg)
    last_dur = Gauge("oms_housekeeping_last_run_duration_seconds", "Duration of the last run", ["job"], registry=reg)
    last_ok = Gauge("oms_housekeeping_last_run_ok", "1 when the last run was OK or SKIPPED", ["job"], registry=reg)
    runs = Gauge("oms_housekeeping_runs_24h", "Runs in the last 24 h by outcome", ["job", "status"], registry=reg)
    healthy = Gauge("oms_broker_account_healthy", "Last broker health check passed", ["account"], registry=reg)
    paused = Gauge("oms_broker_account_paused", "Placement paused on the account", ["account"], registry=reg)
    open_mm = Gauge("oms_reconciliation_open_mismatches", "Open differences with the brokers", registry=reg)
    seen: set[str] = set()
    for e in HousekeepingEvent.objects.order_by("job", "-started_at").only("job", "started_at", "duration_ms", "status"):
        if e.job in seen:
            continue
        seen.add(e.job)
        last_ts.labels(job=e.job).set(e.started_at.timestamp())
        last_dur.labels(job=e.job).set(e.duration_ms / 1000)
        last_ok.labels(job=e.job).set(1 if e.status in ("OK", "SKIPPED") else 0)
    since = timezone.now() - timedelta(hours=24)
    for row in HousekeepingEvent.objects.filter(started_at__gte=since).values("job", "status").annotate(n=Count("id")):
        runs.labels(job=row["job"], status=row["status"]).set(row["n"])
    for h in BrokerHealth.objects.all():
        healthy.labels(account=str(h.account_id)).set(1 if h.healthy else 0)
        paused.labels(account=str(h.account_id)).set(1 if h.paused else 0)
    open_mm.set(Mismatch.objects.filter(state=Mismatch.State.OPEN).count())
    return generate_latest(reg)
