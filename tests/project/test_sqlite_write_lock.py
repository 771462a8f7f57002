"""Embedded mode's SQLite backend: one in-process write lock, taken by IMMEDIATE transactions and by single
write statements in autocommit, released on commit, rollback and close; reads never wait for it."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from oms_project.sqlite3 import base

# sqlite_only: deselected when the test database is another backend (tests/conftest.py); scripts/test then runs
# this file on embedded mode's SQLite in its own invocation, so CI on PostgreSQL runs it too.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.sqlite_only]


def test_lock_held_for_the_transaction_and_released_on_commit_and_rollback():
    assert not base._write_lock.locked()
    with transaction.atomic():
        assert base._write_lock.locked()
    assert not base._write_lock.locked()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert base._write_lock.locked()
        raise RuntimeError
    assert not base._write_lock.locked()


def test_another_threads_write_waits_for_the_transaction_and_a_read_does_not():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    events: list[str] = []

    def writer() -> None:
        User.objects.create(username="second")  # autocommit INSERT: takes the lock for itself
        events.append("second wrote")
        connection.close()

    def reader() -> None:
        events.append(f"read {User.objects.count()}")
        connection.close()

    with transaction.atomic():
        User.objects.create(username="first")
        r = threading.Thread(target=reader)
        r.start()
        r.join(5)
        w = threading.Thread(target=writer)
        w.start()
        w.join(0.3)
        assert w.is_alive()  # queued on the lock, not failing
        events.append("first commits")
    w.join(5)
    assert events == ["read 0", "first commits", "second wrote"]
    assert not base._write_lock.locked()
    assert User.objects.filter(username__in=["first", "second"]).count() == 2


def test_lock_released_when_the_connection_closes_mid_transaction():
    held: list[bool] = []

    def dies_mid_transaction() -> None:
        connection.ensure_connection()
        connection._start_transaction_under_autocommit()  # BEGIN IMMEDIATE, as atomic() does
        held.append(base._write_lock.locked())
        connection.close()  # e.g. close_old_connections after a crash in the request

    t = threading.Thread(target=dies_mid_transaction)
    t.start()
    t.join(5)
    assert held == [True]
    assert not base._write_lock.locked()
