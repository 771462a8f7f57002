"""Housekeeping reads: the jobs panel, the log, orphans, mismatches, EOD reports (scoped to the owner; ops
views take `user=None`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .jobs import jobs_all, next_run
from .models import HousekeepingEvent


def jobs_overview(now: Any = None) -> list[dict[str, Any]]:
    """Each job: schedule, last run (time, outcome, what it did), next run."""
    now = now or timezone.now()
    rows = []
    for job in jobs_all():
        last = HousekeepingEvent.objects.filter(job=job.name).order_by("-started_at", "-id").first()
        rows.append({
            "name": job.name, "title": job.title, "schedule": job.schedule_text,
            "trading_days_only": job.trading_days_only, "per_strategy": job.per_strategy,
            "last_run": last, "last_status": last.status if last else "", "next_run": next_run(job, now),
        })  # fmt: skip
    return rows


def events_log(*, job: str | None = None, status: str | None = None, limit: int = 200) -> list[HousekeepingEvent]:
    qs = HousekeepingEvent.objects.all()
    if job:
        qs = qs.filter(job=job)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-started_at", "-id")[:limit])
