"""WebSocket authentication: the browser's session, or a bot's `Authorization: Api-Key` header.

Browsers are checked against ALLOWED_HOSTS by Origin (cross-site WebSocket hijacking); bots send
no Origin, so a valid API key is accepted without one. Anything else connects as anonymous and
the consumer closes it.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from .authentication import api_key_user, parse_authorization


@database_sync_to_async
def _resolve_key(raw_key: str) -> tuple[Any, Any] | None:
    return api_key_user(raw_key)


class ApiKeyOrSessionAuthMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.browser_app = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers") or [])
        authorization = headers.get(b"authorization", b"").decode("latin1")
        raw_key = parse_authorization(authorization) if authorization else None
        if raw_key is None:
            return await self.browser_app(scope, receive, send)
        resolved = await _resolve_key(raw_key)
        user, api_key = resolved if resolved else (AnonymousUser(), None)
        return await self.inner(dict(scope, user=user, api_key=api_key), receive, send)
