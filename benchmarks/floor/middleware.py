"""Benchmark-only: a request with `X-Bench-Count: 1` is answered with the SQL statements and the
transactions it ran on this thread's connection (`X-Bench-Statements`, `X-Bench-Transactions`: explicit
commits plus statements run in autocommit). Other requests pass straight through."""

from __future__ import annotations

from typing import Any

from django.db import connection


class StatementCounter:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.META.get("HTTP_X_BENCH_COUNT") != "1":
            return self.get_response(request)
        counts = {"statements": 0, "autocommit": 0, "commits": 0}

        def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
            if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
                counts["statements"] += 1
                if not connection.in_atomic_block:
                    counts["autocommit"] += 1
            return execute(sql, params, many, context)

        real_commit = connection.commit

        def commit() -> None:
            counts["commits"] += 1
            real_commit()

        connection.commit = commit  # Atomic.__exit__ commits through the instance attribute
        try:
            with connection.execute_wrapper(wrapper):
                response = self.get_response(request)
        finally:
            del connection.commit
        response["X-Bench-Statements"] = str(counts["statements"])
        response["X-Bench-Transactions"] = str(counts["commits"] + counts["autocommit"])
        return response
