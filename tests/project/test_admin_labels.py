"""Admin for ops (#14): every model of ours is reachable and labelled; no "preferencess", one "API keys"."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db

OUR_APPS = ["accounts", "marketdata", "alerts", "margin", "risk", "portfolio", "orders", "housekeeping"]
NOT_IN_ADMIN: set[str] = set()  # label_lower of a model deliberately left out, with the reason next to it


def test_every_model_of_ours_is_registered():
    missing = [
        m._meta.label_lower
        for name in OUR_APPS
        if apps.is_installed(name)
        for m in apps.get_app_config(name.split(".")[-1]).get_models()
        if not admin.site.is_registered(m) and m._meta.label_lower not in NOT_IN_ADMIN
    ]
    assert missing == []


def test_admin_index_labels(client, django_user_model):
    staff = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw-secret-123")
    client.force_login(staff)
    response = client.get("/admin/")
    names = [m["name"] for app in response.context["app_list"] for m in app["models"]]
    assert len(names) > 20, names
    assert not [n for n in names if n.lower().endswith("ss")], names  # no "preferencess"
    assert "preferencess" not in response.content.decode().lower()
    assert names.count("API keys") == 1, names
    assert "Order preferences" in names
    # Each model's changelist opens (ops can reach it).
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url
