"""Risk tests reuse the order core's fixtures (instruments, a controllable market, a funded paper account)."""

from tests.orders.conftest import *  # noqa: F401,F403
