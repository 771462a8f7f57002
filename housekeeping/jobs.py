"""The job framework: every housekeeping job is declared once here (name, schedule in Asia/Kolkata, whether
it runs only on trading days, its window) and runs through `job_run`, which

- skips a scheduled run on a day the exchange does not trade (marketdata.calendar) or outside the job's
  window, and says so in the log;
- refuses to run a job twice at once (a cache lock: safe when beat fires while ops press "run now");
- records one `HousekeepingEvent` per run: started, finished, what it looked at, what it did, the errors
  (a failing job is recorded as ERROR and never raises into beat);
- counts outcome and duration for Prometheus (`oms_project.metrics`).

Every job is idempotent: it computes what to do from the current state (a cancelled orphan is no longer
working; a snapshot or EOD report is unique per mark / day; a notice is sent once, marked in OrderFlags),
so a rerun after a crash or a manual run after the scheduled one changes nothing twice.

Beat (django-celery-beat's DatabaseScheduler, both run modes) gets one PeriodicTask per job, task
`housekeeping.run_job` with the job's name: `schedule_sync()` writes them after every migrate.
"""

from __future__ import annotations

import logging
import time as _time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from marketdata import calendar
from oms_project import metrics

from . import errors
from .models import HousekeepingEvent

logger = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")
TASK_NAME = "housekeeping.run_job"
PERIODIC_PREFIX = "housekeeping: "
LOCK_SECONDS = 600


@dataclass
class JobRun:
    """What a job function gets: the instant, the trading day and the counters it fills in."""

    job: str
    at: datetime
    trigger: str
    actor: str
    strategy_id: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    looked_at: dict[str, int] = field(default_factory=dict)
    did: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    note: str = ""
    quiet: bool = False  # a frequent job that found nothing to do asks not to be logged

    @property
    def today(self):  # noqa: ANN201 - a date
        return timezone.localtime(self.at, IST).date()

    def look(self, what: str, n: int = 1) -> None:
        self.looked_at[what] = self.looked_at.get(what, 0) + n

    def done(self, what: str, item: Any) -> None:
        self.did.setdefault(what, []).append(item)

    def error(self, message: str) -> None:
        self.errors.append(message[:500])


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    fn: Callable[[JobRun], None]
    # Either a crontab (minute, hour, day_of_week as celery spells them; Asia/Kolkata) or an interval.
    crontab: dict[str, str] | None = None
    every_seconds: int | None = None
    trading_days_only: bool = True
    window: tuple[time, time] | None = None  # IST wall-clock window for scheduled runs
    per_strategy: bool = False  # may be run for one strategy by its trader
    schedule_text: str = ""
    quiet_when_idle: bool = False


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def job_get(name: str) -> Job:
    _ensure_loaded()
    if name not in JOBS:
        raise errors.JobUnknown(f"No housekeeping job {name!r}. Jobs: {', '.join(sorted(JOBS))}.")
    return JOBS[name]


def jobs_all() -> list[Job]:
    _ensure_loaded()
    return list(JOBS.values())


def _ensure_loaded() -> None:
    from . import schedule  # noqa: F401 - declares the jobs


def _skip_reason(job: Job, at: datetime) -> str:
    local = timezone.localtime(at, IST)
    if job.trading_days_only and not calendar.is_trading_day("NSE", local.date()):
        return f"{local.date():%a %d %b %Y} is not a trading day (exchange calendar)"
    if job.window is not None and not (job.window[0] <= local.time().replace(tzinfo=None) < job.window[1]):
        return f"outside the job's window {job.window[0]:%H:%M}-{job.window[1]:%H:%M} IST"
    return ""


def job_run(
    name: str,
    *,
    trigger: str = HousekeepingEvent.Trigger.SCHEDULE,
    actor: str = "system:beat",
    strategy_id: int | None = None,
    at: datetime | None = None,
    **options: Any,
) -> HousekeepingEvent | None:
    """Run one job now and log it. Scheduled runs honour the trading calendar and the job's window; a manual
    run (ops, a trader's per-strategy trigger) runs whatever the day. Answers the logged event (None when a
    quiet job had nothing to do)."""
    job = job_get(name)
    at = at or timezone.now()
    lock_key = f"housekeeping:lock:{name}:{strategy_id or ''}"
    if not cache.add(lock_key, 1, LOCK_SECONDS):
        if trigger == HousekeepingEvent.Trigger.SCHEDULE:
            logger.info("housekeeping %s still running; this beat tick is dropped", name)
            return None
        raise errors.JobBusy(f"The {job.title} job is running right now.")
    started = _time.perf_counter()
    try:
        skip = _skip_reason(job, at) if trigger == HousekeepingEvent.Trigger.SCHEDULE else ""
        run = JobRun(job=name, at=at, trigger=trigger, actor=actor, strategy_id=strategy_id, options=options)
        status = HousekeepingEvent.Status.SKIPPED
        if skip:
            run.note = skip
        else:
            try:
                job.fn(run)
                status = HousekeepingEvent.Status.ERROR if run.errors else HousekeepingEvent.Status.OK
            except Exception as exc:  # noqa: BLE001 - a job's failure is logged, never raised into beat
                logger.exception("housekeeping job %s failed", name)
                run.error(f"{type(exc).__name__}: {exc}")
                run.did.setdefault("traceback", traceback.format_exc(limit=3)[-1500:])
                status = HousekeepingEvent.Status.ERROR
        elapsed = _time.perf_counter() - started
        metrics.job_finished(name, status, elapsed)
        if skip and job.quiet_when_idle:
            return None
        if run.quiet and status == HousekeepingEvent.Status.OK and job.quiet_when_idle:
            return None
        with transaction.atomic():
            event = HousekeepingEvent.objects.create(
                job=name,
                trigger=trigger,
                actor=actor[:120],
                status=status,
                trading_day=run.today,
                strategy_id=strategy_id,
                started_at=at,
                finished_at=at + timedelta(seconds=elapsed),
                duration_ms=int(elapsed * 1000),
                looked_at=run.looked_at,
                did=_jsonable(run.did),
                errors=run.errors,
                note=run.note[:300],
            )
        return event
    finally:
        cache.delete(lock_key)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


# --- beat ------------------------------------------------------------------------------------------------
def schedule_sync(apps: Any = None) -> int:
    """One PeriodicTask per job (update_or_create by name: idempotent), crontabs in Asia/Kolkata. Jobs taken
    out of the code are disabled, never deleted (their last_run_at stays for the panel)."""
    import json

    if apps is None:
        from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
    else:
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")  # noqa: N806
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")  # noqa: N806
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")  # noqa: N806
    n = 0
    names = set()
    for job in jobs_all():
        defaults: dict[str, Any] = {
            "task": TASK_NAME,
            "args": json.dumps([job.name]),
            "enabled": True,
            "description": job.title,
            "interval": None,
            "crontab": None,
        }
        if job.crontab is not None:
            spec = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
            spec.update(job.crontab)
            crontab, _ = CrontabSchedule.objects.get_or_create(timezone="Asia/Kolkata", **spec)
            defaults["crontab"] = crontab
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(every=job.every_seconds, period="seconds")
            defaults["interval"] = interval
        PeriodicTask.objects.update_or_create(name=PERIODIC_PREFIX + job.name, defaults=defaults)
        names.add(PERIODIC_PREFIX + job.name)
        n += 1
    PeriodicTask.objects.filter(name__startswith=PERIODIC_PREFIX).exclude(name__in=names).update(enabled=False)
    return n


def next_run(job: Job, now: datetime | None = None) -> datetime | None:
    """When beat will next fire this job (skips of non-trading days are decided at run time)."""
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    task = PeriodicTask.objects.filter(name=PERIODIC_PREFIX + job.name).select_related("crontab", "interval").first()
    if task is None or not task.enabled:
        return None
    sched = task.schedule
    if task.crontab is not None:
        local = timezone.localtime(now, IST)
        # celery's crontab: remaining time from `last_run_at`; asking from "now" gives the next match after now.
        return (local + sched.remaining_estimate(local)).astimezone(IST)
    last = task.last_run_at or now
    return max(now, last + timedelta(seconds=job.every_seconds or 0))


def log_action(job: str, *, actor: str, did: dict[str, Any], looked_at: dict[str, int] | None = None,
               errors_: list[str] | None = None, strategy_id: int | None = None) -> HousekeepingEvent:  # fmt: skip
    """Log an ops or trader action that is not a job run (adopting the broker's state, keeping an orphan)."""
    now = timezone.now()
    return HousekeepingEvent.objects.create(
        job=job, trigger=HousekeepingEvent.Trigger.MANUAL, actor=actor[:120],
        status=HousekeepingEvent.Status.ERROR if errors_ else HousekeepingEvent.Status.OK,
        trading_day=timezone.localtime(now, IST).date(), strategy_id=strategy_id, started_at=now, finished_at=now,
        looked_at=looked_at or {}, did=_jsonable(did), errors=errors_ or [],
    )  # fmt: skip
