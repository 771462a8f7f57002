import httpx
import pytest
from stocksblitz_sdk import StocksBlitzClient
from stocksblitz_sdk.exceptions import AccountNotFoundError, AuthenticationError, NotFoundError, error_from_response

from accounts.models import TradingAccount
from oms_project.wsgi import application

pytestmark = pytest.mark.django_db


def test_accounts_list_and_default(sdk, user):
    accounts = sdk.accounts.list()
    assert [a.id for a in accounts] == list(TradingAccount.objects.filter(user=user).values_list("id", flat=True))
    assert sdk.accounts.default().kind == "paper"


def test_error_code_maps_to_its_exception_class(sdk, other_user):
    theirs = TradingAccount.objects.get(user=other_user)
    with pytest.raises(AccountNotFoundError) as caught:
        sdk.accounts.get(theirs.pk)
    assert isinstance(caught.value, NotFoundError)
    assert caught.value.code == "ACCOUNT_NOT_FOUND" and caught.value.status_code == 404


def test_bad_key_raises_authentication_error(user):
    client = StocksBlitzClient(
        api_url="http://testserver/api/v1", api_key="bad.key", transport=httpx.WSGITransport(app=application)
    )
    with pytest.raises(AuthenticationError):
        client.accounts.list()


def test_unknown_code_falls_back_on_status():
    error = error_from_response(409, {"error": {"code": "SOMETHING_NEW", "message": "m", "details": {"a": 1}}})
    assert error.code == "SOMETHING_NEW" and error.details == {"a": 1} and error.status_code == 409
    assert error.__class__.__name__ == "ConflictError"


def test_ws_url_follows_scheme():
    client = StocksBlitzClient(api_url="https://oms.example.com/", api_key="k.k")
    assert client._http.ws_url("/ws/alerts/") == "wss://oms.example.com/ws/alerts/"


def test_prices_go_on_the_wire_without_needless_zeros():
    from decimal import Decimal

    from stocksblitz_sdk._http import wire_decimal

    assert wire_decimal(Decimal("24010.5000")) == "24010.5"
    assert wire_decimal(Decimal("100")) == "100"
    assert wire_decimal(Decimal("1E+2")) == "100"
    assert wire_decimal(101.05) == "101.05"


def test_start_listening_waits_for_the_connection_and_reports_a_dead_server():
    client = StocksBlitzClient(api_url="http://127.0.0.1:9", api_key="k.k")  # nothing listens on port 9
    assert client.start_listening(timeout=0.5) is False
    client.close()


def test_a_stale_order_snapshot_is_not_delivered_after_a_newer_one():
    from stocksblitz_sdk.alerts import EventHub
    from stocksblitz_sdk.models.alerts import OrderUpdate

    hub = EventHub(StocksBlitzClient(api_url="http://127.0.0.1:9", api_key="k.k")._http)
    newer = OrderUpdate(kind="order", data={"id": 1, "status": "COMPLETE", "updated_at": "2026-11-21T10:00:02+05:30"})
    older = OrderUpdate(kind="order", data={"id": 1, "status": "OPEN", "updated_at": "2026-11-21T10:00:01+05:30"})
    assert hub._is_stale(newer) is False
    assert hub._is_stale(older) is True
    trade = OrderUpdate(kind="trade", data={"id": 9, "updated_at": "2026-11-21T09:00:00+05:30"})
    assert hub._is_stale(trade) is False
