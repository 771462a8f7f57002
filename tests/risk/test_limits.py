"""The pure pre-trade limits (risk/limits.py): each limit refuses with its own code and a message with the limit,
the value and the headroom; a reducing order passes every limit it improves; resolution and overrides."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from risk import limits
from risk.errors import BY_CODE

BASE = limits.OrderFacts(
    side="BUY",
    quantity=75,
    product="NRML",
    order_type="LIMIT",
    price=D("100"),
    ltp=D("100"),
    band_low=D("80"),
    band_high=D("120"),
    instrument_kind="OPT",
    underlying="NIFTY",
    capital=D("1000000"),
    pnl_today=D("0"),
    peak_equity=D("1000000"),
    stop_loss=D("90"),
)


def on(key: str, **params) -> limits.LimitSet:  # noqa: ANN003
    """Only `key` enabled, with `params` overriding its defaults."""
    layer = {spec.key: {"enabled": spec.key == key} for spec in limits.CATALOGUE}
    layer[key].update(params)
    return limits.resolve(layer)


# (limit, facts that breach it, the expected value in the details, a reducing variant that must pass)
CASES = [
    ("daily_loss", dict(pnl_today=D("-60000")), "60000.00"),
    ("drawdown", dict(pnl_today=D("-10000"), peak_equity=D("1170000")), "15.38"),
    ("open_positions", dict(open_instruments=5), 6),
    ("risk_per_trade", dict(stop_loss=D("70"), quantity=750), "22500.00"),
    ("stop_loss_required", dict(stop_loss=None), "missing"),
    ("reward_risk", dict(stop_loss=D("95"), target=D("105")), "1.00"),
    ("price_sanity", dict(price=D("111"), band_high=D("130")), "11.00"),
    ("order_quantity", dict(quantity=10001, price=D("1")), 10001),
    ("position_size", dict(quantity=300, position_quantity=750), 1050),
    ("orders_per_minute", dict(orders_last_minute=10), 11),
    ("margin_utilisation", dict(margin_utilisation_after=D("91.5")), "91.50"),
    ("pending_orders", dict(pending_in_instrument=3), 4),
    ("concentration", dict(underlying_notional=D("4999000"), quantity=75), "5006500.00"),
    ("fno_ban", dict(in_ban=True), "increases exposure"),
    ("greeks", dict(delta_inr_before=D("4000000"), delta_inr_after=D("5200000")), "5200000.00"),
    ("fat_finger", dict(quantity=15000, price=D("100")), "1500000.00"),
    ("liquidity", dict(volume=99), 99),
]


@pytest.mark.parametrize(("key", "changes", "value"), CASES, ids=[c[0] for c in CASES])
def test_each_limit_refuses_with_its_code_and_says_limit_value_headroom(key, changes, value):
    facts = replace(BASE, **changes)
    assert limits.evaluate(on(key), BASE).breaches == [], "the base order must pass"
    result = limits.evaluate(on(key), facts)
    assert [b.code for b in result.breaches] == [limits.BY_KEY[key].code]
    breach = result.first
    assert breach.code in BY_CODE, "every limit code has its own error class (and SDK exception)"
    details = breach.details()
    assert details["limit_name"] == key
    assert str(details["value"]) == str(value)
    assert details["limit"] is not None
    if key not in ("stop_loss_required", "fno_ban"):
        text = breach.message.replace(",", "")
        assert str(details["limit"]) in text or str(details["limit"]).rstrip("0").rstrip(".") in text, text
        assert "headroom" in text or "over by" in text or "short by" in text, text
    # Switched off, the limit says nothing.
    assert (
        limits.evaluate(
            limits.resolve({key: {"enabled": False}}, {k: {"enabled": False} for k in limits.BY_KEY}), facts
        ).breaches
        == []
    )


EXPOSURE = [k for k, *_ in CASES if k not in limits.APPLY_TO_REDUCING]


@pytest.mark.parametrize("key", EXPOSURE)
def test_a_reducing_order_passes_every_exposure_limit(key):
    changes = dict(next(c for k, c, _ in CASES if k == key))
    # A SELL of at most the long position only shrinks exposure: whatever else is breached, it goes.
    facts = replace(BASE, **changes)
    facts = replace(facts, side="SELL", position_quantity=max(facts.quantity, 750), open_instruments=9)
    assert facts.reducing
    result = limits.evaluate(on(key), facts)
    assert result.breaches == [] and key in result.skipped_reducing
    # The same order without the position is judged.
    assert limits.evaluate(on(key), replace(facts, position_quantity=0)).breaches or key in (
        "position_size",
        "risk_per_trade",
        "reward_risk",
        "concentration",
        "daily_loss",
        "drawdown",
    )


def test_a_larger_opposite_order_is_not_reducing():
    facts = replace(BASE, side="SELL", quantity=150, position_quantity=75)
    assert not facts.reducing and facts.position_after == -75


def test_headroom_is_limit_minus_value():
    b = limits.evaluate(on("daily_loss"), replace(BASE, pnl_today=D("-61000"))).first
    assert D(b.details()["headroom"]) == D(b.details()["limit"]) - D(b.details()["value"]) == D("-1000.00")
    below = limits.evaluate(on("daily_loss"), replace(BASE, pnl_today=D("-59000")))
    assert below.breaches == []


def test_strategy_loss_uses_the_lower_of_abs_and_the_strategy_pct():
    facts = replace(BASE, strategy_pnl_today=D("-30000"), strategy_loss_pct=D("2.5"))  # 2.5% of 10 lakh = 25k
    b = limits.evaluate(on("daily_loss"), facts).first
    assert b is not None and b.limit == D("25000.00")
    assert limits.evaluate(on("daily_loss"), replace(facts, strategy_loss_pct=D("5"))).breaches == []  # 50k cap


def test_fat_finger_by_usual_value_and_futures_exempt_from_the_value_cap():
    usual = replace(BASE, usual_order_value=D("7500"), history_count=5, quantity=1500)  # 1.5 lakh = 20x
    assert limits.evaluate(on("fat_finger"), usual).first.code == "RISK_FAT_FINGER"
    assert limits.evaluate(on("fat_finger"), replace(usual, history_count=4)).breaches == []
    fut = replace(BASE, instrument_kind="FUT", price=D("24000"), quantity=75)  # one lot: ₹18 lakh
    assert limits.evaluate(on("fat_finger"), fut).breaches == []


def test_price_band_outside_the_exchange_band():
    b = limits.evaluate(on("price_sanity", pct="50"), replace(BASE, price=D("125"))).first
    assert b.code == "RISK_PRICE_DEVIATION" and "band" in b.message


def test_system_square_off_is_not_rate_limited():
    facts = replace(BASE, orders_last_minute=50, system=True)
    assert limits.evaluate(on("orders_per_minute"), facts).breaches == []


def test_resolution_layers_and_presets():
    r = limits.resolve(None)
    assert r["daily_loss"]["pct"] == D("6") and r["drawdown"]["pct"] == D("15") and r["open_positions"]["max"] == 5
    assert not r["stop_loss_required"].enabled and not r["concentration"].enabled
    r = limits.resolve({"daily_loss": {"pct": "4"}}, limits.PRESETS["conservative"], {"daily_loss": {"enabled": False}})
    assert r["daily_loss"]["pct"] == D("4") and not r["daily_loss"].enabled and r["stop_loss_required"].enabled


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ({"nope": {}}, "unknown limit"),
        ({"daily_loss": {"pcts": "4"}}, "no parameter"),
        ({"daily_loss": {"pct": "-1"}}, "non-negative"),
        ({"daily_loss": {"enabled": "yes"}}, "true or false"),
        ({"open_positions": {"max": "2.5"}}, "whole number"),
        ({"open_positions": {"max": True}}, "number"),
        ([], "object"),
    ],
)
def test_overrides_are_validated(doc, fragment):
    with pytest.raises(ValueError, match=fragment):
        limits.validate_overrides(doc)


def test_overrides_are_typed():
    assert limits.validate_overrides(
        {"daily_loss": {"pct": "4.5", "enabled": True}, "open_positions": {"max": "7"}}
    ) == {
        "daily_loss": {"pct": D("4.5"), "enabled": True},
        "open_positions": {"max": 7},
    }


def test_greeks_limit_passes_an_order_that_brings_the_book_towards_zero():
    over = replace(BASE, delta_inr_before=D("-7000000"), delta_inr_after=D("-6000000"))  # still over, but better
    assert limits.evaluate(on("greeks"), over).breaches == []
    vega = replace(BASE, vega_inr_before=D("0"), vega_inr_after=D("-60000"))
    assert limits.evaluate(on("greeks"), vega).first.code == "RISK_GREEKS"
