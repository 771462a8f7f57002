"""Django's SQLite backend, plus one write lock per process: writers queue on it instead of on SQLite's lock.

SQLite allows one writer at a time. Embedded mode (`manage.py serve`) opens every transaction IMMEDIATE (it
takes the write lock at BEGIN, so a transaction never fails upgrading a read lock), and a thread that finds
the lock taken waits in SQLite's busy handler: it sleeps and retries, backing off to 100 ms between tries. It
is not a queue: a writer that just arrived takes the lock before one that has been sleeping, so under load a
few unlucky requests wait for seconds (measured: p99 1.5-4 s against a median of 0.1-0.3 s at concurrency 8,
benchmarks/bench_orders.py --embedded). Here every write of the process (an IMMEDIATE transaction from BEGIN
to COMMIT/ROLLBACK, or a single write statement in autocommit) first takes one process-wide lock, so the
writers of this process are served in turn as soon as the lock is free, and SQLite's own lock is only ever
contended by other processes (a `manage.py` command beside `serve`), where the busy timeout still applies.

A writer that cannot get the lock within the connection's `timeout` (settings: 20 s) fails as SQLite would:
OperationalError "database is locked". Reads take no lock (WAL: readers never wait for the writer).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base as sqlite3_base

Database = sqlite3_base.Database

_write_lock = threading.Lock()
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _acquire(timeout: float) -> None:
    if not _write_lock.acquire(timeout=timeout):
        raise Database.OperationalError("database is locked")


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    _holds_write_lock = False

    def _lock_timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _release_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            _write_lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        if not self._holds_write_lock:
            _acquire(self._lock_timeout())
            self._holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()
        finally:
            if self.connection is None or not self.connection.in_transaction:
                self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()
        finally:
            self._release_write_lock()

    def create_cursor(self, name: str | None = None) -> Any:
        cursor = self.connection.cursor(factory=_Cursor)
        cursor.db_wrapper = self
        return cursor


class _Cursor(sqlite3_base.SQLiteCursorWrapper):
    """A write statement in autocommit (outside any transaction) takes the process's write lock for itself."""

    db_wrapper: DatabaseWrapper

    def _unlocked(self, query: str) -> bool:
        return self.db_wrapper._holds_write_lock or self.connection.in_transaction or not _is_write(query)

    def execute(self, query: str, params: Any = None) -> Any:
        if self._unlocked(query):
            return super().execute(query, params)
        _acquire(self.db_wrapper._lock_timeout())
        try:
            return super().execute(query, params)
        finally:
            _write_lock.release()

    def executemany(self, query: str, param_list: Any) -> Any:
        if self._unlocked(query):
            return super().executemany(query, param_list)
        _acquire(self.db_wrapper._lock_timeout())
        try:
            return super().executemany(query, param_list)
        finally:
            _write_lock.release()


def _is_write(query: str) -> bool:
    return query.lstrip()[:7].upper().startswith(_WRITES)
