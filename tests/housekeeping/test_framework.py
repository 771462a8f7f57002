"""The job framework: beat schedule in Asia/Kolkata, trading-calendar skips, one log row per run, the lock,
errors recorded (never raised into beat), the beat scheduler actually firing a job (embedded mode)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from housekeeping import jobs
from housekeeping.models import HousekeepingEvent

pytestmark = pytest.mark.dates


def test_every_job_has_a_periodic_task_in_ist():
    from django_celery_beat.models import PeriodicTask

    names = {j.name for j in jobs.jobs_all()}
    assert {"orphaned_orders", "order_aging", "expired_instruments", "eod_reconciliation", "mis_square_off",
            "strategy_snapshots", "broker_health", "order_state_sync", "data_reconciliation"} <= names  # fmt: skip
    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__startswith=jobs.PERIODIC_PREFIX)}
    for name in names:
        t = tasks[jobs.PERIODIC_PREFIX + name]
        assert t.enabled and t.task == jobs.TASK_NAME and json.loads(t.args) == [name]
        if t.crontab is not None:
            assert str(t.crontab.timezone) == "Asia/Kolkata"
    eod = tasks[jobs.PERIODIC_PREFIX + "eod_reconciliation"].crontab
    assert (eod.minute, eod.hour) == ("30", "15")
    assert jobs.schedule_sync() == len(names)  # idempotent: the same rows again
    assert PeriodicTask.objects.filter(name__startswith=jobs.PERIODIC_PREFIX).count() == len(names)


def test_a_scheduled_run_skips_a_holiday_but_a_manual_run_does_not(travel_to, run_job):
    travel_to("2026-12-25 09:00 IST")  # Christmas: NSE holiday (exchange calendar)
    skipped = run_job("expired_instruments")
    assert skipped.status == HousekeepingEvent.Status.SKIPPED and "not a trading day" in skipped.note
    manual = run_job("expired_instruments", trigger="manual", actor="user:1")
    assert manual.status == HousekeepingEvent.Status.OK and manual.actor == "user:1"
    travel_to("2026-12-24 09:00 IST")
    assert run_job("expired_instruments").status == HousekeepingEvent.Status.OK
    assert HousekeepingEvent.objects.filter(job="expired_instruments").count() == 3


def test_a_saturday_and_the_window(travel_to, run_job):
    travel_to("2026-12-05 11:00 IST")
    assert run_job("order_aging").status == HousekeepingEvent.Status.SKIPPED
    travel_to("2026-12-02 08:00 IST")
    ev = run_job("strategy_snapshots")
    assert ev.status == HousekeepingEvent.Status.SKIPPED and "window" in ev.note
    travel_to("2026-12-02 10:00 IST")
    assert run_job("strategy_snapshots").status == HousekeepingEvent.Status.OK


def test_a_failing_job_is_logged_as_error_and_the_lock_refuses_a_second_run(monkeypatch, run_job, travel_to):
    from django.core.cache import cache

    from housekeeping import errors

    travel_to("2026-12-02 10:00 IST")
    job = jobs.job_get("order_aging")

    def boom(run):
        run.look("orders", 3)
        raise RuntimeError("database gone")

    monkeypatch.setitem(jobs.JOBS, "order_aging", jobs.Job(**{**job.__dict__, "fn": boom}))
    ev = run_job("order_aging")
    assert ev.status == HousekeepingEvent.Status.ERROR
    assert ev.errors == ["RuntimeError: database gone"] and ev.looked_at == {"orders": 3}
    assert ev.finished_at >= ev.started_at
    cache.add("housekeeping:lock:order_aging:", 1, 60)
    with pytest.raises(errors.JobBusy):
        run_job("order_aging", trigger="manual")
    assert run_job("order_aging") is None  # a beat tick while it runs is dropped
    cache.delete("housekeeping:lock:order_aging:")


def test_next_run_follows_the_ist_crontab(travel_to):
    travel_to("2026-12-02 10:07 IST")
    nxt = jobs.next_run(jobs.job_get("expired_instruments"))
    local = timezone.localtime(nxt)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-03", 9, 0)
    nxt = jobs.next_run(jobs.job_get("order_aging"))
    assert timezone.localtime(nxt).minute == 15


@pytest.mark.django_db(transaction=True)
def test_embedded_beat_fires_a_due_job(travel_to):
    """The embedded runtime as `serve` starts it (oms_project.embedded.start_celery_threads: a Celery worker
    and beat with django-celery-beat's DatabaseScheduler, as threads over the in-memory broker): beat finds
    the due housekeeping job, the worker runs it, the run is logged."""
    import time

    from django_celery_beat.models import PeriodicTask

    from oms_project.embedded import start_celery_threads

    travel_to("2026-12-02 10:00:30 IST", tick=True)
    PeriodicTask.objects.exclude(name=jobs.PERIODIC_PREFIX + "broker_health").update(enabled=False)
    PeriodicTask.objects.filter(name=jobs.PERIODIC_PREFIX + "broker_health").update(
        last_run_at=timezone.now() - timezone.timedelta(minutes=5))  # fmt: skip
    parts = start_celery_threads()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not HousekeepingEvent.objects.filter(job="broker_health").exists():
            time.sleep(0.2)
    finally:
        for part in parts:
            part.stop()
    ev = HousekeepingEvent.objects.filter(job="broker_health").first()
    assert ev is not None and ev.trigger == "schedule" and ev.status == HousekeepingEvent.Status.OK


def test_beat_start_up_queues_one_data_reconciliation(travel_to):
    """celery's beat_init (beat starting, either run mode) runs the data reconciliation once (eager in tests)."""
    from celery.signals import beat_init

    travel_to("2026-12-02 09:20 IST")
    beat_init.send(sender=None)
    ev = HousekeepingEvent.objects.get(job="data_reconciliation")
    assert ev.trigger == "startup" and ev.actor == "system:startup" and ev.status == HousekeepingEvent.Status.OK
