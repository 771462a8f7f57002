"""Selectors (spot, typeahead), the subscription registry TTL, the feed loop, admin pages."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from django.test import Client

from marketdata import subscriptions
from marketdata.feed import run_market_feed
from marketdata.selectors import instrument_typeahead, quote_for, spot_for
from tests.marketdata.conftest import AT


@pytest.mark.django_db
def test_spot_for_matches_index_quote(small_master) -> None:  # noqa: ANN001
    spot = spot_for("NIFTY", AT)
    assert spot == quote_for(small_master["index"], AT).last_price
    assert spot % Decimal("0.05") == 0 and Decimal(20000) < spot < Decimal(33000)
    assert Decimal(5) < spot_for("INDIA VIX", AT) < Decimal(40)


@pytest.mark.django_db
def test_typeahead_exact_symbol_first(small_master) -> None:  # noqa: ANN001
    assert instrument_typeahead("infy")[0].tradingsymbol == "INFY"
    assert [i.tradingsymbol for i in instrument_typeahead("NIFTY 26000 PE")] == ["NIFTY26NOV26000PE"]
    assert instrument_typeahead("") == []


async def test_memory_registry_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = subscriptions.MemoryRegistry()
    await reg.touch([5, 3])
    assert await reg.active_tokens() == [3, 5]
    monkeypatch.setattr(subscriptions, "TTL_SECONDS", -1.0)
    await reg.touch([7])  # already expired
    assert await reg.active_tokens() == [3, 5]


async def test_feed_loop_stops(settings) -> None:  # noqa: ANN001
    settings.MARKET_FEED_INTERVAL_SECONDS = 0.05
    stop = asyncio.Event()
    task = asyncio.create_task(run_market_feed(stop))
    await asyncio.sleep(0.15)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert task.done() and task.exception() is None


@pytest.mark.django_db
def test_admin_pages(admin_user, small_master) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(admin_user)
    for url in (
        "/admin/marketdata/instrument/?q=NIFTY",
        "/admin/marketdata/marketholidayoverride/",
        "/admin/marketdata/watchlistitem/",
        "/admin/marketdata/marketholidayoverride/add/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_starter_watchlist_fills_an_empty_watch_once(user):
    from django.utils import timezone

    from marketdata.models import WatchlistItem
    from marketdata.services import demo_instruments_refresh, watchlist_add_starter

    demo_instruments_refresh(today=timezone.localdate())
    added = watchlist_add_starter(user=user)
    items = list(WatchlistItem.objects.filter(user=user).select_related("instrument"))
    assert added == len(items) == 6
    kinds = sorted(i.instrument.instrument_type for i in items)
    assert kinds == ["CE", "FUT", "FUT", "FUT", "FUT", "PE"]
    call, put = (i.instrument for i in items if i.instrument.is_option)
    assert call.strike == put.strike and call.expiry == put.expiry
    assert watchlist_add_starter(user=user) == 0  # never touches a watch that has items
