"""Margin tests reuse the order core's fixtures (instruments, a controllable quote source, a funded paper account,
placing through the pipeline)."""

import pytest

from tests.orders.conftest import (  # noqa: F401
    _fresh_cache,
    _no_sleep,
    account,
    fake_market,
    fut,
    make_instrument,
    place,
)


@pytest.fixture(autouse=True)
def _forget_imported_files():  # noqa: ANN202
    """The engine caches the day's SPAN file and AEL rates per process (margin.span_store, 30 s); a test's
    imports are rolled back with it, so its cache must not outlive it (an AEL rate would leak to the next test)."""
    yield
    from margin import span_store

    span_store.clear_cache()
