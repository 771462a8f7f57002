"""Celery tasks of margin monitoring (thin: each calls one service).

Beat (django-celery-beat, rows created by margin's migration 0003): snapshots every 5 minutes
Mon-Fri 09:00-15:59 IST — the service takes none outside the exchange session (weekends, holidays,
before 09:15, from 15:30), so the crontab only narrows the wake-ups —, margin calls past their grace
every minute, and the NSE margin files at 08:30 and 18:30 IST on weekdays (the day's files are
published before the open; BOD files after the close; an already imported file is skipped). The simulated
market's own SPAN file hourly 09:00-15:00 IST on weekdays (margin 0008): published once per NSE trading day
(`margin.sim_span.sim_span_publish_due`), never over a file already imported for the day.
"""

from __future__ import annotations

from celery import shared_task

SNAPSHOTS_TASK = "margin.snapshots_due"
SNAPSHOT_TASK = "margin.snapshot_account"
CALLS_TASK = "margin.calls_expire_due"
NSE_FILES_TASK = "margin.nse_files_import"
SIM_SPAN_TASK = "margin.sim_span_publish"


@shared_task(name=SNAPSHOTS_TASK, ignore_result=True)
def margin_snapshots_due_task() -> int:
    from .monitoring import snapshots_due

    return snapshots_due()


@shared_task(name=SNAPSHOT_TASK, ignore_result=True)
def margin_snapshot_account_task(account_id: int, trigger: str, key: str) -> int | None:
    from .monitoring import snapshot_for_event

    snap = snapshot_for_event(account_id, trigger, key)
    return snap.pk if snap else None


@shared_task(name=CALLS_TASK, ignore_result=True)
def margin_calls_expire_due_task() -> int:
    from .monitoring import margin_calls_expire_due

    return margin_calls_expire_due()


@shared_task(name=NSE_FILES_TASK, ignore_result=True)
def margin_nse_files_import_task() -> list[str]:
    from .nse_files import nse_files_import

    return [f"{r.kind} {r.file_name} {r.status}" for r in nse_files_import()]


@shared_task(name=SIM_SPAN_TASK, ignore_result=True)
def margin_sim_span_publish_task() -> dict[str, object]:
    from .sim_span import sim_span_publish_due

    return sim_span_publish_due()
