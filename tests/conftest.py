"""Shared fixtures: users, API clients authenticated by real API keys, service requirements."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.services import api_key_create

IN_CI = bool(os.environ.get("CI"))


def require_service(name: str, available: bool, why: str) -> None:
    """A test that needs a service fails under CI when it is missing, and only skips locally."""
    if available:
        return
    message = f"{name} is not configured ({why})"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    require_service("Redis", bool(url), "set REDIS_URL")
    return url


@pytest.fixture
def make_user(django_user_model: Any) -> Callable[..., Any]:
    def make(username: str = "trader", password: str = "pw-secret-123", **extra: Any) -> Any:
        return django_user_model.objects.create_user(username=username, password=password, **extra)

    return make


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("trader")


@pytest.fixture
def other_user(make_user: Callable[..., Any]) -> Any:
    return make_user("intruder")


@pytest.fixture
def api_key_for() -> Callable[[Any], str]:
    def make(owner: Any, name: str = "test-bot") -> str:
        return api_key_create(user=owner, name=name)[1]

    return make


@pytest.fixture
def api_client_for(api_key_for: Callable[[Any], str]) -> Callable[[Any], APIClient]:
    def make(owner: Any) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {api_key_for(owner)}")
        return client

    return make


@pytest.fixture
def api(user: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(user)


@pytest.fixture
def other_api(other_user: Any, api_client_for: Callable[[Any], APIClient]) -> APIClient:
    return api_client_for(other_user)
