"""Exchange and broker rules the pre-trade validation enforces for every venue (docs/exchange-rules.md):
tick sizes per instrument, SL-M refused on options and BSE (bracket stops become SL), AMO windows and the
hold until the 09:15 open, the MIS cut-off, Kite's 400/min and 5,000/day caps, the freeze limit on modify.

Before: every instrument was 0.05, SL-M went out on options, an AMO was only "allowed when closed" and on
paper filled at once, MIS entries were taken at 15:29, only 10/s was counted, and a modify could raise a
quantity past the freeze limit.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from oms_project.lib.errors import DomainError
from orders import rate_limit, trading_rules, validation
from orders.domain import OrderRole
from orders.models import Order
from orders.services import order_modify, orders_release_amo_due
from tests.support.orders import place_order, preview_order

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Asia/Kolkata")

NRML_LIMIT = {"instrument_token": 1001, "transaction_type": "BUY", "quantity": 75, "product": "NRML",
              "order_type": "LIMIT", "confirm_duplicate": True}  # fmt: skip


def _refusal(preview: dict[str, Any]) -> tuple[str | None, dict]:
    denied = [f for f in preview["findings"] if f["outcome"] == "deny"]
    return (denied[0]["code"], denied[0]["details"]) if denied else (None, {})


def _code_of(fn: Any) -> str:
    with pytest.raises(DomainError) as info:
        fn()
    return info.value.code


# --- 1. ticks are data per instrument ---------------------------------------------------------------------
def test_demo_master_index_future_tick_refuses_a_005_step(user, account, fake_market) -> None:
    """The demo master's NIFTY future carries the band tick (0.10 at ~26,000, reference-data.md §9.1), and
    validation refuses a price that was fine when every tick was 0.05."""
    from marketdata.models import Instrument
    from marketdata.services import demo_instruments_refresh

    demo_instruments_refresh(today=timezone.localdate())
    fut = Instrument.objects.filter(source="demo", name="NIFTY", instrument_type="FUT").order_by("expiry").first()
    opt = Instrument.objects.filter(source="demo", name="NIFTY", instrument_type="CE").order_by("expiry").first()
    assert fut is not None and opt is not None
    assert fut.tick_size > D("0.05"), "index futures above 15,000 tick at 0.10 or 0.20 since 15 Apr 2025"
    assert opt.tick_size == D("0.05")
    fake_market.set(fut.instrument_token, "26000", tick=fut.tick_size)
    off = D("26000") + D("0.05")
    code, details = _refusal(preview_order(user, **{**NRML_LIMIT, "instrument_token": fut.instrument_token,
                                                   "quantity": fut.lot_size, "price": off}))  # fmt: skip
    assert code == "TICK_SIZE_MISMATCH" and D(details["tick_size"]) == fut.tick_size
    on = D("26000") + fut.tick_size
    code, _ = _refusal(preview_order(user, **{**NRML_LIMIT, "instrument_token": fut.instrument_token,
                                             "quantity": fut.lot_size, "price": on}))  # fmt: skip
    assert code is None
    fake_market.set(opt.instrument_token, "120", tick="0.05")
    code, _ = _refusal(preview_order(user, **{**NRML_LIMIT, "instrument_token": opt.instrument_token,
                                             "quantity": opt.lot_size, "price": D("120.05")}))  # fmt: skip
    assert code is None


# --- 2. SL-M on options and BSE ---------------------------------------------------------------------------
def _facts(**kw: Any) -> validation.InstrumentFacts:
    base = dict(instrument_token=1, exchange="NFO", tradingsymbol="NIFTY26DEC26000PE", instrument_type="PE",
                lot_size=65, tick_size=D("0.05"), freeze_quantity=1800, expiry=None)  # fmt: skip
    base.update(kw)
    return validation.InstrumentFacts(**base)


def _slm(**kw: Any) -> validation.OrderDraft:
    base = dict(transaction_type="SELL", quantity=65, product="NRML", order_type="SL-M",
                trigger_price=D("80"), market_protection=-1)  # fmt: skip
    base.update(kw)
    return validation.OrderDraft(**base)


@pytest.mark.parametrize(
    "facts,refused",
    [(dict(), True), (dict(instrument_type="CE"), True),
     (dict(instrument_type="FUT", tradingsymbol="NIFTY26DECFUT"), False),
     (dict(exchange="BFO", instrument_type="FUT", tradingsymbol="SENSEX26DECFUT"), True),
     (dict(exchange="NSE", instrument_type="EQ", tradingsymbol="INFY", lot_size=1), False)],
)  # fmt: skip
def test_slm_refused_on_options_and_bse(facts: dict, refused: bool) -> None:
    check = lambda: validation.check_prices(_slm(), _facts(**facts))  # noqa: E731
    if refused:
        assert _code_of(check) == "SLM_NOT_ALLOWED"
    else:
        check()


def test_slm_option_refused_in_preview_and_on_modify(user, account, make_instrument, fake_market) -> None:
    opt = make_instrument(2002, "NIFTY26DEC24000PE", type_="PE", strike="24000", last_price="100")
    fake_market.set(opt.instrument_token, "100")
    code, _ = _refusal(preview_order(user, instrument_token=opt.instrument_token, transaction_type="SELL",
                                     quantity=75, product="NRML", order_type="SL-M", trigger_price=D("90"),
                                     confirm_duplicate=True))  # fmt: skip
    assert code == "SLM_NOT_ALLOWED"
    resting = place_order(user, instrument_token=opt.instrument_token, transaction_type="SELL", quantity=75,
                          product="NRML", order_type="SL", trigger_price=D("95"), price=D("93"),
                          confirm_duplicate=True)  # fmt: skip
    assert resting.status == "TRIGGER PENDING"
    assert _code_of(lambda: order_modify(user=user, order_id=resting.pk, order_type="SL-M")) == "SLM_NOT_ALLOWED"


def test_stop_limit_price_buffer() -> None:
    tick = D("0.05")
    # 5% of 80 = 4.00 > 10 ticks (0.50): a SELL stop's limit 4.00 below the trigger
    assert trading_rules.stop_limit_price(D("80"), side="SELL", tick=tick) == D("76.00")
    # 5% of 3 = 0.15 < 10 ticks: 0.50 away; a BUY stop's limit above
    assert trading_rules.stop_limit_price(D("3"), side="BUY", tick=tick) == D("3.50")
    # never below one tick, never outside the band
    assert trading_rules.stop_limit_price(D("0.30"), side="SELL", tick=tick) == D("0.05")
    assert trading_rules.stop_limit_price(D("80"), side="SELL", tick=tick, lower=D("77.33")) == D("77.35")
    assert trading_rules.stop_limit_price(D("80"), side="BUY", tick=tick, upper=D("82.02")) == D("82.00")


def test_bracket_stop_on_an_option_is_sl_with_a_derived_limit(
    user, account, make_instrument, fake_market, django_capture_on_commit_callbacks
) -> None:
    opt = make_instrument(2003, "NIFTY26DEC24000CE", type_="CE", strike="24000", last_price="100")
    fake_market.set(opt.instrument_token, "100")
    with django_capture_on_commit_callbacks(execute=True):
        entry = place_order(user, instrument_token=opt.instrument_token, transaction_type="BUY", quantity=75,
                            product="NRML", order_type="MARKET", stop_loss_points=D("10"),
                            target_points=D("30"), confirm_duplicate=True)  # fmt: skip
    entry.refresh_from_db()
    assert entry.status == "COMPLETE"
    stop = Order.objects.get(parent=entry, role=OrderRole.STOP_LOSS)
    assert stop.order_type == "SL", "SL-M is refused on options: the stop leg must be a stop-limit"
    band_low = fake_market.quotes[opt.instrument_token].lower_circuit_limit
    expected = trading_rules.stop_limit_price(stop.trigger_price, side="SELL", tick=D("0.05"), lower=band_low)
    assert stop.price == expected and stop.price < stop.trigger_price
    assert stop.status == "TRIGGER PENDING"
    assert trading_rules.slm_refused(instrument_type="FUT", exchange="NFO") is None  # futures keep SL-M stops


def test_trailing_an_option_stop_moves_its_limit_too(
    user, account, make_instrument, fake_market, django_capture_on_commit_callbacks
) -> None:
    from orders.services import orders_trail_stops

    opt = make_instrument(2005, "NIFTY26DEC24200CE", type_="CE", strike="24200", last_price="100")
    fake_market.set(opt.instrument_token, "100")
    with django_capture_on_commit_callbacks(execute=True):
        entry = place_order(user, instrument_token=opt.instrument_token, transaction_type="BUY", quantity=75,
                            product="NRML", order_type="MARKET", stop_loss_points=D("10"), target_points=D("30"),
                            trailing_stop_points=D("10"), confirm_duplicate=True)  # fmt: skip
    stop = Order.objects.get(parent=entry, role=OrderRole.STOP_LOSS)
    fake_market.set(opt.instrument_token, "104")
    assert orders_trail_stops() == 1
    stop.refresh_from_db()
    band_low = fake_market.quotes[opt.instrument_token].lower_circuit_limit
    assert stop.trigger_price == D("94.00")
    assert stop.price == trading_rules.stop_limit_price(D("94"), side="SELL", tick=D("0.05"), lower=band_low)


# --- 3. AMO windows and the hold until the open ----------------------------------------------------------
def _amo(user: Any, **kw: Any) -> dict:
    return preview_order(user, **{**NRML_LIMIT, "price": D("24000"), "variety": "amo", **kw})


@pytest.mark.dates
@pytest.mark.parametrize(
    "instant,code",
    [("2026-12-01 11:00 IST", "AMO_DURING_MARKET_HOURS"), ("2026-12-01 15:35 IST", "AMO_OUTSIDE_WINDOW"),
     ("2026-12-01 09:12 IST", "AMO_OUTSIDE_WINDOW"), ("2026-12-01 15:45 IST", None), ("2026-12-01 09:09 IST", None),
     ("2026-12-25 11:00 IST", None), ("2026-12-26 12:00 IST", None)],
)  # fmt: skip
def test_amo_window(instant: str, code: str | None, travel_to, user, account, fut) -> None:
    """Tuesday 1 Dec 2026 is a trading day; 25 Dec (Christmas) a holiday, 26 Dec a Saturday."""
    travel_to(instant)
    assert _refusal(_amo(user))[0] == code


@pytest.mark.parametrize("exchange,refused", [("NFO", False), ("BFO", False), ("NSE", True), ("CDS", True)])
def test_amo_window_ends_at_0900_for_equity_and_0910_for_fno(exchange: str, refused: bool) -> None:
    at = datetime(2026, 12, 1, 9, 5, tzinfo=IST)
    check = lambda: validation.check_amo_window(  # noqa: E731
        amo=True, at=at, trading_day=True, session_open=False, exchange=exchange
    )
    if refused:
        assert _code_of(check) == "AMO_OUTSIDE_WINDOW"
    else:
        check()


@pytest.mark.dates
def test_market_amo_on_an_option_is_refused(travel_to, user, account, make_instrument, fake_market) -> None:
    """Zerodha's Kite order-rejections page: "Blocks market orders in index options using AMO"."""
    travel_to("2026-12-01 20:00 IST")
    opt = make_instrument(2004, "NIFTY26DEC24100CE", type_="CE", strike="24100", last_price="100")
    fake_market.set(opt.instrument_token, "100")
    amo = {**NRML_LIMIT, "instrument_token": opt.instrument_token, "variety": "amo"}
    assert _refusal(preview_order(user, **{**amo, "order_type": "MARKET"}))[0] == "AMO_MARKET_NOT_ALLOWED"
    assert _refusal(preview_order(user, **{**amo, "price": D("99")}))[0] is None


@pytest.mark.dates
def test_paper_amo_waits_for_the_open_across_a_holiday(travel_to, user, account, fut, fake_market) -> None:
    clock = travel_to("2026-12-24 20:00 IST")  # Thursday evening; Friday 25 Dec is a holiday
    fake_market.set(fut.instrument_token, "24000")
    order = place_order(user, **{**NRML_LIMIT, "price": D("24010"), "variety": "amo"})
    assert order.status == "PENDING_SUBMIT" and order.broker_order_id in (None, "")
    assert order.events.filter(reason__icontains="held until the open").exists()
    for instant in ("2026-12-25 09:15 IST", "2026-12-25 11:00 IST", "2026-12-28 09:14 IST"):
        clock.move_to(instant)
        assert orders_release_amo_due() == 0, instant
    clock.move_to("2026-12-28 09:15 IST")  # Monday's open
    fake_market.set(fut.instrument_token, "24000")
    assert orders_release_amo_due() == 1
    order.refresh_from_db()
    assert order.status == "COMPLETE" and order.broker_order_id
    assert orders_release_amo_due() == 0  # released once


# --- 4. MIS cut-off -------------------------------------------------------------------------------------
@pytest.mark.dates
def test_no_new_mis_after_the_cutoff_exits_allowed(travel_to, settings, user, account, fut, fake_market) -> None:
    settings.SIM_TRADE_ANY_TIME = False  # the venue follows the exchange's hours
    clock = travel_to("2026-12-01 15:24 IST")
    mis = {**NRML_LIMIT, "product": "MIS", "order_type": "MARKET"}
    long = place_order(user, **mis)
    assert long.status == "COMPLETE"
    clock.move_to("2026-12-01 15:26 IST")
    code, details = _refusal(preview_order(user, **mis))
    assert code == "MIS_CUTOFF_PASSED" and details["cutoff"] == "15:25"
    assert _refusal(preview_order(user, **{**mis, "product": "NRML"}))[0] is None
    exit_ = place_order(user, **{**mis, "transaction_type": "SELL"})  # reduces the MIS long: allowed
    assert exit_.status == "COMPLETE"
    assert _refusal(preview_order(user, **{**mis, "transaction_type": "SELL"}))[0] == "MIS_CUTOFF_PASSED"  # flat now


# --- 5. Kite's caps -------------------------------------------------------------------------------------
def test_minute_and_day_caps_count_new_orders_only(settings) -> None:
    settings.ORDER_RATE_LIMIT_PER_MINUTE = 3
    settings.ORDER_RATE_LIMIT_PER_DAY = 5
    t = [1_800_000_000.0]  # a minute boundary
    clock = lambda: t[0]  # noqa: E731
    for _ in range(3):
        rate_limit.acquire(77, new_order=True, clock=clock, sleep=lambda s: t.__setitem__(0, t[0] + s))
    assert _code_of(lambda: rate_limit.acquire(77, new_order=True, clock=clock)) == "ORDER_RATE_LIMITED"
    rate_limit.acquire(77, clock=clock, sleep=lambda s: t.__setitem__(0, t[0] + s))  # a modify still goes
    t[0] += 60
    rate_limit.acquire(77, new_order=True, clock=clock)
    rate_limit.acquire(77, new_order=True, clock=clock, sleep=lambda s: t.__setitem__(0, t[0] + s))
    with pytest.raises(DomainError) as info:
        rate_limit.acquire(77, new_order=True, clock=clock)
    assert info.value.code == "ORDER_DAILY_LIMIT_REACHED" and info.value.details["limit_per_day"] == 5
    assert rate_limit.caps_left(77, clock=clock) == {"minute": 1, "day": 0}


def test_minute_cap_refuses_a_placement_and_stores_nothing(settings, user, account, fut) -> None:
    settings.ORDER_RATE_LIMIT_PER_MINUTE = 2
    for price in ("23990", "23980"):
        place_order(user, **{**NRML_LIMIT, "price": D(price)})
    before = Order.objects.count()
    assert _code_of(lambda: place_order(user, **{**NRML_LIMIT, "price": D("23970")})) == "ORDER_RATE_LIMITED"
    assert Order.objects.count() == before
    assert _refusal(preview_order(user, **{**NRML_LIMIT, "price": D("23970")}))[0] == "ORDER_RATE_LIMITED"


def test_every_slice_counts_against_the_minute_cap(settings, user, account, make_instrument, fake_market) -> None:
    settings.ORDER_RATE_LIMIT_PER_MINUTE = 2
    inst = make_instrument(3002, "NIFTY27FEBFUT", freeze=150)
    fake_market.set(inst.instrument_token, "24000")
    sliced = {**NRML_LIMIT, "instrument_token": inst.instrument_token, "quantity": 450, "price": D("23900"),
              "auto_slice": True}  # fmt: skip
    before = Order.objects.count()
    assert _code_of(lambda: place_order(user, **sliced)) == "ORDER_RATE_LIMITED"  # 3 slices > 2 a minute
    assert Order.objects.count() == before
    parent = place_order(user, **{**sliced, "quantity": 300})  # 2 slices fit
    assert parent.children.count() == 2


# --- 6. freeze quantity ------------------------------------------------------------------------------------
def test_exact_freeze_quantity_is_one_order_and_modify_cannot_exceed_it(
    user, account, make_instrument, fake_market
) -> None:
    """Lot 75, freeze 900 (12 lots): 900 goes as one order (the freeze limit is the most one order may
    carry; Kite refuses only quantities above it); a modify to 975 is refused, since a modification cannot be
    sliced."""
    inst = make_instrument(3001, "NIFTY27JANFUT", freeze=900)
    fake_market.set(inst.instrument_token, "24000")
    limit = {**NRML_LIMIT, "instrument_token": inst.instrument_token}
    exact = place_order(user, **{**limit, "quantity": 900, "price": D("23900")})
    assert exact.quantity == 900 and not exact.children.exists() and exact.status == "OPEN"
    code = _code_of(lambda: order_modify(user=user, order_id=exact.pk, quantity=975))
    assert code == "FREEZE_QUANTITY_EXCEEDED"
    assert _code_of(lambda: place_order(user, **{**limit, "quantity": 975, "price": D("23890")})) == (
        "FREEZE_QUANTITY_EXCEEDED"
    )
    exact.refresh_from_db()
    assert order_modify(user=user, order_id=exact.pk, quantity=825).pk == exact.pk


# --- the new codes in the SDK and in trader language ----------------------------------------------------------
@pytest.mark.parametrize(
    "code", ["SLM_NOT_ALLOWED", "AMO_DURING_MARKET_HOURS", "AMO_OUTSIDE_WINDOW", "AMO_MARKET_NOT_ALLOWED",
             "MIS_CUTOFF_PASSED",
             "ORDER_DAILY_LIMIT_REACHED"],
)  # fmt: skip
def test_new_codes_have_sdk_classes_and_trader_words(code: str) -> None:
    from stocksblitz_sdk.exceptions import exception_for_code

    from oms_project.lib.trader_errors import explain

    assert exception_for_code(code) is not None and exception_for_code(code).code == code
    said = explain({"code": code, "message": "x", "details": {}})
    assert said.title != "Not done" and said.suggestion
