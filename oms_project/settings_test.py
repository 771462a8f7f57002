"""Test settings: the embedded defaults (or PostgreSQL + Redis when CI sets the URLs), eager Celery."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
ALLOWED_HOSTS = ["*"]
# Tests pin the simulated clock themselves; keep the venue open unless a test says otherwise.
SIM_TRADE_ANY_TIME = True
