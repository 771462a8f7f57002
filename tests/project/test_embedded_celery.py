"""Embedded mode runs a real Celery worker as a thread over the in-memory broker."""

import threading

import pytest
from celery import shared_task

from oms_project.celery import app
from oms_project.embedded import start_celery_threads

_ran = threading.Event()
_ran_on: list[str] = []


@shared_task(name="tests.embedded_probe")
def embedded_probe() -> None:
    _ran_on.append(threading.current_thread().name)
    _ran.set()


@pytest.mark.django_db(transaction=True)
def test_in_process_worker_runs_a_queued_task(settings):
    # The embedded runtime is what this test is about: run it over the in-memory broker even
    # when CI configures Redis.
    original_broker = app.conf.broker_url
    app.conf.broker_url = "memory://localhost/"
    app.conf.task_always_eager = False
    parts = start_celery_threads()
    try:
        embedded_probe.delay()
        assert _ran.wait(timeout=10), "the in-process worker did not run the task"
        assert _ran_on and _ran_on[0] != threading.main_thread().name
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = original_broker
        for part in parts:
            part.stop()
