"""Margin tests reuse the order core's fixtures (instruments, a controllable quote source, a funded paper account,
placing through the pipeline)."""

from tests.orders.conftest import (  # noqa: F401
    _fresh_cache,
    _no_sleep,
    account,
    fake_market,
    fut,
    make_instrument,
    place,
)
