"""Fixtures for the tests that run the product as real processes (see procs.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from . import procs

TEMPLATE_SETUP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from accounts.selectors import account_resolve
from accounts.services import api_key_create
from marketdata.models import Instrument
from marketdata.services import demo_instruments_refresh
demo_instruments_refresh(today=timezone.localdate())
facts = {}
for name in ("crash-drill", "hygiene"):
    user = get_user_model().objects.create_user(name)
    facts[name] = {"key": api_key_create(user=user, name=name)[1], "account": account_resolve(user=user).pk}
fut = Instrument.objects.filter(name="NIFTY", instrument_type="FUT", is_active=True).order_by("expiry").first()
facts["future"] = {"token": fut.instrument_token, "lot": fut.lot_size}
with connection.cursor() as c:
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print("JSON " + json.dumps(facts))
"""


@pytest.fixture(scope="session")
def product_db_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One migrated SQLite file with the demo master and two users with unused API keys, made once (one Django
    start-up) and copied for each module that needs a database."""
    path = tmp_path_factory.mktemp("product-template") / "template.sqlite3"
    facts = procs.shell_json(procs.product_env(path), TEMPLATE_SETUP)
    return path, facts


@pytest.fixture(scope="module")
def product_db(
    product_db_template: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    template, facts = product_db_template
    path = tmp_path_factory.mktemp("product-db") / "product.sqlite3"
    shutil.copyfile(template, path)
    return path, facts
