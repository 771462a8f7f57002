"""A real paper fill takes the account's margin snapshot after commit (#10: margin subscribes to the portfolio's
position events in margin/apps.py), once per trade; a rolled-back placement takes none."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from margin import selectors as ms
from margin.monitoring_models import MarginSnapshot
from portfolio.models import Trade

pytestmark = pytest.mark.django_db


def test_a_fill_snapshots_the_account_once(
    account: Any, fut: Any, place: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = place(quantity=75)
    assert order.status == "COMPLETE"
    trade = Trade.objects.get(account=account)
    snap = MarginSnapshot.objects.get(account=account)
    assert (snap.trigger, snap.key) == ("FILL", f"trade:{trade.pk}")  # the fill's charges: no second snapshot
    assert snap.total_required == ms.account_margin(account).total_blocked.quantize(snap.total_required) > 0


def test_a_rolled_back_fill_takes_no_snapshot(account: Any, fut: Any, place: Any, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            place(quantity=75)
            raise RuntimeError("roll back")
    assert not MarginSnapshot.objects.filter(account=account).exists()
