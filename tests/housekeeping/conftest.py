"""Housekeeping fixtures: the order core's (instruments, a controllable market, a paper account, place)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.orders.conftest import (  # noqa: F401 - fixtures
    FakeMarket,
    _fresh_cache,
    _no_sleep,
    account,
    fake_market,
    fut,
    make_instrument,
    other_account,
    place,
)


@pytest.fixture(autouse=True)
def _db(db: Any) -> None:
    """Every housekeeping test uses the database."""


@pytest.fixture
def run_job():
    from housekeeping.jobs import job_run

    def run(name: str, **kw: Any):
        return job_run(name, **kw)

    return run
