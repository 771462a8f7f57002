from __future__ import annotations

from typing import Any

import pytest

from alerts import services


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every group_send the realtime helper performs (after commit), recorded instead of sent."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr("oms_project.lib.realtime.group_send", lambda group, message: sent.append((group, message)))
    return sent


@pytest.fixture
def handler_calls():
    """Register a recording response handler for APPROVAL_REQUIRED; unregistered afterwards."""
    calls: list[tuple[int, str, str]] = []

    def handler(alert, action, actor):  # noqa: ANN001
        calls.append((alert.pk, action, actor))

    services.register_response_handler("APPROVAL_REQUIRED", handler)
    yield calls
    services.unregister_response_handler("APPROVAL_REQUIRED", handler)
