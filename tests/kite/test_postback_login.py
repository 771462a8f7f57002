"""Postbacks (checksum, replay), ticker order-update mapping, the Kite login redirect flow and
the instrument refresh, all through the real kiteconnect client against the sandbox."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from accounts.models import TradingAccount
from oms_project.lib.brokers import BrokerOrderRequest
from orders.brokers.kite import KiteBroker
from orders.brokers.kite import services as kite_services
from orders.brokers.kite.convert import postback_checksum

from .conftest import API_KEY, API_SECRET, KITE_USER_ID

pytestmark = pytest.mark.django_db

MOCKS = Path("/work/shared/kite-mocks")
POSTBACK_URL = "/api/v1/broker/kite/postback/"


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    """Records what reaches the order core (orders.services.order_apply_broker_update)."""
    calls: list[tuple[Any, Any]] = []
    monkeypatch.setattr(kite_services, "_apply_update", lambda account, update, source: calls.append((account, update)))
    return calls


def mock_postback(**overrides: Any) -> dict[str, Any]:
    payload = json.loads((MOCKS / "postback.json").read_text())
    payload.update({"user_id": KITE_USER_ID, **overrides})
    payload["checksum"] = postback_checksum(payload["order_id"], payload["order_timestamp"], API_SECRET)
    return payload


def post(payload: Any) -> Any:
    return Client().post(POSTBACK_URL, data=json.dumps(payload), content_type="application/json")


def test_postback_with_good_checksum_reaches_the_order_core(kite_account, applied):
    response = post(mock_postback())
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "applied": True}
    [(account, update)] = applied
    assert account.pk == kite_account.pk
    assert (update.broker_order_id, update.status, update.filled_quantity) == ("220303000308932", "COMPLETE", 1)
    assert update.average_price == Decimal("470")
    assert update.order_timestamp.isoformat() == "2022-03-03T03:54:25+00:00"  # 09:24:25 IST


def test_postback_with_bad_checksum_is_refused_and_changes_nothing(kite_account, applied):
    payload = mock_postback()
    payload["checksum"] = "0" * 64
    response = post(payload)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "KITE_POSTBACK_CHECKSUM_INVALID"
    assert applied == []


def test_postback_signed_with_another_secret_is_refused(kite_account, applied):
    payload = mock_postback()
    payload["checksum"] = postback_checksum(payload["order_id"], payload["order_timestamp"], "not-the-secret")
    assert post(payload).status_code == 403
    assert applied == []


def test_postback_for_unknown_user_is_refused(kite_account, applied):
    payload = mock_postback(user_id="ZZ9999")
    assert post(payload).status_code == 403
    assert applied == []


def test_replayed_postback_changes_nothing(kite_account, applied):
    payload = mock_postback()
    assert post(payload).json()["applied"] is True
    second = post(payload)
    assert second.status_code == 200
    assert second.json()["applied"] is False
    assert len(applied) == 1
    # A new state of the same order is not a replay.
    assert post(mock_postback(status="CANCELLED", filled_quantity=0)).json()["applied"] is True
    assert len(applied) == 2


def test_malformed_postback_is_a_clear_400(kite_account, applied):
    response = Client().post(POSTBACK_URL, data="not json", content_type="application/json")
    assert response.status_code == 400
    assert post(["a list"]).status_code == 400
    assert applied == []


def test_sandbox_postbacks_carry_a_valid_checksum(kite_account, sandbox, postbacks, applied):
    order_id = KiteBroker(kite_account).place_order(
        BrokerOrderRequest(tag="pb-1", exchange="NFO", tradingsymbol="NIFTY26DEC26000CE", instrument_token=12073986,
                           transaction_type="BUY", quantity=65, product="NRML", order_type="MARKET")
    ).broker_order_id  # fmt: skip
    assert sandbox.postbacks.wait_idle()
    [(url, payload)] = postbacks
    assert url.endswith(POSTBACK_URL)
    assert payload["order_id"] == order_id and payload["status"] == "COMPLETE"
    assert set(json.loads((MOCKS / "postback.json").read_text())) <= set(payload)  # same shape as the mock
    # Delivered to our endpoint, it is accepted and applied.
    assert post(payload).json() == {"status": "ok", "applied": True}
    assert applied[0][1].broker_order_id == order_id


def test_ticker_order_update_maps_like_a_postback(kite_account, applied):
    from orders.brokers.kite.ticker import on_order_update_message

    message = mock_postback(checksum="")  # the ticker sends a blank checksum
    assert on_order_update_message(kite_account, message) is True
    assert on_order_update_message(kite_account, message) is False  # replay
    [(account, update)] = applied
    assert (account.pk, update.broker_order_id, update.status) == (kite_account.pk, "220303000308932", "COMPLETE")


# --- login ---------------------------------------------------------------------------------------


@pytest.fixture
def logged_out_account(kite_account):
    TradingAccount.objects.filter(pk=kite_account.pk).update(kite_access_token="")
    kite_account.refresh_from_db()
    return kite_account


def test_login_redirect_and_callback_store_the_session(client, user, logged_out_account, sandbox):
    client.force_login(user)
    start = client.get(f"/broker/kite/{logged_out_account.pk}/login/")
    assert start.status_code == 302
    login_url = start["Location"]
    assert login_url.startswith(sandbox.server_url + "/connect/login?")
    query = parse_qs(urlsplit(login_url).query)
    assert query["v"] == ["3"] and query["api_key"] == [API_KEY]

    # The "Kite login page" (sandbox) redirects back with a request_token and our state.
    kite = requests.get(login_url, allow_redirects=False, timeout=5)
    assert kite.status_code == 302
    back = urlsplit(kite.headers["Location"])
    assert back.path == "/broker/kite/callback/"
    callback = client.get(back.path + "?" + back.query)
    assert callback.status_code == 302 and callback["Location"] == "/broker/kite/accounts/"

    logged_out_account.refresh_from_db()
    assert logged_out_account.has_kite_session
    assert logged_out_account.kite_user_id == KITE_USER_ID
    assert KiteBroker(logged_out_account).orders() == []  # the new token works


def test_callback_with_another_users_state_is_refused(client, make_user, logged_out_account, sandbox):
    from orders.brokers.kite.services import kite_login_url

    url = kite_login_url(user=logged_out_account.user, account_id=logged_out_account.pk)
    state = parse_qs(parse_qs(urlsplit(url).query)["redirect_params"][0])["state"][0]
    intruder = make_user("intruder2")
    client.force_login(intruder)
    token = sandbox.issue_request_token(API_KEY)
    response = client.get(
        "/broker/kite/callback/", {"request_token": token, "action": "login", "status": "success", "state": state}
    )
    assert response.status_code == 302
    logged_out_account.refresh_from_db()
    assert not logged_out_account.has_kite_session


def test_tampered_state_and_bad_request_token(client, user, logged_out_account, sandbox):
    client.force_login(user)
    response = client.get(
        "/broker/kite/callback/", {"request_token": "x", "status": "success", "state": "forged"}, follow=True
    )
    assert "invalid or has expired" in response.content.decode()
    from orders.brokers.kite.services import kite_login_url

    url = kite_login_url(user=user, account_id=logged_out_account.pk)
    state = parse_qs(parse_qs(urlsplit(url).query)["redirect_params"][0])["state"][0]
    response = client.get(
        "/broker/kite/callback/", {"request_token": "unknown", "status": "success", "state": state}, follow=True
    )
    assert "Kite refused the login" in response.content.decode()
    logged_out_account.refresh_from_db()
    assert not logged_out_account.has_kite_session


def test_login_page_of_another_users_account_is_404(client, other_user, kite_account):
    client.force_login(other_user)
    assert client.get(f"/broker/kite/{kite_account.pk}/login/").status_code == 404


def test_accounts_page_lists_and_adds_kite_accounts(client, user, kite_account, other_user):
    client.force_login(user)
    page = client.get("/broker/kite/accounts/")
    assert page.status_code == 200
    assert "Kite sandbox" in page.content.decode() and "Log in to Kite" in page.content.decode()
    response = client.post(
        "/broker/kite/accounts/", {"name": "Kite 2", "api_key": "k2", "api_secret": "s2", "kite_user_id": "AB1"}
    )
    assert response.status_code == 302
    added = TradingAccount.objects.get(user=user, name="Kite 2")
    assert (added.kind, added.kite_api_key, added.kite_api_secret) == ("kite", "k2", "s2")
    bad = client.post("/broker/kite/accounts/", {"name": "Kite 3", "api_key": "", "api_secret": "", "kite_user_id": ""})
    assert bad.status_code == 400
    client.force_login(other_user)
    assert "Kite sandbox" not in client.get("/broker/kite/accounts/").content.decode()


# --- instruments ---------------------------------------------------------------------------------


def test_instruments_download_parses_the_csv(kite_account):
    rows = KiteBroker(kite_account).instruments()
    assert [r["tradingsymbol"] for r in rows] == ["NIFTY 50", "NIFTY26DEC26000CE"]
    assert rows[1]["instrument_token"] == 12073986 and rows[1]["lot_size"] == 65
    assert str(rows[1]["expiry"]) == "2026-12-29"


def test_instruments_refresh_imports_rows(client, user, kite_account):
    from marketdata.models import Instrument

    client.force_login(user)
    response = client.post(f"/broker/kite/{kite_account.pk}/instruments/refresh/", follow=True)
    assert response.status_code == 200
    assert "2 new, 0 updated" in response.content.decode()
    option = Instrument.objects.get(instrument_token=12073986)
    assert (option.tradingsymbol, option.lot_size, str(option.expiry)) == ("NIFTY26DEC26000CE", 65, "2026-12-29")
    assert option.strike == Decimal("26000")


def test_instruments_refresh_of_another_users_account_is_404(client, other_user, kite_account):
    client.force_login(other_user)
    assert client.post(f"/broker/kite/{kite_account.pk}/instruments/refresh/").status_code == 404
