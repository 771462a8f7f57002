from collections.abc import Callable
from typing import Any

import httpx
import pytest

from oms_project.wsgi import application
from stocksblitz_sdk import StocksBlitzClient


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
