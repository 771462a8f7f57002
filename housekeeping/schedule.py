"""The housekeeping jobs and their schedules (seed 001 "Additional Housekeeping Tasks"), all in
Asia/Kolkata, declared once: beat's PeriodicTasks are written from this list (`jobs.schedule_sync`)."""

from __future__ import annotations

from datetime import time

from .jobs import Job, register
from .services import aging, broker_health, eod, expiry, order_sync, orphans, reconciliation, snapshots, square_off

WEEKDAYS = "1-5"  # crontab's Mon-Fri; exchange holidays are skipped at run time by the trading calendar

register(Job("orphaned_orders", "Orphaned orders sweep", orphans.job_orphans,
             crontab={"minute": "*", "day_of_week": WEEKDAYS}, per_strategy=True,
             schedule_text="every minute (and on each position close)"))
register(Job("order_aging", "Order aging", aging.job_order_aging,
             crontab={"minute": "*/15", "day_of_week": WEEKDAYS}, schedule_text="every 15 minutes"))
register(Job("expired_instruments", "Expired instruments", expiry.job_expired_instruments,
             crontab={"minute": "0", "hour": "9", "day_of_week": WEEKDAYS}, schedule_text="09:00"))
register(Job("eod_reconciliation", "End-of-day reconciliation", eod.job_eod_reconciliation,
             crontab={"minute": "30", "hour": "15", "day_of_week": WEEKDAYS}, schedule_text="15:30"))
register(Job("mis_square_off", "Intraday MIS square-off", square_off.job_mis_square_off,
             crontab={"minute": "5-29", "hour": "15", "day_of_week": WEEKDAYS},
             schedule_text="15:05-15:29 every minute (warn, square off, forced; see docs)"))
register(Job("strategy_snapshots", "Strategy P&L snapshots", snapshots.job_strategy_snapshots,
             crontab={"minute": "*/5", "hour": "9-15", "day_of_week": WEEKDAYS}, per_strategy=True,
             window=(time(9, 15), time(15, 35)), schedule_text="every 5 minutes, 09:15-15:30"))
register(Job("broker_health", "Broker API health", broker_health.job_broker_health,
             crontab={"minute": "*"}, trading_days_only=False, schedule_text="every minute"))
register(Job("order_state_sync", "Order-state sync (update stream down)", order_sync.job_order_state_sync,
             every_seconds=5, window=(time(9, 0), time(16, 0)), quiet_when_idle=True,
             schedule_text="every 5 s, 09:00-16:00, while an account's update stream is down"))
register(Job("data_reconciliation", "Data reconciliation with the broker", reconciliation.job_data_reconciliation,
             crontab={"minute": "0", "hour": "9-16", "day_of_week": WEEKDAYS},
             schedule_text="hourly 09:00-16:00, and at start-up"))  # fmt: skip
