"""`Authorization: Api-Key <key>` for bots, with a real user on the request.

djangorestframework-api-key only ships a permission class; this authentication class uses its
parser, hashed lookup and validity check, and answers with the key's owner as `request.user`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework_api_key.permissions import KeyParser

from .models import ApiKey
from .services import api_key_touch

_parser = KeyParser()


def api_key_user(raw_key: str) -> tuple[Any, ApiKey] | None:
    """Resolve a plaintext key to (user, key); None when unknown, revoked or expired."""
    try:
        api_key = ApiKey.objects.get_from_key(raw_key)
    except ApiKey.DoesNotExist:
        return None
    if api_key.has_expired or not api_key.user.is_active:
        return None
    api_key_touch(api_key=api_key)
    return api_key.user, api_key


def parse_authorization(header_value: str) -> str | None:
    """The key in 'Api-Key <key>', or None when the header uses another scheme."""
    scheme, _, key = header_value.partition(" ")
    if scheme.strip().lower() != "api-key" or not key.strip():
        return None
    return key.strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Api-Key"

    def authenticate(self, request: Any) -> tuple[Any, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        raw_key = parse_authorization(header)
        if raw_key is None:
            return None
        resolved = api_key_user(raw_key)
        if resolved is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        return resolved

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


def actor_for_request(request: Any) -> str:
    """A short audit label: 'api_key:<prefix>' for bots, 'user:<id>' for people."""
    if isinstance(getattr(request, "auth", None), ApiKey):
        return f"api_key:{request.auth.prefix}"
    return f"user:{request.user.pk}"
