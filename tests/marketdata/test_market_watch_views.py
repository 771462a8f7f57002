"""Market watch pages: render, typeahead, add/remove, and owner scoping (another user's item is 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from marketdata.models import WatchlistItem

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_login_required(small_master) -> None:  # noqa: ANN001
    assert Client().get("/market/").status_code == 302


def test_search_add_and_remove(web: Client, user, small_master) -> None:  # noqa: ANN001
    page = web.get("/market/")
    assert page.status_code == 200 and b'data-testid="watch-empty"' in page.content
    found = web.get("/market/search/", {"q": "NIFTY26NOV"})
    assert b"NIFTY26NOV26000CE" in found.content and b'data-testid="search-result"' in found.content
    assert b"search-empty" in web.get("/market/search/", {"q": "zzzz"}).content

    added = web.post("/market/watch/add/", {"instrument_token": small_master["ce"].pk}, **HTMX)
    assert added.status_code == 200 and b'data-token="9000102"' in added.content
    web.post("/market/watch/add/", {"instrument_token": small_master["ce"].pk}, **HTMX)  # twice: no-op
    assert WatchlistItem.objects.filter(user=user).count() == 1
    page = web.get("/market/")
    assert b'data-testid="ltp"' in page.content and b"NIFTY26NOV26000CE" in page.content

    bad = web.post("/market/watch/add/", {"instrument_token": "42"}, **HTMX)
    assert b"No instrument with token 42" in bad.content

    item = WatchlistItem.objects.get(user=user)
    removed = web.post(f"/market/watch/{item.pk}/remove/", **HTMX)
    assert removed.status_code == 200 and not WatchlistItem.objects.filter(user=user).exists()


def test_other_users_item_is_404(web: Client, other_user, small_master) -> None:  # noqa: ANN001
    theirs = WatchlistItem.objects.create(user=other_user, instrument=small_master["fut"])
    response = web.post(f"/market/watch/{theirs.pk}/remove/", **HTMX)
    assert response.status_code == 404
    assert WatchlistItem.objects.filter(pk=theirs.pk).exists()
    assert b"NIFTY26NOVFUT" not in web.get("/market/").content


@pytest.mark.django_db
def test_adding_an_unknown_instrument_without_htmx_redirects_with_a_message(client, user):
    client.force_login(user)
    response = client.post("/market/watch/add/", {"instrument_token": "999999999"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/market/")
    assert any("instrument" in str(m).lower() for m in response.context["messages"])
