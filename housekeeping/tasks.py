"""Celery tasks of housekeeping (thin: each calls the job runner)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import beat_init

from .jobs import TASK_NAME


@shared_task(name=TASK_NAME, ignore_result=True)
def run_job(name: str, trigger: str = "schedule", actor: str = "system:beat", strategy_id: int | None = None) -> Any:
    from .jobs import job_run

    event = job_run(name, trigger=trigger, actor=actor, strategy_id=strategy_id)
    return event.pk if event is not None else None


@beat_init.connect
def _reconcile_at_startup(sender: Any = None, **kwargs: Any) -> None:
    """Beat started (either run mode): one data reconciliation now (seed 001: hourly, and at start-up)."""
    try:
        run_job.apply_async(args=["data_reconciliation"], kwargs={"trigger": "startup", "actor": "system:startup"})
    except Exception:  # noqa: BLE001 - a broker hiccup at start-up must not stop beat
        import logging

        logging.getLogger(__name__).exception("start-up reconciliation not queued")
