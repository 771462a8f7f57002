"""The execution guard (orders.execution), the stored analysis and the slippage history (issue #11).

Books are set by hand (FakeMarket) so each expected figure is worked out next to its assertion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from alerts.models import Alert
from alerts.services import alert_respond
from marketdata import depth_analysis as da
from marketdata.types import DepthLevel
from orders import errors, execution
from orders.models import Order, OrderExecutionAnalysis, OrderSlippageHistory
from portfolio.models import Strategy
from tests.support.orders import place_order, preview_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


def _book(fake_market: Any, token: int, bid: str, ask: str, qty: int = 150, tick: str = "0.05") -> None:
    """Five levels each side, one tick apart, from the given touch prices."""
    t = D(tick)
    bids = tuple(DepthLevel(D(bid) - i * t, qty, 3) for i in range(5))
    asks = tuple(DepthLevel(D(ask) + i * t, qty, 3) for i in range(5))
    mid = (D(bid) + D(ask)) / 2
    q = fake_market.set(token, str(mid.quantize(t)), buy_depth=bids, sell_depth=asks, tick=tick, band="0.5")
    # Open interest well above risk's liquidity floor and any order here (the score's OI part at full marks).
    fake_market.quotes[token] = replace(q, oi=1_000_000)


@pytest.fixture
def opt(make_instrument: Any, fake_market: Any) -> Any:
    # An option priced around ₹100 (lot 75, tick 0.05).
    inst = make_instrument(2001, "NIFTY26DEC24000CE", type_="CE", strike="24000", last_price="100")
    _book(fake_market, inst.instrument_token, "99.95", "100.05")
    return inst


def _market(user: Any, **kw: Any) -> Order:
    base = dict(instrument_token=2001, transaction_type="BUY", quantity=75, product="NRML", order_type="MARKET",
                confirm_duplicate=True)
    return place_order(user, **{**base, **kw})


def test_a_tight_market_order_goes_out_with_its_analysis(user: Any, account: Any, opt: Any, fake_market: Any) -> None:
    order = _market(user)
    assert order.order_type == "MARKET" and order.status == "COMPLETE"
    a = OrderExecutionAnalysis.objects.get(order=order)
    # spread 0.10 on a mid of 100.00 = 0.1 % (TIGHT); 75 from the 150 at 100.05: VWAP 100.05, impact 5 bps.
    assert (a.spread_category, a.spread_pct, a.spread_abs) == ("TIGHT", D("0.1000"), D("0.10"))
    assert (a.mid, a.expected_price, a.impact_bps) == (D("100.0000"), D("100.0500"), D("5.00"))
    assert a.estimated_slippage == D("3.75")  # 0.05 × 75
    assert a.guard == "NONE" and a.guard_action == "PASSED"
    # The same figures as the pure module on the same book.
    pure = da.analyse_depth(fake_market.quotes[2001], da.OrderIntent("BUY", 75), tick_size=D("0.05"), lot_size=75,
                            volume=1000, open_interest=1_000_000)
    assert a.liquidity_score == pure.liquidity_score and a.recommendation == pure.recommendation.action
    # Position size: the largest whole-lot quantity within 50 bps (100.00 × 1.005 = 100.50 ≥ every level):
    # the whole visible book, 750 = 10 lots.
    assert (a.recommended_quantity, a.recommended_quantity_limited_by) == (750, "visible depth")


def test_a_wide_spread_goes_as_limit_at_the_recommended_price(user: Any, account: Any, opt: Any,
                                                              fake_market: Any) -> None:
    _book(fake_market, 2001, "99.60", "100.40")  # 0.80 on 100.00 = 0.8 %: WIDE
    order = _market(user)
    order.refresh_from_db()
    # The mid 100.00 on the tick grid, rounded down for a buy: a LIMIT inside the spread.
    assert (order.order_type, order.price, order.market_protection) == ("LIMIT", D("100.00"), None)
    a = order.execution_analysis
    assert (a.order_type, a.guard, a.guard_action) == ("MARKET", "WIDE", "CONVERTED_TO_LIMIT")
    alert = Alert.objects.get(user=user, type="WIDE_SPREAD")
    assert "Sent as LIMIT at 100.00" in alert.message and "0.8000%" in alert.message


def test_a_very_wide_market_order_parks_and_use_limit_reprices_it(user: Any, account: Any, opt: Any,
                                                                   fake_market: Any, on_commit: Any) -> None:
    _book(fake_market, 2001, "98.00", "102.00")  # 4.00 on 100 = 4 %: VERY_WIDE
    order = _market(user)
    assert order.status == "PENDING_APPROVAL"
    alert = Alert.objects.get(user=user, type="WIDE_SPREAD")
    assert alert.actions == ["Cancel", "Use LIMIT", "Proceed anyway"]
    assert alert.payload["spread_pct"] == "4.0000" and alert.payload["recommended_limit_price"] == "100.00"
    with on_commit(execute=True):  # the approval sends after its commit
        alert_respond(user=user, alert_id=alert.pk, action="Use LIMIT", actor=f"user:{user.pk}")
    order.refresh_from_db()
    assert (order.order_type, order.price) == ("LIMIT", D("100.00"))
    assert order.status == "OPEN"  # sent: rests at 100.00 inside a 98/102 book


def test_proceed_anyway_sends_the_market_order_and_cancel_rejects(user: Any, account: Any, opt: Any,
                                                                  fake_market: Any, on_commit: Any) -> None:
    _book(fake_market, 2001, "98.00", "102.00")
    first, second = _market(user), _market(user, quantity=150)
    a1, a2 = (Alert.objects.get(links__order_id=o.pk, type="WIDE_SPREAD") for o in (first, second))
    with on_commit(execute=True):
        alert_respond(user=user, alert_id=a1.pk, action="Proceed anyway", actor=f"user:{user.pk}")
    alert_respond(user=user, alert_id=a2.pk, action="Cancel", actor=f"user:{user.pk}")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.order_type, first.status) == ("MARKET", "COMPLETE")
    assert second.status == "CANCELLED"


def test_api_key_callers_are_refused_with_the_figures(user: Any, account: Any, opt: Any, fake_market: Any) -> None:
    _book(fake_market, 2001, "98.00", "102.00")
    with pytest.raises(errors.WideSpread) as caught:
        _market(user, actor="api_key:abc")
    d = caught.value.details
    assert (d["spread_pct"], d["spread_abs"], d["recommended_limit_price"]) == ("4.0000", "4.00", "100.00")
    # 75 at 102.00 against a mid of 100: 200 bps, ₹150.
    assert (d["impact_bps"], d["estimated_slippage"]) == ("200.00", "150.00")
    assert not Order.objects.filter(user=user).exists()
    # An explicit override, or a LIMIT, goes through.
    assert _market(user, actor="api_key:abc", execution_override=True).status == "COMPLETE"
    limit = _market(user, actor="api_key:abc", order_type="LIMIT", price=d["recommended_limit_price"])
    assert limit.status == "OPEN" and limit.execution_analysis.guard_action == "NOT_GUARDED"


def test_high_impact_uses_the_strategys_limits(user: Any, account: Any, opt: Any, fake_market: Any,
                                               travel_to: Any) -> None:
    clock = travel_to(datetime.now(UTC))  # each order meets a refilled book: the clock moves 10 s between them
    # 0.10 spread (TIGHT); 450 units walk three levels: 150 each at 100.05, 100.10, 100.15: VWAP 100.10 -> 10 bps.
    strategy = Strategy.objects.create(user=user, account=account, name="tight", max_market_impact_bps=8,
                                       require_user_approval_high_impact=False, min_liquidity_score=0)
    order = _market(user, quantity=450, strategy_id=strategy.pk, stop_loss_points="5")  # (risk asks for a stop)
    assert order.status == "COMPLETE"  # the strategy does not ask for approval: sent with an alert
    assert order.execution_analysis.guard == "HIGH_IMPACT" and order.execution_analysis.impact_bps == D("10.00")
    assert Alert.objects.filter(user=user, type="HIGH_IMPACT", links__order_id=order.pk).exists()
    clock.shift(10)
    with pytest.raises(errors.HighImpact) as caught:
        _market(user, quantity=450, strategy_id=strategy.pk, actor="api_key:abc", stop_loss_points="5")
    assert caught.value.details["thresholds"]["max_market_impact_bps"] == "8"
    strategy.max_market_impact_bps = 10  # "over the limit" is strictly over
    strategy.save()
    clock.shift(10)
    again = _market(user, quantity=450, strategy_id=strategy.pk, actor="api_key:abc", stop_loss_points="5")
    assert again.status == "COMPLETE"


def test_exits_and_limit_orders_are_analysed_not_guarded(user: Any, account: Any, opt: Any, fake_market: Any) -> None:
    _book(fake_market, 2001, "98.00", "102.00")
    order = _market(user, order_type="LIMIT", price="99.00")
    a = order.execution_analysis
    assert a.guard == "WIDE_SPREAD" and a.guard_action == "NOT_GUARDED" and order.status == "OPEN"


def test_the_preview_shows_the_guard_and_the_converted_order(user: Any, account: Any, opt: Any,
                                                            fake_market: Any) -> None:
    _book(fake_market, 2001, "99.60", "100.40")
    preview = preview_order(user, instrument_token=2001, transaction_type="BUY", quantity=75, product="NRML",
                            order_type="MARKET")
    finding = next(f for f in preview["findings"] if f["stage"] == "orders.execution")
    assert finding["code"] == "EXECUTION_LIMIT" and finding["details"]["spread_category"] == "WIDE"
    assert (preview["order"]["order_type"], preview["order"]["price"]) == ("LIMIT", D("100.00"))
    assert not OrderExecutionAnalysis.objects.exists()  # a dry run writes nothing


def test_each_fill_records_its_slippage(user: Any, account: Any, opt: Any, fake_market: Any,
                                        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        order = _market(user, quantity=225)  # 150 at 100.05 + 75 at 100.10: VWAP 100.0667
    (row,) = OrderSlippageHistory.objects.filter(order=order)  # one broker update, both trades
    a = order.execution_analysis
    assert row.arrival_price == a.mid == D("100.0000")
    # The paper venue fills a fresh book exactly as the analysis walked it: the fill is the expected VWAP.
    assert row.fill_price == row.expected_price == a.expected_price == D("100.0667")
    # Cost vs the arrival mid: 150 × 0.05 + 75 × 0.10 = ₹15.00; 0.0667 / 100 × 10,000 = 6.67 bps.
    assert (row.slippage_inr, row.slippage_bps, row.vs_expected_bps) == (D("15.00"), D("6.67"), D("0.00"))
    assert (row.quantity, row.lots, row.algorithm, row.order_type) == (225, 3, "NONE", "MARKET")


def test_slippage_sign_for_a_sell() -> None:
    from orders.services.execution import slippage_of

    assert slippage_of("SELL", D(100), D("99.5"), 10) == (D("50.00"), D("5.00"))  # sold below the mid: a cost
    assert slippage_of("BUY", D(100), D("99.5"), 10) == (D("-50.00"), D("-5.00"))  # bought below: a gain


def test_guard_rules_in_order() -> None:
    t = da.DEFAULT_THRESHOLDS

    def book(bid: str, ask: str, qty: int = 1000) -> tuple[tuple[DepthLevel, ...], tuple[DepthLevel, ...]]:
        return (DepthLevel(D(bid), qty, 1),), (DepthLevel(D(ask), qty, 1),)

    def guard(bid: str, ask: str, quantity: int = 10, qty: int = 1000, thresholds: Any = t) -> str:
        b, s = book(bid, ask, qty)
        a = da.analyse_book(b, s, da.OrderIntent("BUY", quantity), tick_size=D("0.05"), thresholds=thresholds)
        return execution.guard_of(a, thresholds).kind

    assert guard("99.95", "100.05") == "NONE"  # 0.1 %
    assert guard("99.60", "100.40") == "WIDE"  # 0.8 %
    assert guard("99.00", "101.00") == "WIDE_SPREAD"  # 2 %
    # 0.8 % spread but the order needs more than the book: liquidity, not spread, is the problem.
    assert guard("99.60", "100.40", quantity=5000, qty=10) == "HIGH_IMPACT"
    # A strategy that trades at most 0.3 % spreads sees 0.8 % as VERY_WIDE.
    assert guard("99.60", "100.40", thresholds=t.for_strategy(max_order_spread_pct=D("0.3"))) == "WIDE_SPREAD"
