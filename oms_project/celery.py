"""Celery app. Production: Redis broker, separate worker and beat processes. Embedded: an in-memory
broker with the worker and beat running as threads inside `manage.py serve` (see oms_project/embedded.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms_project.settings")

app = Celery("oms_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
