"""Paper venue tests reuse the order core's fixtures (instruments, a controllable market, a paper account)."""

from tests.orders.conftest import (  # noqa: F401
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
