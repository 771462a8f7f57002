"""Audit-trail vocabulary (re-exported for other modules): event kinds and actor labels."""

from __future__ import annotations

from .domain import EventKind

__all__ = ["EventKind", "actor_user", "actor_api_key", "actor_system"]


def actor_user(user_id: int) -> str:
    return f"user:{user_id}"


def actor_api_key(prefix: str) -> str:
    return f"api_key:{prefix}"


def actor_system(job: str) -> str:
    return f"system:{job}"
