"""Exceptions of this API area (one class per error code)."""

from ._base import APIError  # noqa: F401
