"""The seeds' SDK example 2 (seed 000, "Subscribe to Alerts") as written, against a real uvicorn server: the margin
monitor raises MARGIN_WARNING at 90% utilisation (real engine), the SDK's EventHub delivers it over /ws/alerts/ to
`on_margin_warning`, and the handler's `client.margin.add_funds(10000)` pays in through the API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.alerts import wait_for
from stocksblitz_sdk.models.alerts import MarginWarningAlert

from margin import monitoring
from margin import selectors as ms
from margin.monitoring_models import MarginSnapshot
from portfolio.models import LedgerEntry, Position
from tests.alerts.live_server import ThreadedServer
from tests.margin.test_account_margin import _inst, account, fake_market  # noqa: F401


@pytest.fixture
def server():
    srv = ThreadedServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.django_db(transaction=True)
def test_seed_on_margin_warning_example_runs_as_written(server, account, fake_market, api_key_for):  # noqa: F811
    fut = _inst(5001, "NIFTYTESTFUT", "FUT")
    fake_market.set(fut.instrument_token, "24000")
    Position.objects.create(
        user=account.user,
        account=account,
        exchange="NFO",
        tradingsymbol=fut.tradingsymbol,
        instrument_token=fut.instrument_token,
        product="NRML",
        quantity=75,
        average_price=D("24000"),
    )
    # Capital such that the real engine's required margin is ~95% of it.
    required = ms.account_margin(account).total_blocked
    account.paper_capital = (required / D("0.95")).quantize(D("0.01"))
    account.save(update_fields=["paper_capital"])

    client = StocksBlitzClient(api_url=server.url, api_key=api_key_for(account.user))
    seen: list = []

    # --- seed 000, SDK usage example 2, as written ---
    def handle_margin_alert(alert):  # noqa: ANN001, ANN202
        if alert.utilization_pct > 90:
            # Add funds automatically
            client.margin.add_funds(10000)

    client.on_margin_warning(handle_margin_alert)
    # ---
    client.on_margin_warning(seen.append)
    client.start_listening()
    try:
        assert client.events.wait_connected(10)
        snap = monitoring.snapshot_take(account, trigger=MarginSnapshot.Trigger.MANUAL, key="sdk-example")
        assert snap is not None and D(90) <= snap.utilisation_pct < D(100), snap.utilisation_pct
        assert wait_for(lambda: len(seen) == 1, 10), client.events.last_error
        alert = seen[0]
        assert isinstance(alert, MarginWarningAlert) and alert.type == "MARGIN_WARNING"
        assert alert.utilization_pct == snap.utilisation_pct and alert.account_id == account.pk
        # The handler paid in ₹10,000 through the API.
        assert wait_for(lambda: LedgerEntry.objects.filter(account=account, kind="PAY_IN").exists(), 10)
        entry = LedgerEntry.objects.get(account=account, kind="PAY_IN")
        assert entry.amount == D("10000")
    finally:
        client.close()
