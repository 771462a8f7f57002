"""The margin dashboard page (#10) through Django's test client: the engine's figures in the gauge and breakdown,
factor chips, warnings and the open call, the history chart's data from the snapshots, the policy and add-funds
forms, and nothing of another user's."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from html import unescape

import pytest
from django.urls import reverse

from margin import monitoring
from margin import selectors as ms
from margin.monitoring_models import MarginCallPolicy, MarginSnapshot
from oms_project.lib.formatting import inr
from portfolio.models import LedgerEntry, Position
from tests.margin.test_account_margin import _inst, account, fake_market  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):  # noqa: ANN001, ANN201
    client.force_login(user)
    return client


def _dd(html: str, testid: str) -> str:
    m = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</dd>', html, re.S)
    assert m, testid
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


@pytest.mark.dates
def test_dashboard_shows_the_engines_figures_and_history(logged_in, account, fake_market, travel_to):  # noqa: F811
    clock = travel_to("2026-12-02 10:00 IST", tick=True)
    fut = _inst(5001, "NIFTYTESTFUT", "FUT")
    fake_market.set(fut.instrument_token, "24000")
    Position.objects.create(
        user=account.user,
        account=account,
        exchange="NFO",
        tradingsymbol=fut.tradingsymbol,
        instrument_token=fut.instrument_token,
        product="NRML",
        quantity=150,
        average_price=D("24000"),
    )
    monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.SCHEDULE, key="slot:a")
    clock.move_to("2026-12-02 10:05 IST")
    monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.SCHEDULE, key="slot:b")
    html = unescape(logged_in.get(reverse("margin-dashboard")).content.decode())
    m = ms.account_margin(account)
    assert m.total_blocked > 0
    assert _dd(html, "breakdown-span") == inr(m.span) and _dd(html, "breakdown-exposure") == inr(m.exposure)
    assert _dd(html, "breakdown-buffer") == inr(m.buffer) and _dd(html, "breakdown-total") == inr(m.total_blocked)
    assert _dd(html, "breakdown-available") == inr(m.available)
    assert f'data-pct="{m.utilisation_pct}"' in html and f'data-level="{m.level}"' in html
    for _name, _factor, reason in m.buffer_factors:
        assert reason in html
    data = json.loads(re.search(r'id="margin-chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["labels"] == ["02 Dec 10:00", "02 Dec 10:05"]
    assert [D(v) for v in data["required"]] == list(
        MarginSnapshot.objects.filter(account=account).order_by("taken_at").values_list("total_required", flat=True)
    )
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html  # served from static/, never a CDN
    status = unescape(logged_in.get(reverse("margin-status"), HTTP_HX_REQUEST="true").content.decode())
    assert 'data-testid="margin-gauge"' in status and "<html" not in status


def test_a_margin_call_and_the_forms(logged_in, account, fake_market, monkeypatch):  # noqa: F811
    real = ms.account_margin

    def short(acc, *, at=None):  # noqa: ANN001, ANN202
        import dataclasses

        m = real(acc, at=at)
        total = m.funds + D("5000")
        return dataclasses.replace(
            m,
            total_blocked=total,
            used=total,
            available=m.funds - total,
            utilisation_pct=(total / m.funds * 100).quantize(D("0.01")),
            level="EXTREME",
        )

    monkeypatch.setattr("margin.selectors.account_margin", short)
    monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.MANUAL, key="call")
    html = unescape(logged_in.get(reverse("margin-dashboard")).content.decode())
    assert 'data-testid="margin-call"' in html and "short ₹5,000.00" in html
    assert "Extreme margin utilisation" in html and 'data-testid="margin-calls"' in html
    r = logged_in.post(reverse("margin-policy"), {"auto_square_off": "on", "grace_minutes": "15"})
    assert r.status_code == 302
    policy = MarginCallPolicy.objects.get(account=account)
    assert policy.auto_square_off and policy.grace_minutes == 15
    logged_in.post(reverse("margin-policy"), {"grace_minutes": "0"})
    assert MarginCallPolicy.objects.get(account=account).grace_minutes == 15  # refused: unchanged
    logged_in.post(reverse("margin-add-funds"), {"amount": "7500"})
    assert LedgerEntry.objects.get(account=account, kind="PAY_IN").amount == D("7500")


def test_another_users_account_is_not_shown(client, other_user, account):  # noqa: F811
    monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.MANUAL, key="mine")
    client.force_login(other_user)
    html = client.get(reverse("margin-dashboard")).content.decode()
    # The intruder sees their own account (or none): never this account's history.
    assert 'id="margin-chart-data"' not in html
    assert 'data-testid="margin-chart-empty"' in html or 'data-testid="margin-no-account"' in html


def test_admin_lists_the_monitoring_records_read_only(client, django_user_model, account):  # noqa: F811
    monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.MANUAL, key="admin")
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@example.com", "pw-secret-123"))
    for model in ("marginsnapshot", "margincall", "nsemarginfile", "margincallpolicy"):
        assert client.get(f"/admin/margin/{model}/").status_code == 200, model
    snap = MarginSnapshot.objects.get(key="admin")
    assert client.get(f"/admin/margin/marginsnapshot/{snap.pk}/change/").status_code == 200
    assert client.get("/admin/margin/marginsnapshot/add/").status_code == 403
