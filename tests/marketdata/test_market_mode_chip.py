"""The header chip says when the real market is closed and that a paper account then trades "any time"
(docs/exchange-rules.md). Before: nothing on the page told a newcomer that a 21:00 fill was simulated."""

from __future__ import annotations

import pytest

from marketdata.templatetags.market_tags import market_mode

pytestmark = pytest.mark.django_db


@pytest.mark.dates
@pytest.mark.parametrize(
    "instant,closed,opens",
    [("2026-12-01 11:00 IST", False, None), ("2026-12-01 20:00 IST", True, "2026-12-02 09:15"),
     ("2026-12-01 08:30 IST", True, "2026-12-01 09:15"), ("2026-12-24 20:00 IST", True, "2026-12-28 09:15"),
     ("2026-12-25 11:00 IST", True, "2026-12-28 09:15")],
)  # fmt: skip
def test_market_mode(instant: str, closed: bool, opens: str | None, travel_to, settings) -> None:
    travel_to(instant)
    settings.SIM_TRADE_ANY_TIME = True
    mode = market_mode(paper=True)
    assert mode["closed"] is closed
    if closed:
        assert mode["any_time"] is True and mode["next_open"].strftime("%Y-%m-%d %H:%M") == opens
        assert market_mode(paper=False)["any_time"] is False
        settings.SIM_TRADE_ANY_TIME = False
        assert market_mode(paper=True)["any_time"] is False


@pytest.mark.dates
def test_chip_in_the_base_layout(travel_to, client, django_user_model) -> None:
    user = django_user_model.objects.create_user("chip", password="pw-secret-123")  # gets a paper account
    client.force_login(user)
    clock = travel_to("2026-12-01 21:00 IST")
    page = client.get("/settings/api-keys/").content.decode()
    assert 'data-testid="market-mode-chip"' in page and "paper trading any time" in page
    assert "Wed 2 Dec" in page  # when it opens
    clock.move_to("2026-12-01 11:00 IST")
    assert 'data-testid="market-mode-chip"' not in client.get("/settings/api-keys/").content.decode()
