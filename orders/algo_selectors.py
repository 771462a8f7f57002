"""Reads of parent executions (TWAP / ICEBERG), always scoped to the owner (another user's is not found)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from . import errors
from .execution_models import AdvancedOrderExecution


def execution_list(
    *, user: AbstractBaseUser, status: str | None = None, algorithm: str | None = None
) -> QuerySet[AdvancedOrderExecution]:
    qs = AdvancedOrderExecution.objects.filter(user=user).order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if algorithm:
        qs = qs.filter(algorithm=algorithm)
    return qs


def execution_get(*, user: AbstractBaseUser, execution_id: int) -> AdvancedOrderExecution:
    ex = AdvancedOrderExecution.objects.filter(user=user, pk=execution_id).first()
    if ex is None:
        raise errors.ExecutionNotFound(details={"execution_id": execution_id})
    return ex
