"""Margin and costs API: Kite shapes, hedges in a basket, costs per order and in total, scoping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from margin import charges as c
from margin import selectors as ms
from marketdata.models import Instrument
from portfolio.models import Strategy
from tests.orders.conftest import _paper_account

pytestmark = pytest.mark.django_db
EXPIRY = date.today() + timedelta(days=20)
NEXT = EXPIRY + timedelta(days=28)


@pytest.fixture
def account(user):
    return _paper_account(user)


def _inst(token, type_, strike=None, expiry=EXPIRY):
    sym = f"NIFTYT{token}{type_}"
    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=sym,
        name="NIFTY",
        last_price=D("100"),
        expiry=expiry,
        strike=D(strike) if strike else None,
        tick_size=D("0.05"),
        lot_size=75,
        instrument_type=type_,
        segment="NFO-FUT" if type_ == "FUT" else "NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


@pytest.fixture
def chain():
    from marketdata.selectors import spot_for

    atm = (spot_for("NIFTY") / 50).quantize(D("1")) * 50
    return {
        "ce": _inst(8001, "CE", atm),
        "pe": _inst(8002, "PE", atm),
        "ce_up": _inst(8003, "CE", atm + 200),
        "fut": _inst(8004, "FUT"),
        "fut_next": _inst(8005, "FUT", expiry=NEXT),
    }


def leg(inst, side, qty=75, **kw):
    return {"instrument_token": inst.instrument_token, "transaction_type": side, "quantity": qty, **kw}


def basket(api, *legs, **kw):
    r = api.post("/api/v1/margins/basket/", {"orders": list(legs), **kw}, format="json")
    assert r.status_code == 200, r.json()
    return r.json()


@pytest.mark.parametrize(
    "legs",
    [
        pytest.param(lambda ch: [leg(ch["ce"], "SELL"), leg(ch["pe"], "SELL")], id="short straddle"),
        pytest.param(lambda ch: [leg(ch["ce"], "BUY"), leg(ch["ce_up"], "SELL")], id="bull call spread"),
        pytest.param(lambda ch: [leg(ch["fut"], "BUY"), leg(ch["fut_next"], "SELL")], id="calendar spread"),
    ],
)
def test_a_hedged_basket_gets_its_benefit(api, account, chain, legs):
    body = basket(api, *legs(chain))
    initial, final = body["initial"], body["final"]
    assert D(final["total"]) < D(initial["total"])
    assert D(final["span"]) < D(initial["span"]) or D(final["exposure"]) < D(initial["exposure"])
    assert D(body["required"]) == D(final["total"]) + D(body["buffer"]) or D(final["total"]) < 0
    assert len(body["orders"]) == 2 and all("charges" in o for o in body["orders"])
    assert D(initial["total"]) == sum(D(o["total"]) for o in body["orders"])
    for o in body["orders"]:
        assert D(o["total"]) == sum(D(o[k]) for k in ("span", "exposure", "option_premium", "additional", "var"))


def test_basket_final_counts_positions_only_when_asked(api, account, chain):
    alone = basket(api, leg(chain["fut"], "SELL"), consider_positions=False)
    assert D(alone["final"]["total"]) == D(alone["initial"]["total"]) > 0


def test_kite_order_margins_give_each_order_alone(api, account, chain, travel_to):
    from django.utils import timezone

    # Both answers priced at one instant: the simulated market moves between two calls (a CI run saw ₹3.75).
    travel_to(timezone.now())
    r = api.post(
        "/api/v1/margins/orders/", {"orders": [leg(chain["ce"], "SELL"), leg(chain["pe"], "SELL")]}, format="json"
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    straddle = basket(api, leg(chain["ce"], "SELL"), leg(chain["pe"], "SELL"))
    assert D(body["final"]["total"]) == D(straddle["initial"]["total"]) > D(straddle["final"]["total"])
    sold = body["orders"][0]
    assert D(sold["option_premium"]) == 0 and D(sold["exposure"]) > 0  # Kite: a sold option shows no premium


def test_calculate_costs_per_order_and_in_total(api, account, chain):
    body = {"orders": [leg(chain["ce"], "BUY", price="155.45"), leg(chain["pe"], "SELL", price="232.05")]}
    r = api.post("/api/v1/orders/calculate-costs/", body, format="json")
    assert r.status_code == 200, r.json()
    out = r.json()
    buy, sell = out["orders"]
    assert D(buy["charges"]["order_value"]) == D("11658.75") and D(buy["charges"]["brokerage"]) == 20
    assert D(buy["charges"]["stt"]) == 0 and D(sell["charges"]["stt"]) > 0  # options: STT on the sell side
    expected = ms.order_charges(
        c.ChargeInput.from_kite(
            exchange="NFO",
            instrument_type="PE",
            transaction_type="SELL",
            quantity=75,
            average_price=D("232.05"),
            product="NRML",
            order_type="MARKET",
            trade_date=date.today(),
            underlying="NIFTY",
        )
    )
    assert D(sell["charges"]["total_charges"]) == expected.total
    for k in ("order_value", "brokerage", "stt", "gst", "total_charges"):
        assert D(out["total"][k]) == D(buy["charges"][k]) + D(sell["charges"][k])
    m = out["margin"]
    assert m["can_execute"] is True and D(m["available"]) - D(m["required"]) == D(m["remaining"])


def test_calculate_costs_refuses_unknown_fields_and_others_accounts(api, other_api, account, chain, other_user):
    r = api.post("/api/v1/orders/calculate-costs/", {"orders": [leg(chain["ce"], "BUY", lots=1)]}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "UNKNOWN_FIELD"
    other = _paper_account(other_user)
    r = api.post(
        "/api/v1/margins/basket/", {"account_id": other.pk, "orders": [leg(chain["ce"], "BUY")]}, format="json"
    )
    assert r.status_code == 404
    assert api.get(f"/api/v1/accounts/{other.pk}/available-margin/").status_code == 404


def test_available_margin(api, account):
    r = api.get(f"/api/v1/accounts/{account.pk}/available-margin/")
    assert r.status_code == 200
    body = r.json()
    assert D(body["available"]) == D(body["total"]) - D(body["used"]) and body["level"] == "LOW"


def test_strategy_costs_and_margin(api, user, account, chain):
    strategy = Strategy.objects.create(user=user, account=account, name="s", margin_buffer_pct=D("20"))
    body = {"instruments": [{"symbol": chain["fut"].tradingsymbol, "quantity": 75, "price": "24000", "side": "SELL"}]}
    r = api.post(f"/api/v1/strategies/{strategy.pk}/calculate-costs/", body, format="json")
    assert r.status_code == 200, r.json()
    out = r.json()
    value = D("24000") * 75
    assert D(out["total_entry_cost"]) == value + D(out["entry_charges"])
    assert D(out["total_exit_cost"]) == value - D(out["exit_charges"]) and D(out["exit_charges"]) > 0
    r = api.post(f"/api/v1/strategies/{strategy.pk}/calculate-margin/", body, format="json")
    assert r.status_code == 200, r.json()
    m = r.json()
    factors = {f["name"]: D(f["factor"]) for f in m["buffer_factors"]}
    assert factors["margin_buffer_pct"] == D("1.2")  # the strategy's 20% buffer, shown apart
    assert D(m["buffer"]) > 0 and D(m["required"]) == D(m["exchange_required"]) + D(m["buffer"])
