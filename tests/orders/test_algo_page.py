"""The algorithm panel page (issue #11): start from the form, the progress bar, pause / cancel buttons; scoped."""

from __future__ import annotations

import pytest

from orders.execution_models import AdvancedOrderExecution
from orders.services import algos

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
T0 = "2026-12-02 10:30 IST"


def test_start_watch_and_cancel_from_the_panel(client, user, other_user, account, fut, travel_to) -> None:  # noqa: ANN001
    clock = travel_to(T0)
    client.force_login(user)
    r = client.post(
        "/algos/",
        {
            "algorithm": "TWAP",
            "exchange": "NFO",
            "tradingsymbol": "NIFTY26DECFUT",
            "transaction_type": "BUY",
            "lots": 4,
            "product": "NRML",
            "duration_seconds": 240,
            "slices": 2,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    ex = AdvancedOrderExecution.objects.get(user=user)
    assert (ex.algorithm, ex.total_quantity, ex.slices_total) == ("TWAP", 300, 2)
    clock.shift(240)
    algos.algos_tick()
    page = client.get("/algos/").content.decode()
    assert f'id="algo-row-{ex.pk}"' in page and 'data-testid="algo-progress"' in page
    ex.refresh_from_db()
    assert ex.filled_quantity > 0 and f'value="{ex.filled_quantity * 100 / 300:.1f}"' in page
    client.force_login(other_user)
    assert client.post(f"/algos/{ex.pk}/cancel/").status_code == 404
    assert f"algo-row-{ex.pk}" not in client.get("/algos/").content.decode()
    client.force_login(user)
    assert client.post(f"/algos/{ex.pk}/cancel/").status_code == 302
    ex.refresh_from_db()
    assert ex.status == "CANCELLED"
    assert client.post(f"/algos/{ex.pk}/explode/").status_code == 404


def test_a_refused_start_shows_its_code(client, user, account, fut) -> None:  # noqa: ANN001
    client.force_login(user)
    r = client.post(
        "/algos/",
        {
            "algorithm": "ICEBERG",
            "exchange": "NFO",
            "tradingsymbol": "NIFTY26DECFUT",
            "transaction_type": "SELL",
            "lots": 4,
            "product": "NRML",
            "visible_lots": 1,
            "limit_price": "24000.03",
        },
    )
    assert r.status_code == 200 and "TICK_SIZE_MISMATCH" in r.content.decode()
    assert not AdvancedOrderExecution.objects.exists()
