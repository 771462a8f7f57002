"""risk.limits through the real pipeline: the preview shows the refusal (stage, code, limit/value/headroom) and
placement refuses with the same code; a reducing order passes; per-account and per-strategy configuration,
the conservative preset's stop-loss rule, the ban list, the limits API and the summary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from portfolio.services import strategy_create
from risk import errors, services
from risk.models import FnoBan
from tests.support.orders import preview_order

pytestmark = [pytest.mark.django_db, pytest.mark.risk_limits]

ORDER = dict(
    transaction_type="BUY",
    quantity=75,
    product="NRML",
    order_type="MARKET",
    instrument_token=1001,
    confirm_duplicate=True,
)


def _finding(preview, stage="risk.limits"):  # noqa: ANN001, ANN202
    return next(f for f in preview["findings"] if f["stage"] == stage)


def _refused(user, place, code, **kw):  # noqa: ANN001, ANN003, ANN202
    fields = {**ORDER, **kw}
    preview = preview_order(user, **fields)
    finding = _finding(preview)
    assert preview["verdict"] == "deny" and finding["code"] == code, preview["findings"]
    assert {"limit", "value", "headroom", "limit_name"} <= set(finding["details"])
    with pytest.raises(errors.RiskLimitBreached) as exc:
        place(**kw)
    assert exc.value.code == code and exc.value.http_status == 422
    return finding


def test_price_sanity_refuses_in_preview_and_placement(user, account, fut, place):
    finding = _refused(user, place, "RISK_PRICE_DEVIATION", order_type="LIMIT", price=D("20000"))
    assert finding["details"]["limit"] == "10" and "16.67%" in finding["message"]
    assert place(order_type="LIMIT", price=D("23000")).status == "OPEN"  # 4.2% away


def test_account_configuration_and_switching_off(user, account, fut, place):
    services.limits_update(user=user, overrides={"orders_per_minute": {"max": 2}})
    place()
    place()
    _refused(user, place, "RISK_ORDER_RATE")
    services.limits_update(user=user, overrides={"orders_per_minute": {"enabled": False}})
    assert place().status == "COMPLETE"


def test_pending_orders_counts_the_instruments_working_orders(user, account, fut, place, make_instrument, fake_market):
    services.limits_update(user=user, overrides={"pending_orders": {"max": 2}})
    for price in ("23500", "23490"):
        assert place(order_type="LIMIT", price=D(price)).status == "OPEN"
    finding = _refused(user, place, "RISK_PENDING_ORDERS", order_type="LIMIT", price=D("23480"))
    assert finding["details"]["value"] == 3  # the two working here + this one
    other = make_instrument(2002, "BANKNIFTY26DECFUT", lot=30)
    fake_market.set(other.instrument_token, "52000")
    assert place(instrument_token=other.instrument_token, quantity=30).status == "COMPLETE"  # another instrument


def test_open_positions_limit_passes_a_reducing_order(user, account, fut, place, make_instrument, fake_market):
    services.limits_update(user=user, overrides={"open_positions": {"max": 1}})
    place()  # one open position
    other = make_instrument(2002, "BANKNIFTY26DECFUT", lot=30)
    fake_market.set(other.instrument_token, "52000")
    _refused(user, place, "RISK_OPEN_POSITIONS", instrument_token=other.instrument_token, quantity=30)
    preview = preview_order(user, **{**ORDER, "transaction_type": "SELL"})  # reduces the open one
    assert preview["verdict"] == "pass" and _finding(preview)["code"] == "RISK_REDUCING"
    assert place(transaction_type="SELL").status == "COMPLETE"


def test_conservative_strategy_requires_a_stop_and_checks_reward_risk(user, account, fut, place):
    strategy = strategy_create(user=user, name="careful", preset="conservative")
    loose = strategy_create(user=user, name="loose", preset="aggressive")
    _refused(user, place, "RISK_STOP_LOSS_REQUIRED", strategy_id=strategy.pk)
    assert place(strategy_id=loose.pk).status == "COMPLETE"  # the aggressive preset does not require one
    _refused(
        user,
        place,
        "RISK_REWARD_RATIO",
        strategy_id=strategy.pk,
        order_type="LIMIT",
        price=D("24000"),
        stop_loss_points=D("20"),
        target_points=D("30"),
    )
    ok = place(
        strategy_id=strategy.pk, order_type="LIMIT", price=D("23990"), stop_loss_points=D("20"), target_points=D("40")
    )
    assert ok.status in ("OPEN", "COMPLETE")
    # The strategy's own override beats its preset.
    services.limits_update(user=user, strategy_id=strategy.pk, overrides={"stop_loss_required": {"enabled": False}})
    assert place(strategy_id=strategy.pk, quantity=150).status == "COMPLETE"


def test_risk_per_trade_from_the_stop_distance(user, account, fut, place):
    # 2% of ₹1 crore = ₹2 lakh; 750 units with a 300-point stop risk ₹2.25 lakh.
    finding = _refused(
        user,
        place,
        "RISK_PER_TRADE",
        order_type="LIMIT",
        price=D("24000"),
        quantity=750,
        stop_loss_points=D("300"),
        target_points=D("900"),
    )
    assert D(finding["details"]["value"]) == D("225000.00") and D(finding["details"]["headroom"]) == D("-25000.00")


def test_fno_ban_accepts_only_reducing_orders(user, account, fut, place):
    place()
    FnoBan.objects.create(underlying="NIFTY", trade_date=timezone.localdate())
    _refused(user, place, "RISK_FNO_BAN")
    assert place(transaction_type="SELL").status == "COMPLETE"
    FnoBan.objects.filter(trade_date=timezone.localdate()).update(trade_date=timezone.localdate() - timedelta(days=1))
    assert place().status == "COMPLETE"


def test_daily_loss_refuses_new_risk_and_the_breach_engages_the_kill_switch(
    user, account, fut, place, fake_market, django_capture_on_commit_callbacks
):
    services.limits_update(user=user, overrides={"daily_loss": {"pct": "0.1"}})  # ₹10,000 of ₹1 crore
    place(quantity=150)
    fake_market.set(fut.instrument_token, "23900")  # -₹15,000 unrealised
    finding = _refused(user, place, "RISK_DAILY_LOSS")
    assert D(finding["details"]["limit"]) == D("10000.00") and D(finding["details"]["value"]) >= D("15000")
    # The next fill makes risk look at the account: the breach engages the account's kill switch.
    from risk import selectors

    monkey_marks = {fut.instrument_token: D("23900")}
    selectors_marks = selectors._marks
    selectors._marks = lambda positions, instruments=None: (
        monkey_marks
    )  # the simulator's price is not the test market's
    try:
        with django_capture_on_commit_callbacks(execute=True):
            place(transaction_type="SELL", quantity=75)
    finally:
        selectors._marks = selectors_marks
    view = selectors.kill_switch_view(user=user, account=account)
    assert view["engaged"] and view["engaged_by"] == "AUTO" and "RISK_DAILY_LOSS" in view["reason"]


def test_limits_api(api, other_api, user, account, fut):
    body = api.get("/api/v1/risk/limits/").json()
    assert body["limits"]["daily_loss"]["pct"] == "6" and body["limits"]["open_positions"]["max"] == 5
    assert {c["code"] for c in body["catalogue"]} >= {"RISK_DAILY_LOSS", "RISK_FNO_BAN", "RISK_FAT_FINGER"}
    r = api.put("/api/v1/risk/limits/", {"limits": {"daily_loss": {"pct": "4"}}}, format="json")
    assert r.status_code == 200 and r.json()["limits"]["daily_loss"]["pct"] == "4"
    assert r.json()["overrides"] == {"daily_loss": {"pct": "4"}}
    bad = api.put("/api/v1/risk/limits/", {"limits": {"daily_los": {"pct": "4"}}}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "UNKNOWN_FIELD"  # the body is typed per limit
    with pytest.raises(errors.RiskLimitsInvalid):  # the service refuses it too (pages, admin, tasks)
        services.limits_update(user=user, overrides={"daily_los": {"pct": "4"}})
    assert api.put("/api/v1/risk/limits/", {"limits": {}, "extra": 1}, format="json").json()["error"]["code"] == (
        "UNKNOWN_FIELD"
    )
    assert other_api.get(f"/api/v1/risk/limits/?account_id={account.pk}").status_code == 404
    s = strategy_create(user=user, name="s1", preset="conservative")
    body = api.get(f"/api/v1/risk/limits/?strategy_id={s.pk}").json()
    assert body["limits"]["stop_loss_required"]["enabled"] is True and body["limits"]["daily_loss"]["pct"] == "4"
    assert other_api.get(f"/api/v1/risk/limits/?strategy_id={s.pk}").status_code == 404


def test_summary_api(api, user, account, fut, place, fake_market):
    place()
    summary = api.get("/api/v1/risk/summary/").json()
    assert D(summary["capital"]) == D("10000000.00")
    rows = {r["limit_name"]: r for r in summary["limits"]}
    assert rows["open_positions"]["value"] == 1 and rows["open_positions"]["headroom"] == 4
    assert D(rows["daily_loss"]["limit"]) == D("600000.00")
    assert D(rows["daily_loss"]["headroom"]) == D(rows["daily_loss"]["limit"]) - D(rows["daily_loss"]["value"])
    assert summary["kill_switch"]["state"] == "ACTIVE"


def test_greeks_after_the_order(user, account, fut, place, make_instrument, fake_market):
    services.limits_update(user=user, overrides={"greeks": {"enabled": True, "max_delta_inr": "1000000"}})
    finding = _refused(user, place, "RISK_GREEKS")  # one NIFTY lot is ~₹18 lakh of delta
    assert D(finding["details"]["value"]) > D("1000000")
    services.limits_update(user=user, overrides={"greeks": {"max_delta_inr": "100000000", "max_vega_inr": "1"}})
    from marketdata.selectors import spot_for

    strike = (spot_for("NIFTY") / 50).quantize(D("1")) * 50 + 1000  # out of the money: the mid has an IV
    call = make_instrument(3003, f"NIFTY26DEC{strike}CE", type_="CE", strike=str(strike), freeze=1800)
    fake_market.set(call.instrument_token, "100")
    finding = _refused(user, place, "RISK_GREEKS", instrument_token=call.instrument_token)
    assert "vega" in finding["message"] and D(finding["details"]["value"]) > 1


def test_the_account_day_read_is_one_query_with_every_fact(user, account, django_assert_num_queries) -> None:  # noqa: ANN001
    from datetime import date

    from portfolio.models import Strategy
    from risk.models import AccountRiskDay, RiskLimitConfig, RiskStatus
    from risk.selectors import account_day_read

    day, other_day = date(2026, 12, 2), date(2026, 12, 3)
    strategy = Strategy.objects.create(user=user, account=account, name="s")
    other = Strategy.objects.create(user=user, account=account, name="other")
    RiskLimitConfig.objects.create(account=account, overrides={"daily_loss": {"pct": "2"}})
    RiskLimitConfig.objects.create(strategy=strategy, overrides={"max_lots": {"max": 4}})
    RiskLimitConfig.objects.create(strategy=other, overrides={"max_lots": {"max": 9}})
    AccountRiskDay.objects.create(account=account, trading_day=day, peak_equity=D("1250000.50"))
    FnoBan.objects.create(underlying="NIFTY", trade_date=day)
    status = RiskStatus.objects.create(account=account, strategy=strategy, status="REDUCING", trading_day=day)
    with django_assert_num_queries(1):
        read = account_day_read(account_id=account.pk, strategy_id=strategy.pk, day=day, underlying="NIFTY")
    assert read.account_overrides == {"daily_loss": {"pct": "2"}} and read.strategy_overrides == {
        "max_lots": {"max": 4}
    }
    assert (read.peak_equity, read.in_ban, read.reducing_status_id) == (D("1250000.50"), True, status.pk)
    plain = account_day_read(account_id=account.pk, strategy_id=None, day=other_day, underlying="BANKNIFTY")
    assert (plain.strategy_overrides, plain.peak_equity, plain.in_ban, plain.reducing_status_id) == (
        {},
        None,
        False,
        None,
    )
    assert account_day_read(account_id=account.pk, strategy_id=other.pk, day=day, underlying="").in_ban is False
