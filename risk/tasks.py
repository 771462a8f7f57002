"""Celery tasks of risk (thin: each calls one service).

Beat (django-celery-beat, the row created by risk's migration 0002): Greeks snapshots every 5 minutes Mon-Fri
09:00-15:59 IST; the service takes none outside the NSE session (marketdata.calendar: weekends, holidays,
before 09:15, from 15:30), so the crontab only narrows the wake-ups."""

from __future__ import annotations

from celery import shared_task

GREEKS_SNAPSHOTS_TASK = "risk.greeks_snapshots_due"


@shared_task(name=GREEKS_SNAPSHOTS_TASK, ignore_result=True)
def greeks_snapshots_due_task() -> int:
    from .greeks_book import greeks_snapshots_due

    return greeks_snapshots_due()
