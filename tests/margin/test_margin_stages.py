"""margin.funds and margin.utilisation through the API: preview and placement agree; a reversal needs
margin only for the part that opens; an order that reduces passes even when funds are short."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from margin import selectors as ms
from orders.models import Order

pytestmark = pytest.mark.django_db

BODY = {"instrument_token": 1001, "transaction_type": "BUY", "product": "NRML", "order_type": "MARKET"}


def _lots_margin(account, fut, lots):
    return ms.order_margin(account, [ms.MarginOrder(fut, "BUY", 75 * lots)], consider_positions=False).required


def _set_capital(account, amount):
    account.paper_capital = amount
    account.save()


def _findings(r):
    return {f["stage"]: f for f in r.json()["findings"]}


def test_insufficient_margin_has_its_code_in_preview_and_placement(api, account, fut):
    one = _lots_margin(account, fut, 1)
    _set_capital(account, (one / 2).quantize(D("1")))
    preview = api.post("/api/v1/orders/preview/", {**BODY, "quantity": 75}, format="json")
    assert preview.status_code == 200, preview.json()
    f = _findings(preview)["margin.funds"]
    assert f["outcome"] == "deny" and f["code"] == "INSUFFICIENT_MARGIN"
    assert D(f["details"]["required"]) == one
    assert D(f["details"]["shortfall"]) == one - D(f["details"]["available"])
    placed = api.post("/api/v1/orders/", {**BODY, "quantity": 75}, format="json")
    assert placed.status_code == 400 and placed.json()["error"]["code"] == "INSUFFICIENT_MARGIN"
    assert placed.json()["error"]["details"]["shortfall"] == f["details"]["shortfall"]
    assert not Order.objects.exists()


def test_a_reversal_needs_margin_only_for_the_part_that_opens(api, account, fut):
    two, three = _lots_margin(account, fut, 2), _lots_margin(account, fut, 3)
    # Enough for two lots, not for three: the old check refused SELL 3 against a long of 2.
    _set_capital(account, ((two + three) / 2).quantize(D("1")))
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 150}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "COMPLETE", r.json()
    preview = api.post("/api/v1/orders/preview/", {**BODY, "transaction_type": "SELL", "quantity": 225}, format="json")
    f = _findings(preview)["margin.funds"]
    assert f["outcome"] == "pass" and D(f["details"]["required"]) == 0 and f["details"]["risk_increasing"] is False
    r = api.post(
        "/api/v1/orders/",
        {**BODY, "transaction_type": "SELL", "quantity": 225, "confirm_duplicate": True},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "COMPLETE", r.json()
    after = ms.account_margin(account)
    assert after.positions_count == 1 and after.total_blocked < two  # short 1 lot now


def test_a_reducing_order_passes_when_funds_are_short(api, account, fut):
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 150}, format="json")
    assert r.status_code == 201
    _set_capital(account, D("1000"))  # far below what the long holds: utilisation > 100%
    refused = api.post("/api/v1/orders/preview/", {**BODY, "quantity": 75, "confirm_duplicate": True}, format="json")
    codes = {f["code"] for f in refused.json()["findings"]}
    assert {"INSUFFICIENT_MARGIN", "MARGIN_UTILISATION_EXTREME"} <= codes
    ok = api.post(
        "/api/v1/orders/",
        {**BODY, "transaction_type": "SELL", "quantity": 75, "confirm_duplicate": True},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["status"] == "COMPLETE", ok.json()["status_message"]


def test_extreme_utilisation_refuses_risk_increasing_orders(api, account, fut):
    one = _lots_margin(account, fut, 1)
    # After one lot utilisation is ~95%: funds still cover it, but the level is EXTREME.
    _set_capital(account, (one / D("0.95")).quantize(D("1")))
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 75}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "MARGIN_UTILISATION_EXTREME", r.json()
    assert D(r.json()["error"]["details"]["utilisation_pct"]) >= 90
    _set_capital(account, (one / D("0.5")).quantize(D("1")))
    assert api.post("/api/v1/orders/", {**BODY, "quantity": 75}, format="json").status_code == 201


# What the paper venue's own estimate held before it stopped judging funds (15 % of a future's notional, 15 % of a
# short option's strike × quantity): the engine allows what that estimate refused, and the venue must not refuse it.
OLD_VENUE_PCT = D("0.15")


def test_the_paper_venue_accepts_a_reversal_the_engine_allows(api, account, fut, travel_to):
    from paper_venue.models import PaperVenueOrder

    travel_to("2026-12-02 11:00 IST")  # the OMS buffer (VIX, expiry day) moves the figure: a fixed ordinary morning
    two = _lots_margin(account, fut, 2)
    capital = (two / D("0.86")).quantize(D("1"))  # 86 % utilised by the long: under EXTREME, funds cover it
    assert capital < OLD_VENUE_PCT * 24000 * 150  # the old venue estimate refused the long itself
    _set_capital(account, capital)
    r = api.post("/api/v1/orders/", {**BODY, "quantity": 150}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "COMPLETE", r.json()
    r = api.post(
        "/api/v1/orders/",
        {**BODY, "transaction_type": "SELL", "quantity": 225, "confirm_duplicate": True},
        format="json",
    )
    assert r.status_code == 201 and r.json()["status"] == "COMPLETE", r.json()
    assert PaperVenueOrder.objects.filter(status="COMPLETE").count() == 2
    assert not PaperVenueOrder.objects.filter(status="REJECTED").exists()
    after = ms.account_margin(account)
    assert after.positions_count == 1 and 0 < after.total_blocked < two  # short 1 lot now


def test_the_paper_venue_accepts_a_hedged_basket_and_the_engine_refuses_a_naked_leg(
    api, account, make_instrument, travel_to
):
    """A call spread on the simulated market (its own prices, consistent with the engine's arrays), the clock
    pinned to a Wednesday morning in the session."""
    from django.utils import timezone

    from marketdata import selectors as md
    from paper_venue.models import PaperVenueOrder

    travel_to("2026-12-02 11:00 IST")
    probe = make_instrument(token=2100, symbol="NIFTYPROBEFUT")
    atm = (md.risk_inputs(probe, timezone.now()).spot / 100).quantize(D("1")) * 100
    near, far = (
        make_instrument(token=2101 + i, symbol=f"NIFTY26DEC{k}CE", type_="CE", strike=str(k))
        for i, k in enumerate((atm, atm + 200))
    )
    naked = ms.order_margin(account, [ms.MarginOrder(near, "SELL", 75)], consider_positions=False)
    long_leg = ms.order_margin(account, [ms.MarginOrder(far, "BUY", 75)], consider_positions=False)
    spread = ms.order_margin(
        account, [ms.MarginOrder(far, "BUY", 75), ms.MarginOrder(near, "SELL", 75)], consider_positions=False
    )
    assert spread.required < naked.required  # the hedge benefit
    capital = (max(spread.required, long_leg.required) * D("2.5")).quantize(D("1"))
    assert capital < naked.required and capital < OLD_VENUE_PCT * atm * 75  # neither the naked leg nor the estimate
    _set_capital(account, capital)
    leg = {"product": "NRML", "order_type": "MARKET", "quantity": 75}
    buy_far = {**leg, "instrument_token": far.instrument_token, "transaction_type": "BUY"}
    sell_near = {**leg, "instrument_token": near.instrument_token, "transaction_type": "SELL"}
    # A naked short call: the engine refuses it, with the margin stage's code, and nothing reaches the venue.
    refused = api.post("/api/v1/orders/", sell_near, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "INSUFFICIENT_MARGIN", refused.json()
    assert not PaperVenueOrder.objects.exists()
    # The call spread, leg by leg: the long first, then the short margined against it — both fill at the venue.
    r = api.post("/api/v1/orders/", buy_far, format="json")
    assert r.status_code == 201 and r.json()["status"] == "COMPLETE", r.json()
    preview = api.post("/api/v1/orders/preview/", sell_near, format="json")
    f = _findings(preview)["margin.funds"]
    assert f["outcome"] == "pass" and D(f["details"]["required"]) < naked.required
    r = api.post("/api/v1/orders/", sell_near, format="json")
    assert r.status_code == 201 and r.json()["status"] == "COMPLETE", r.json()
    assert sorted(PaperVenueOrder.objects.values_list("status", flat=True)) == ["COMPLETE", "COMPLETE"]
    assert ms.account_margin(account).total_blocked < naked.required
