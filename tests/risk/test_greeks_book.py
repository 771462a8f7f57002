"""Greeks of a real paper book: per position/strategy/underlying/account, the API, the 5-minute snapshots
(market hours only) and the correlated exposure; liquidity-based sizing through the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest

from marketdata import selectors as md
from portfolio.models import Strategy
from risk import greeks, greeks_book
from risk.models import StrategyGreeksSnapshot
from risk.monitor import years_to_expiry

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

SESSION = "2026-12-01 11:00 IST"
AT = datetime.fromisoformat("2026-12-01T11:00:00+05:30")


@pytest.fixture
def book(travel_to, user, account, fut, make_instrument, fake_market, place):  # noqa: ANN001
    travel_to(SESSION, tick=True)
    spot = float(md.spot_for("NIFTY", AT))
    strike = round(spot / 100) * 100
    opt = make_instrument(2001, "NIFTY26DECCALL", type_="CE", strike=str(strike), lot=75)
    years = years_to_expiry(opt.expiry, AT)
    price = greeks.black76_price(True, spot, strike, years, 0.15, 0.0)
    fake_market.set(opt.instrument_token, f"{price:.2f}")
    s = Strategy.objects.create(user=user, account=account, name="calls")
    place(instrument_token=opt.instrument_token, strategy_id=s.pk, order_type="MARKET")
    place()  # a future, no strategy
    return {"opt": opt, "strategy": s, "spot": spot, "strike": strike, "years": years}


def test_greeks_view_aggregates_per_strategy_underlying_and_account(user, book):  # noqa: ANN001
    view = greeks_book.greeks_view(user=user, at=AT)
    by_strategy = {r["strategy_id"]: r for r in view["by_strategy"]}
    call = by_strategy[book["strategy"].pk]
    pos = next(p for p in view["positions"] if p["strategy_id"] == book["strategy"].pk)
    mark = float(D(str(pos["premium_inr"])) / 75)
    iv = greeks.implied_volatility(mark, True, book["spot"], book["strike"], book["years"], 0.0).vol
    want = greeks.position_greeks(
        greeks.PositionInput("CE", 75, book["spot"], book["years"], iv, strike=book["strike"])
    )
    assert float(call["delta_inr"]) == pytest.approx(want.delta_inr, abs=0.01)
    assert float(call["vega_inr"]) == pytest.approx(want.vega_inr, abs=0.01) and want.vega_inr > 0
    fut_row = by_strategy[None]
    assert float(fut_row["vega_inr"]) == 0 and float(fut_row["delta_inr"]) > 0
    nifty = next(u for u in view["by_underlying"] if u["underlying"] == "NIFTY")
    assert float(nifty["delta_units"]) == pytest.approx(75 + want.delta_units, abs=1e-3)
    assert float(view["account"]["delta_inr"]) == pytest.approx(
        float(call["delta_inr"]) + float(fut_row["delta_inr"]), abs=0.02
    )
    corr = view["correlation"]
    i, j = corr["names"].index("NIFTY"), corr["names"].index("BANKNIFTY")
    assert corr["matrix"][i][i] == 1.0 and -1 <= corr["matrix"][i][j] <= 1
    assert float(corr["gross_inr"]) == pytest.approx(abs(float(nifty["delta_inr"])), abs=0.02)


def test_snapshots_every_five_minutes_in_market_hours_only(user, account, book):  # noqa: ANN001
    assert greeks_book.greeks_snapshots_due(now=AT) == 2  # the strategy and the positions without one
    assert greeks_book.greeks_snapshots_due(now=AT + timedelta(minutes=2)) == 0  # the same slot
    assert greeks_book.greeks_snapshots_due(now=AT + timedelta(minutes=5)) == 2
    closed = datetime.fromisoformat("2026-12-01T15:31:00+05:30")
    assert greeks_book.greeks_snapshots_due(now=closed) == 0
    saturday = datetime.fromisoformat("2026-12-05T11:00:00+05:30")
    assert greeks_book.greeks_snapshots_due(now=saturday) == 0
    snap = StrategyGreeksSnapshot.objects.filter(strategy=book["strategy"]).first()
    assert snap._meta.db_table == "strategy_greeks_snapshots" and snap.vega_inr > 0 and "NIFTY" in snap.by_underlying
    view = greeks_book.greeks_view(user=user, at=AT + timedelta(minutes=6))
    assert len(view["snapshots"]) == 4


def test_greeks_and_sizing_api(api, user, book, other_user, api_client_for):  # noqa: ANN001
    r = api.get("/api/v1/risk/greeks/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert {s["strategy_id"] for s in body["by_strategy"]} == {book["strategy"].pk, None}
    assert api.get("/api/v1/risk/greeks/", {"account_id": "x"}).status_code == 400
    mine = body["account_id"]
    assert api_client_for(other_user).get("/api/v1/risk/greeks/", {"account_id": mine}).status_code == 404
    r = api.get("/api/v1/risk/sizing/", {"instrument_token": book["opt"].instrument_token, "stop_distance": "20"})
    assert r.status_code == 200, r.content
    s = r.json()
    assert s["lots"] == min(s["by_constraint"].values()) and s["binding"] in s["by_constraint"]
    assert "risk" in s["by_constraint"]
    assert api.get("/api/v1/risk/sizing/").status_code == 400  # instrument_token is required


def test_greeks_dashboard_renders_the_tables_the_chart_data_and_the_reducing_status(client, user, account, book):  # noqa: ANN001
    import json

    from risk.models import RiskStatus

    client.force_login(user)
    empty = client.get("/risk/greeks/").content.decode()
    assert 'data-testid="greeks-chart-empty"' in empty and "calls" in empty
    greeks_book.greeks_snapshots_due(now=AT)
    RiskStatus.objects.create(
        account=account, status="REDUCING", code="RISK_GREEKS", reason="vega over", trading_day=AT.date()
    )
    html = client.get("/risk/greeks/").content.decode()
    assert 'data-testid="greeks-chart"' in html and "chart.umd.min.js" in html and "risk_greeks.js" in html
    start = html.index('id="greeks-chart-data"')
    data = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    total_delta = sum(float(s.delta_inr) for s in StrategyGreeksSnapshot.objects.filter(account=account))
    assert len(data["labels"]) == 1 and float(data["delta"][0]) == pytest.approx(total_delta, abs=0.05)
    assert 'data-testid="risk-status"' in html and "vega over" in html
    assert 'data-testid="correlation-matrix"' in html


def test_admin_lists_the_monitor_tables(admin_client, book):  # noqa: ANN001
    greeks_book.greeks_snapshots_due(now=AT)
    for model in ("positionguardconfig", "riskstatus", "positionguardhit", "strategygreekssnapshot"):
        r = admin_client.get(f"/admin/risk/{model}/")
        assert r.status_code == 200, model
    assert "calls" in admin_client.get("/admin/risk/strategygreekssnapshot/").content.decode()
