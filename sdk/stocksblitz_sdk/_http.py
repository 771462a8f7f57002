"""HTTP plumbing: auth header, JSON, error mapping, pagination."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx

from .exceptions import ConnectionError as SdkConnectionError
from .exceptions import error_from_response

API_PREFIX = "/api/v1"


class HttpSession:
    def __init__(
        self, api_url: str, api_key: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        root = api_url.rstrip("/")
        if root.endswith(API_PREFIX):
            root = root[: -len(API_PREFIX)]
        self.root = root
        self.api_key = api_key
        self.client = httpx.Client(
            base_url=root + API_PREFIX,
            headers={**self.auth_headers, "Accept": "application/json", "User-Agent": "stocksblitz-sdk/0.1"},
            timeout=timeout,
            transport=transport,
        )

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Api-Key {self.api_key}"}

    def ws_url(self, path: str) -> str:
        """ws(s)://host/<path> for a WebSocket route such as '/ws/alerts/'."""
        scheme = "wss" if self.root.startswith("https") else "ws"
        return scheme + self.root[self.root.index(":") :] + path

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        try:
            response = self.client.request(method, path, params=_clean(params), json=json, headers=headers)
        except httpx.TransportError as exc:
            raise SdkConnectionError(f"Could not reach {self.root}: {exc}") from exc
        if response.status_code == 204 or not response.content:
            if response.is_success:
                return None
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if not response.is_success:
            raise error_from_response(response.status_code, body)
        return body

    def paginate(
        self, path: str, params: dict[str, Any] | None = None, *, page_size: int = 200
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a paginated list endpoint."""
        offset = 0
        while True:
            page = self.request("GET", path, params={**(params or {}), "limit": page_size, "offset": offset})
            results = page.get("results", []) if isinstance(page, dict) else page
            yield from results
            if not isinstance(page, dict) or not page.get("next") or not results:
                return
            offset += len(results)

    def close(self) -> None:
        self.client.close()


def wire_decimal(value: Decimal | float | int | str) -> str:
    """A price as the API expects it: a plain decimal string without needless trailing zeros
    (quotes carry 4 decimal places; '24010.5000' becomes '24010.5')."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return text


def _clean(params: dict[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None}
