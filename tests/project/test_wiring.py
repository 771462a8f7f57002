"""The project wiring: system checks, the push helper in both modes, the background supervisor."""

import asyncio
import threading
from decimal import Decimal

import pytest
from channels.layers import get_channel_layer
from django.core.checks import run_checks
from django.test import override_settings

from oms_project import background
from oms_project.checks import run_mode_checks
from oms_project.lib import realtime
from oms_project.lib.money import is_on_tick, quantize_inr, round_to_tick

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _ids(problems):
    return {p.id for p in problems}


@override_settings(CHANNEL_LAYERS=IN_MEMORY, WEB_CONCURRENCY=3)
def test_check_warns_in_memory_layer_with_several_web_processes():
    assert "oms.W001" in _ids(run_mode_checks())


@override_settings(DEBUG=True, ALLOWED_HOSTS=["oms.example.com"])
def test_check_warns_debug_on_public_host():
    assert "oms.W002" in _ids(run_mode_checks())


def test_check_errors_on_dev_secret_key_in_production(settings):
    settings.PRODUCTION_MODE = True
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert "oms.E001" in _ids(run_mode_checks())
    settings.SECRET_KEY = "a-real-secret"
    assert "oms.E001" not in _ids(run_mode_checks())


def test_default_configuration_passes_checks():
    assert not [p for p in run_checks() if p.id and p.id.startswith("oms.E")]


@override_settings(CHANNEL_LAYERS=IN_MEMORY)
def test_group_send_from_a_worker_thread_reaches_the_serving_loop():
    """Embedded mode: a push from a non-loop thread is handed to the loop owning the in-memory layer."""
    from channels import layers

    layers.channel_layers.backends.clear()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("user.1.test", channel)
        realtime.register_embedded_loop(asyncio.get_running_loop())
        try:
            worker = threading.Thread(target=realtime.group_send, args=("user.1.test", {"type": "x", "n": 7}))
            worker.start()
            message = await asyncio.wait_for(layer.receive(channel), timeout=2)
            worker.join()
        finally:
            realtime.register_embedded_loop(None)
        return message

    assert asyncio.run(scenario()) == {"type": "x", "n": 7}
    layers.channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
@override_settings(CHANNEL_LAYERS=IN_MEMORY)
def test_group_send_on_commit_does_not_push_a_rolled_back_change(monkeypatch):
    from django.db import transaction

    sent = []
    monkeypatch.setattr(realtime, "group_send", lambda group, message: sent.append((group, message)))
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.group_send_on_commit("user.1.alerts", {"type": "a"})
        raise RuntimeError("rollback")
    assert sent == []
    with transaction.atomic():
        realtime.group_send_on_commit("user.1.alerts", {"type": "b"})
        assert sent == []
    assert sent == [("user.1.alerts", {"type": "b"})]


def test_supervisor_restarts_a_crashing_service(settings, monkeypatch):
    calls = []

    async def flaky(stop):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("boom")
        stop.set()

    settings.BACKGROUND_SERVICES = {"flaky": "tests.project.test_wiring.flaky"}
    monkeypatch.setattr(background, "import_string", lambda path: flaky)

    async def main():
        stop = asyncio.Event()
        monkeypatch.setattr(asyncio, "wait_for", _instant_wait_for)
        await background.run_supervised("flaky", stop)

    asyncio.run(main())
    assert len(calls) == 2


async def _instant_wait_for(awaitable, timeout):
    awaitable.close() if hasattr(awaitable, "close") else None
    raise TimeoutError


def test_money_helpers():
    tick = Decimal("0.05")
    assert round_to_tick(Decimal("101.03"), tick) == Decimal("101.05")
    assert round_to_tick(Decimal("101.03"), tick, "down") == Decimal("101.00")
    assert round_to_tick(Decimal("101.01"), tick, "up") == Decimal("101.05")
    assert is_on_tick(Decimal("101.05"), tick) and not is_on_tick(Decimal("101.06"), tick)
    assert quantize_inr(Decimal("1.005")) == Decimal("1.01")
