"""Safety defects found by trying the product (issue #8, item 8), each pinned by a regression test:
unknown/duplicate fields, deep JSON, Idempotency-Key vs client_order_id, inactive accounts, trigger
prices on LIMIT/MARKET, untradable instruments, brackets on the wrong side of the market, OCO legs."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import TradingAccount
from orders import errors, services
from orders.models import Order
from portfolio.models import Position

BODY = {"instrument_token": 1001, "transaction_type": "BUY", "quantity": 75, "product": "NRML", "order_type": "MARKET"}


def _error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def _raw(api: APIClient, path: str, text: str, method: str = "post") -> Any:
    return getattr(api, method)(path, data=text, content_type="application/json")


# --- unknown fields ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_unknown_field_is_refused_and_no_order_goes_to_the_default_account(api, account, fut):
    live = TradingAccount.objects.create(user=account.user, kind="paper", name="Other", paper_capital=D("1e7"))
    r = api.post("/api/v1/orders/", {**BODY, "account": live.pk}, format="json")
    assert r.status_code == 400, r.json()
    error = _error(r)
    assert error["code"] == "UNKNOWN_FIELD"
    assert error["details"]["fields"] == ["account"]
    assert "'account'" in error["message"] and "account_id" in error["message"]  # names it, suggests the right one
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_unknown_field_wins_over_other_errors_and_read_only_fields_are_unknown(api, account, fut):
    r = api.post("/api/v1/orders/", {"quantty": 75}, format="json")
    assert _error(r)["code"] == "UNKNOWN_FIELD" and _error(r)["details"]["fields"] == ["quantty"]
    r = api.put("/api/v1/orders/preferences/", {"auto_slice": True, "user": 2}, format="json")
    assert _error(r)["code"] == "UNKNOWN_FIELD" and _error(r)["details"]["fields"] == ["user"]


def _write_operations() -> list[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in ("post", "put", "patch", "delete") and "postback" not in path:
                ops.append((method, path))
    return sorted(ops)


@pytest.mark.django_db
def test_every_write_endpoint_refuses_an_unknown_field(api, account, make_user, api_client_for):
    ops = _write_operations()
    assert len(ops) >= 16  # orders, modify, cancel, approve, cancel-all, exit, strategies, preferences, alerts, keys
    staff_api = api_client_for(make_user("ops", is_staff=True))  # the ops endpoints answer 403 to others
    failures = []
    for method, path in ops:
        client = staff_api if path.startswith("/api/v1/admin/") else api
        url = path.replace("{key_id}", "key_nope")
        for name in ("order_id", "position_id", "strategy_id", "alert_id", "account_id", "mismatch_id", "execution_id", "id"):
            url = url.replace("{" + name + "}", "999999")
        url = url.replace("{user_id}", str(account.user.pk)).replace("{name}", "order_aging")
        r = getattr(client, method)(url, {"zz_not_a_field": 1}, format="json")
        code = r.json().get("error", {}).get("code") if r.content else None
        if r.status_code != 400 or code != "UNKNOWN_FIELD":
            failures.append((method.upper(), path, r.status_code, code))
    assert failures == [], failures


def test_request_bodies_are_closed_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    open_bodies = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[-1]
                if components[name].get("additionalProperties") is not False:
                    open_bodies.append((method, path, name))
    assert open_bodies == [("post", "/api/v1/broker/kite/postback/", "KitePostbackInputRequest")]


@pytest.mark.django_db
def test_html_ticket_refuses_a_posted_account_field(client, user, account, fut):
    client.force_login(user)
    other = TradingAccount.objects.create(user=user, kind="paper", name="Other", paper_capital=D("1e7"))
    data = {
        "instrument_token": fut.instrument_token,
        "side": "BUY",
        "lots": "1",
        "product": "NRML",
        "order_type": "MARKET",
        "validity": "DAY",
        "account_id": str(other.pk),
    }
    r = client.post("/orders/new/", data, HTTP_HX_REQUEST="true")
    assert r["X-Order-Error"] == "UNKNOWN_FIELD"
    assert "account_id" in r.content.decode()
    assert not Order.objects.exists()
    r = client.post("/orders/new/", {k: v for k, v in data.items() if k != "account_id"} | {"q": "NIFTY"})
    assert r.status_code == 200 and Order.objects.count() == 1  # the page's own search box is not an order field


# --- JSON shape -------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_answers_400(api, account, depth):
    r = _raw(api, "/api/v1/orders/", "[" * depth + "]" * depth)
    assert r.status_code == 400
    assert _error(r)["code"] == "JSON_TOO_DEEP"
    nested = '{"tag": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    r = _raw(api, "/api/v1/alerts/preferences/", nested, method="put")
    assert r.status_code == 400 and _error(r)["code"] == "JSON_TOO_DEEP"


@pytest.mark.django_db
def test_a_field_given_twice_is_refused(api, account, fut):
    r = _raw(api, "/api/v1/orders/", json.dumps(BODY)[:-1] + ', "quantity": 150}')
    assert r.status_code == 400
    assert _error(r)["code"] == "DUPLICATE_FIELD" and _error(r)["details"]["fields"] == ["quantity"]
    assert not Order.objects.exists()


# --- replay protection ------------------------------------------------------------------------
@pytest.mark.django_db
def test_idempotency_key_and_a_different_client_order_id_are_refused(api, account, fut):
    r = api.post("/api/v1/orders/", {**BODY, "client_order_id": "k-2"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 400
    assert _error(r)["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    assert not Order.objects.exists()
    r = api.post("/api/v1/orders/", {**BODY, "client_order_id": "k-1"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 201 and r.json()["client_order_id"] == "k-1"


@pytest.mark.django_db
def test_an_idempotency_key_longer_than_a_client_order_id_is_refused_not_cut(api, account, fut):
    r = api.post("/api/v1/orders/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k" * 64 + "-2")
    assert r.status_code == 400 and _error(r)["details"]["fields"] == {"Idempotency-Key": ["At most 64 characters."]}
    assert not Order.objects.exists()


# --- accounts ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_inactive_account_answers_account_inactive(api, account, fut):
    spare = TradingAccount.objects.create(user=account.user, kind="paper", name="Spare", is_active=False)
    r = api.post("/api/v1/orders/", {**BODY, "account_id": spare.pk}, format="json")
    assert r.status_code == 409 and _error(r)["code"] == "ACCOUNT_INACTIVE"
    # A disabled default never falls through to another account (paper vs live).
    TradingAccount.objects.filter(pk=spare.pk).update(is_active=True)
    TradingAccount.objects.filter(pk=account.pk).update(is_active=False)
    r = api.post("/api/v1/orders/", BODY, format="json")
    assert r.status_code == 409 and _error(r)["code"] == "ACCOUNT_INACTIVE"
    assert _error(r)["details"]["account_id"] == account.pk
    assert not Order.objects.exists()


# --- trigger price, untradable instruments ------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("order_type, price", [("LIMIT", "24000"), ("MARKET", None)])
def test_trigger_price_on_limit_or_market_is_refused(api, account, fut, order_type, price):
    body = {**BODY, "order_type": order_type, "trigger_price": "23900"}
    if price:
        body["price"] = price
    r = api.post("/api/v1/orders/", body, format="json")
    assert r.status_code == 400 and _error(r)["code"] == "TRIGGER_NOT_ALLOWED"
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("order_type", ["MARKET", "SL-M"])
def test_price_on_market_or_slm_is_refused(api, account, fut, order_type):
    """Was silently ignored (the order went out as a market order). 0 stays "no price", as Kite's examples send it."""
    body = {**BODY, "order_type": order_type, "price": "23950"}
    if order_type == "SL-M":
        body["trigger_price"] = "24050"
    r = api.post("/api/v1/orders/", body, format="json")
    assert r.status_code == 400 and _error(r)["code"] == "PRICE_NOT_ALLOWED", r.json()
    assert _error(r)["details"] == {"field": "price", "order_type": order_type}
    assert not Order.objects.exists()
    r = api.post("/api/v1/orders/", {**body, "price": "0"}, format="json")
    assert r.status_code == 201, r.json()


@pytest.mark.django_db
def test_price_refused_on_modify_to_market_and_dropped_with_the_type(api, account, fut, fake_market):
    r = api.post("/api/v1/orders/", {**BODY, "order_type": "LIMIT", "price": "23800"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "OPEN"
    order_id = r.json()["id"]
    r = api.patch(f"/api/v1/orders/{order_id}/", {"order_type": "MARKET", "price": "23810"}, format="json")
    assert r.status_code == 400 and _error(r)["code"] == "PRICE_NOT_ALLOWED"
    # Changing the type alone drops the limit (that is not a refusal): the order goes to the market and fills.
    r = api.patch(f"/api/v1/orders/{order_id}/", {"order_type": "MARKET"}, format="json")
    assert r.status_code == 200, r.json()
    assert Order.objects.get(pk=order_id).status == "COMPLETE"


@pytest.mark.django_db
def test_trigger_price_refused_on_modify_of_a_limit_order(api, account, fut, fake_market):
    r = api.post("/api/v1/orders/", {**BODY, "order_type": "LIMIT", "price": "23800"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "OPEN"
    order_id = r.json()["id"]
    r = api.patch(f"/api/v1/orders/{order_id}/", {"trigger_price": "23700"}, format="json")
    assert r.status_code == 400 and _error(r)["code"] == "TRIGGER_NOT_ALLOWED"
    r = api.patch(f"/api/v1/orders/{order_id}/", {"order_type": "MARKET", "trigger_price": "23700"}, format="json")
    assert r.status_code == 400
    assert Order.objects.get(pk=order_id).trigger_price is None
    # An SL order changed to LIMIT drops its trigger (that is not a refusal).
    r = api.post(
        "/api/v1/orders/",
        {**BODY, "order_type": "SL", "price": "24100", "trigger_price": "24050", "confirm_duplicate": True},
        format="json",
    )
    assert r.status_code == 201 and r.json()["status"] == "TRIGGER PENDING", r.json()
    r = api.patch(f"/api/v1/orders/{r.json()['id']}/", {"order_type": "LIMIT", "price": "23850"}, format="json")
    assert r.status_code == 200, r.json()


@pytest.mark.django_db
@pytest.mark.parametrize("segment, lot", [("INDICES", 0), ("INDICES", 75), ("NFO-FUT", 0)])
def test_order_on_an_index_or_lot_zero_is_refused(api, account, make_instrument, fake_market, segment, lot):
    inst = make_instrument(token=256265, symbol="NIFTY 50", exchange="NSE", type_="EQ", lot=lot, freeze=None)
    inst.segment, inst.expiry = segment, None
    inst.save()
    fake_market.set(inst.instrument_token, "26000")
    for size in ({"quantity": 75}, {"lots": 1, "quantity": None}):
        body = {**BODY, "instrument_token": inst.instrument_token, "product": "MIS", **size}
        r = api.post("/api/v1/orders/", body, format="json")
        assert r.status_code == 400, r.json()
        assert _error(r)["code"] == "INSTRUMENT_NOT_TRADABLE"
    assert not Order.objects.exists()


# --- brackets -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_buy_market_bracket_with_stop_above_and_target_below_the_market_is_refused(
    api, account, make_instrument, fake_market
):
    """The defect as found: NIFTY ~26,000, BUY MARKET, stop-loss 27,000, target 24,000 filled the entry and
    both exits and left a naked short."""
    make_instrument(lot=65)
    fake_market.set(1001, "26000")
    body = {**BODY, "quantity": 65, "stop_loss": "27000", "target": "24000"}
    r = api.post("/api/v1/orders/", body, format="json")
    assert r.status_code == 400
    assert _error(r)["code"] == "BRACKET_STOP_WRONG_SIDE"
    assert _error(r)["details"]["reference"] == "26000.00"
    r = api.post("/api/v1/orders/", {**body, "stop_loss": "25800"}, format="json")
    assert _error(r)["code"] == "BRACKET_TARGET_WRONG_SIDE"
    assert not Order.objects.exists() and not Position.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kw, code",
    [
        (dict(transaction_type="SELL", stop_loss=D("23900")), "BRACKET_STOP_WRONG_SIDE"),
        (dict(transaction_type="SELL", target=D("24100")), "BRACKET_TARGET_WRONG_SIDE"),
        # A marketable LIMIT BUY fills at the market (24,000), so a stop at 24,050 would fire at once.
        (dict(order_type="LIMIT", price=D("24100"), stop_loss=D("24050")), "BRACKET_STOP_WRONG_SIDE"),
        (dict(order_type="SL-M", trigger_price=D("24100"), stop_loss=D("24100")), "BRACKET_STOP_WRONG_SIDE"),
        (dict(stop_loss_points=D("0")), "BRACKET_POINTS_INVALID"),
        (dict(target_points=D("-5")), "BRACKET_POINTS_INVALID"),
        (dict(trailing_stop_points=D("0")), "BRACKET_POINTS_INVALID"),
        (dict(stop_loss_points=D("24000")), "BRACKET_POINTS_INVALID"),  # the stop would be at 0
        (dict(transaction_type="SELL", target_points=D("25000")), "BRACKET_POINTS_INVALID"),
        (dict(stop_loss=D("23900"), stop_loss_points=D("50")), "INVALID_BRACKET"),
    ],
)
def test_bracket_sides_are_checked_against_the_side_and_the_market(fut, place, kw, code):
    with pytest.raises(errors.InvalidBracket) as refused:
        place(**kw)
    assert refused.value.code == code
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kw",
    [
        dict(stop_loss=D("23900"), target=D("24100")),
        dict(transaction_type="SELL", stop_loss=D("24100"), target=D("23900")),
        # A resting BUY limit below the market: the target may sit between the limit and the market.
        dict(order_type="LIMIT", price=D("23800"), stop_loss=D("23700"), target=D("23900")),
        dict(stop_loss_points=D("50"), target_points=D("100")),
    ],
)
def test_brackets_on_the_right_side_are_accepted(fut, place, kw):
    assert place(**kw).pk


def _exits(entry: Order) -> dict[str, Order]:
    return {o.role: o for o in Order.objects.filter(parent=entry).exclude(role="SLICE")}


@pytest.mark.django_db(transaction=True)
def test_an_exit_that_fills_as_it_is_sent_keeps_its_sibling_from_going_out(fut, fake_market, place, account):
    """A resting BUY limit at 24,000 with a stop at 23,950; the market gaps down to 23,900: the entry fills and
    its stop fills the moment it is placed. The target must never go out (it used to be placed after the
    position was already flat, and filled later into a naked short)."""
    fake_market.set(1001, "24100")
    entry = place(order_type="LIMIT", price=D("24000"), stop_loss=D("23950"), target=D("24200"))
    assert entry.status == "OPEN"
    fake_market.set(1001, "23900")
    services.paper_match_all()
    entry.refresh_from_db()
    assert entry.status == "COMPLETE"
    ex = _exits(entry)
    assert ex["STOP_LOSS"].status == "COMPLETE"
    assert ex["TARGET"].status == "CANCELLED" and ex["TARGET"].broker_order_id is None
    assert ex["STOP_LOSS"].oco_sibling_id == ex["TARGET"].pk
    fake_market.set(1001, "24300")  # the old target price is crossed: nothing is left to fill
    services.paper_match_all()
    assert Position.objects.get(account=account).quantity == 0


@pytest.mark.django_db(transaction=True)
def test_oco_legs_that_both_trigger_in_one_matcher_step_fill_only_once(fut, fake_market, place, account):
    from marketdata.types import DepthLevel

    entry = place(stop_loss=D("23900"), target=D("24500"))
    ex = _exits(entry)
    assert ex["STOP_LOSS"].status == "TRIGGER PENDING" and ex["TARGET"].status == "OPEN"
    # One step in which both legs would trade: the last price fell through the stop while the bid jumped
    # above the target.
    fake_market.set(1001, "23850", buy_depth=tuple(DepthLevel(D("24600") - i, 500, 3) for i in range(5)))
    services.paper_match_all()
    ex = {role: Order.objects.get(pk=o.pk) for role, o in ex.items()}
    statuses = sorted(o.status for o in ex.values())
    assert statuses == ["CANCELLED", "COMPLETE"], statuses
    assert sum(o.filled_quantity for o in ex.values()) == 75
    assert Position.objects.get(account=account).quantity == 0


@pytest.mark.django_db(transaction=True)
async def test_websocket_frames_follow_the_same_json_rules(user, api_key_for):
    from asgiref.sync import sync_to_async

    from oms_project.asgi import application
    from tests.support.ws import WsClient

    key = await sync_to_async(api_key_for)(user)
    client = WsClient(application, "/ws/orders/", headers=[(b"authorization", f"Api-Key {key}".encode())])
    assert (await client.connect())[0]
    for text, code in (("[" * 100_000 + "]" * 100_000, "JSON_TOO_DEEP"), ("{not json", "MALFORMED_REQUEST")):
        await client.send_input({"type": "websocket.receive", "text": text})
        assert (await client.receive_json())["error"]["code"] == code
    await client.send_json({"action": "ping"})
    assert await client.receive_json() == {"type": "pong"}  # the socket stayed open
    await client.disconnect()
