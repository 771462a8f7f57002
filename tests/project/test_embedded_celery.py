"""Embedded mode runs a real Celery worker and beat as threads over the in-memory broker.

Run in a subprocess with the embedded defaults (no REDIS_URL, a private SQLite file), exactly as
`manage.py serve` would: beat (DatabaseScheduler) must pick up the periodic alert-expiry task
from the database and the in-process worker must run it.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime, threading, time
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from alerts.models import Alert
from alerts.services import alert_raise
from oms_project.embedded import start_celery_threads

user = get_user_model().objects.create_user("embedded-probe")
alert = alert_raise(user=user, type="SYSTEM", level="INFO", message="probe", actions=["OK"],
                    expires_in=datetime.timedelta(seconds=-1))
parts = start_celery_threads()
for _ in range(300):
    alert.refresh_from_db()
    if alert.status == "EXPIRED":
        break
    time.sleep(0.1)
print("STATUS", alert.status, "THREADS", sorted(t.name for t in threading.enumerate() if t.name in ("celery-worker", "Beat")))
for part in parts:
    part.stop()
"""


def test_in_process_beat_and_worker_run_the_periodic_expiry(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'embedded.sqlite3'}", DJANGO_SETTINGS_MODULE="oms_project.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "STATUS EXPIRED" in result.stdout, result.stdout + result.stderr[-3000:]
    assert "'Beat'" in result.stdout and "'celery-worker'" in result.stdout
