"""The HTTP concurrency gate (oms_project/http_gate.py): at most N requests inside Django, the rest in turn;
WebSockets and lifespan never wait; 0 is no limit; the ASGI application is wired with the setting."""

from __future__ import annotations

import asyncio
from typing import Any

from oms_project.http_gate import ConcurrencyGate


class Recorder:
    """An ASGI app whose requests stay inside until released; records who is inside and the order of entry."""

    def __init__(self) -> None:
        self.inside: set[str] = set()
        self.peak = 0
        self.entered: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        name = scope["name"]
        self.inside.add(name)
        self.entered.append(name)
        self.peak = max(self.peak, len(self.inside))
        await self.release.setdefault(name, asyncio.Event()).wait()
        self.inside.discard(name)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def _run(limit: int, scopes: list[dict[str, Any]], steps: Any) -> Recorder:
    async def main() -> Recorder:
        app = Recorder()
        gate = ConcurrencyGate(app, limit)
        for s in scopes:
            app.release[s["name"]] = asyncio.Event()
        tasks = [asyncio.create_task(gate(s, None, None)) for s in scopes]
        await _settle()
        await steps(app)
        for e in app.release.values():
            e.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 2)
        return app

    return asyncio.run(main())


def test_two_requests_inside_at_most_and_the_third_enters_when_one_leaves() -> None:
    async def steps(app: Recorder) -> None:
        assert app.inside == {"a", "b"}  # the third waits on the loop, not on a thread
        app.release["a"].set()
        await _settle()
        assert app.inside == {"b", "c"}

    app = _run(2, [{"type": "http", "name": n} for n in "abc"], steps)
    assert app.peak == 2 and app.entered == ["a", "b", "c"]  # in turn


def test_websockets_and_lifespan_never_wait_for_a_slot() -> None:
    async def steps(app: Recorder) -> None:
        assert app.inside == {"http", "ws", "lifespan"}

    scopes = [
        {"type": "http", "name": "http"},
        {"type": "websocket", "name": "ws"},
        {"type": "lifespan", "name": "lifespan"},
    ]
    assert _run(1, scopes, steps).peak == 3


def test_zero_is_no_limit() -> None:
    async def steps(app: Recorder) -> None:
        assert len(app.inside) == 5

    assert _run(0, [{"type": "http", "name": str(i)} for i in range(5)], steps).peak == 5


def test_the_asgi_application_gates_http_with_the_setting() -> None:
    from django.conf import settings

    from oms_project.asgi import application

    router = application.app
    gate = router.application_mapping["http"]
    assert isinstance(gate, ConcurrencyGate) and gate.limit == settings.HTTP_CONCURRENCY
    assert "websocket" in router.application_mapping and not isinstance(
        router.application_mapping["websocket"], ConcurrencyGate
    )
