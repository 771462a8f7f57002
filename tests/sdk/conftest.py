from collections.abc import Callable
from typing import Any

import httpx
import pytest

from oms_project.wsgi import application
from stocksblitz_sdk import StocksBlitzClient


@pytest.fixture(autouse=True)
def _keep_test_connection_open() -> Any:
    """WSGI requests end with close_old_connections, which would close the test transaction's
    connection; Django's own test Client disconnects it the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def sdk_for(api_key_for: Callable[[Any], str]) -> Callable[[Any], StocksBlitzClient]:
    """An SDK client for a user, talking to the real Django app in-process."""

    def make(owner: Any) -> StocksBlitzClient:
        return StocksBlitzClient(
            api_url="http://testserver", api_key=api_key_for(owner), transport=httpx.WSGITransport(app=application)
        )

    return make


@pytest.fixture
def sdk(user: Any, sdk_for: Callable[[Any], StocksBlitzClient]) -> StocksBlitzClient:
    return sdk_for(user)
