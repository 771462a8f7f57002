"""Read-only admin pages for records ops inspect but never edit (derived figures, histories, audits)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows a model; adding, changing and deleting are refused (the services own the writes)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def register_read_only(*model_classes: type[models.Model], columns: int = 6) -> None:
    """Register each model with a read-only page whose list shows its first `columns` plain fields, newest first."""
    for model in model_classes:
        fields = [f.name for f in model._meta.concrete_fields if not f.many_to_many][:columns]
        attrs = {"list_display": fields, "ordering": ["-pk"], "list_per_page": 50}
        if any(f.name == "account" for f in model._meta.concrete_fields):
            attrs["list_select_related"] = ["account"]
        admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), attrs))
