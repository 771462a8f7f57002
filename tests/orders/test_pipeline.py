"""The pre-trade pipeline: declared stage order, registered stages from other apps, dry-run/placement parity,
a preview writes and takes nothing, every finding with its stage and time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alerts.models import Alert
from oms_project.lib import pretrade
from oms_project.lib.errors import DomainError
from oms_project.lib.pretrade import OrderIntent, StageResult
from orders import pipeline, rate_limit
from orders.models import Order, OrderEvent
from orders.services import preferences_update
from tests.support.orders import intent_for, place_order, preview_order

pytestmark = pytest.mark.django_db

MARKET = {"instrument_token": 1001, "transaction_type": "BUY", "quantity": 75, "product": "NRML",
          "order_type": "MARKET", "confirm_duplicate": True}  # fmt: skip


class MarginShort(DomainError):
    code = "TEST_MARGIN_SHORT"
    http_status = 409


@pytest.fixture
def extra_stage():
    """Register a stage as a lower app would (by name, no import of orders), and put back what was registered under
    that name before (the real margin.funds, say) afterwards."""
    before: dict[str, Any] = {}

    def add(name: str, stage: Any) -> None:
        before.setdefault(name, pretrade._stages.get(name))
        pretrade.register_stage(name, stage)

    yield add
    for name, stage in before.items():
        if stage is None:
            pretrade._stages.pop(name, None)
        else:
            pretrade._stages[name] = stage


def _written() -> tuple[int, int, int]:
    return Order.objects.count(), OrderEvent.objects.count(), Alert.objects.count()


def test_stages_run_in_the_declared_order(user, account, fut) -> None:
    preview = preview_order(user, **MARKET)
    stages = [f["stage"] for f in preview["findings"]]
    assert stages == [name for name in pipeline.STAGE_ORDER if name in stages]
    assert stages[0] == "orders.replay" and stages[-1] == "orders.rate_slot"
    assert {"orders.validate", "orders.strategy", "orders.near_duplicate"} <= set(stages)
    assert preview["verdict"] == "pass" and preview["would_place"] is True
    assert all(isinstance(f["micros"], int) and f["micros"] >= 0 for f in preview["findings"])
    assert preview["micros"] == sum(f["micros"] for f in preview["findings"])


def test_a_lower_apps_stage_runs_where_the_order_places_it_and_denies_placement(
    user, account, fut, extra_stage
) -> None:
    seen: list[str] = []

    def margin_funds(intent: OrderIntent, ctx: pretrade.PretradeContext) -> StageResult:
        seen.append(ctx.instrument.tradingsymbol)
        if intent.quantity > 75:
            raise MarginShort("Not enough margin.", details={"required": "1000"})
        return pretrade.PASS

    extra_stage("margin.funds", margin_funds)
    stages = [f["stage"] for f in preview_order(user, **MARKET)["findings"]]
    assert stages.index("orders.near_duplicate") < stages.index("margin.funds") < stages.index("orders.rate_slot")

    before = _written()
    with pytest.raises(MarginShort):
        place_order(user, **{**MARKET, "quantity": 150})
    assert _written() == before  # a denial writes nothing
    assert place_order(user, **MARKET).status == "COMPLETE"
    assert seen == ["NIFTY26DECFUT"] * 3


def test_a_registered_stage_missing_from_the_declared_order_is_reported(extra_stage) -> None:
    from oms_project.checks import pretrade_stage_checks

    assert pretrade_stage_checks() == []
    extra_stage("risk.not_declared", lambda intent, ctx: pretrade.PASS)
    [problem] = pretrade_stage_checks()
    assert problem.id == "oms.E002" and "risk.not_declared" in problem.msg


def test_preview_writes_nothing_and_takes_no_rate_slot(user, account, fut, travel_to) -> None:
    travel_to("2026-12-02 11:00 IST")  # slots are counted per calendar second: keep the test inside one
    cache.clear()
    before = _written()
    slots = rate_limit.slots_left(account.pk)
    for _ in range(3):
        assert preview_order(user, **MARKET)["verdict"] == "pass"
    assert _written() == before
    assert rate_limit.slots_left(account.pk) == slots
    place_order(user, **MARKET)
    assert rate_limit.slots_left(account.pk) == slots - 1  # placement takes one


def test_preview_reports_every_finding_placement_stops_at_the_first(user, account, fut) -> None:
    bad = {**MARKET, "order_type": "LIMIT", "price": "24000.03", "strategy_id": 999}
    preview = preview_order(user, **bad)
    denies = [(f["stage"], f["code"]) for f in preview["findings"] if f["outcome"] == "deny"]
    assert denies == [("orders.validate", "TICK_SIZE_MISMATCH"), ("orders.strategy", "STRATEGY_NOT_FOUND")]
    assert preview["verdict"] == "deny" and preview["would_place"] is False
    with pytest.raises(DomainError) as refused:
        place_order(user, **bad)
    assert refused.value.code == "TICK_SIZE_MISMATCH"


def test_slicing_is_an_amendment_the_preview_shows(user, account, make_instrument, fake_market) -> None:
    inst = make_instrument(token=2002, symbol="NIFTY26DECFUT2", lot=75, freeze=1800)
    fake_market.set(inst.instrument_token, "24000", level_qty=5000)
    account.paper_capital = D("1e9")  # 30 lots' margin is not the subject here (margin.* would find it otherwise)
    account.save()
    body = {**MARKET, "instrument_token": 2002, "quantity": 75 * 30}
    refused = preview_order(user, **body)
    assert refused["verdict"] == "deny"
    assert [f["code"] for f in refused["findings"] if f["outcome"] == "deny"] == ["FREEZE_QUANTITY_EXCEEDED"]
    sliced = preview_order(user, **body, auto_slice=True)
    [amend] = [f for f in sliced["findings"] if f["outcome"] == "amend"]
    assert amend["stage"] == "orders.validate" and amend["code"] == "SLICED"
    assert sliced["order"]["slices"] == [1800, 450]
    order = place_order(user, **body, auto_slice=True)
    assert sorted(Order.objects.filter(parent=order, role="SLICE").values_list("quantity", flat=True)) == [450, 1800]


def test_the_slicing_preference_applies_above_the_freeze_limit_and_is_read_only_then(  # noqa: ANN001
    user, account, make_instrument, fake_market
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inst = make_instrument(token=2003, symbol="NIFTY26DECFUT3", lot=75, freeze=1800)
    fake_market.set(inst.instrument_token, "24000", level_qty=5000)
    account.paper_capital = D("1e9")
    account.save()
    preferences_update(user=user, auto_slice=True)  # the trader slices by default: no auto_slice in the order
    body = {**MARKET, "instrument_token": 2003}
    order = place_order(user, **{**body, "quantity": 75 * 30})
    assert sorted(Order.objects.filter(parent=order, role="SLICE").values_list("quantity", flat=True)) == [450, 1800]
    with CaptureQueriesContext(connection) as ctx:
        small = preview_order(user, **body)
    assert small["order"]["slices"] == [75]
    assert not [q for q in ctx.captured_queries if "orders_orderpreferences" in q["sql"]]


def test_park_and_replay_agree_between_preview_and_placement(user, account, fut) -> None:
    preferences_update(user=user, duplicate_action="CONFIRM")
    first = {**MARKET, "confirm_duplicate": False}
    place_order(user, **first)
    preview = preview_order(user, **first)
    assert preview["verdict"] == "park" and preview["would_place"] is True
    assert [f["code"] for f in preview["findings"] if f["outcome"] == "park"] == ["DUPLICATE_NEEDS_APPROVAL"]
    assert place_order(user, **first).status == "PENDING_APPROVAL"

    keyed = {**MARKET, "client_order_id": "bot-1"}
    original = place_order(user, **keyed)
    again = preview_order(user, **keyed)
    assert again["verdict"] == "replay" and again["findings"][-1]["details"] == {"order_id": original.pk}
    assert place_order(user, **keyed).pk == original.pk
    changed = preview_order(user, **{**keyed, "quantity": 150})
    assert changed["verdict"] == "deny" and changed["findings"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"


ORDER_TYPES = st.sampled_from(["MARKET", "LIMIT", "SL", "SL-M"])
# Most examples are valid tickets, so that placement runs every stage and the venue fills, rests or parks them;
# the rest carry one defect each, which validation must refuse the same way in both.
TICKET_DEFECTS = st.sampled_from([None] * 6 + ["off_grid", "odd_lot", "cnc", "stray_trigger", "no_trigger"])
_EXAMPLE_SECONDS = itertools.count(1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order_type=ORDER_TYPES,
    side=st.sampled_from(["BUY", "SELL"]),
    lots=st.integers(min_value=1, max_value=30),
    price_ticks=st.integers(min_value=-2000, max_value=2000),
    trigger_ticks=st.integers(min_value=-200, max_value=200),
    product=st.sampled_from(["NRML", "MIS"]),
    auto_slice=st.booleans(),
    defect=TICKET_DEFECTS,
)
def test_preview_and_placement_never_disagree(
    user, account, fut, order_type, side, lots, price_ticks, trigger_ticks, product, auto_slice, defect
) -> None:
    # The examples share one account and its growing positions: funds far beyond them, so margin stays far from
    # its thresholds (a utilisation near 90% would make the outcome depend on the minute's risk arrays).
    account.paper_capital = D("1e12")
    account.save(update_fields=["paper_capital"])
    body: dict[str, Any] = {
        "instrument_token": 1001,
        "transaction_type": side,
        "quantity": 7 if defect == "odd_lot" else lots * fut.lot_size,
        "product": "CNC" if defect == "cnc" else product,
        "order_type": order_type,
        "confirm_duplicate": True,
        "auto_slice": auto_slice,
    }
    if order_type in ("LIMIT", "SL"):
        body["price"] = D("24000") + D("0.05") * price_ticks + (D("0.01") if defect == "off_grid" else 0)
    wants_trigger = order_type in ("SL", "SL-M")
    if wants_trigger != (defect in ("stray_trigger", "no_trigger")):
        body["trigger_price"] = D("24000") + D("0.05") * trigger_ticks
    # Parity is for the same intent in the same world. The world moves with the clock (the paper venue gives
    # back the depth earlier fills used up, second by second; rate slots are per second), so each example holds
    # still at an instant of its own: on a slow SQLite run a preview and a placement a second apart saw two
    # books and rightly answered differently. Its own second, too: a still clock never reaches the next second
    # a full rate slot would wait for.
    instant = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=next(_EXAMPLE_SECONDS))
    with time_machine.travel(instant, tick=False):
        preview = preview_order(user, **body)
        first_deny = next((f for f in preview["findings"] if f["outcome"] == "deny"), None)
        before = Order.objects.count()
        try:
            order = place_order(user, **body)
        except DomainError as exc:
            event(f"refused {exc.code}")
            assert preview["verdict"] == "deny", (body, exc.code)
            assert first_deny is not None and first_deny["code"] == exc.code
            assert Order.objects.count() == before
            return
    event(f"placed, preview {preview['verdict']}")
    # A parked preview (near-duplicate, the execution guard) is a placement that parks for approval.
    expected = "park" if order.status == "PENDING_APPROVAL" else "pass"
    assert preview["verdict"] == expected, (body, order.status, preview["findings"])
    assert order.quantity == preview["order"]["quantity"]
    assert order.order_type == preview["order"]["order_type"]
    assert Order.objects.filter(pk=order.pk, parent__isnull=True).exists()


def test_preview_api_answers_the_findings_and_refuses_unknown_fields(api, account, fut) -> None:
    r = api.post("/api/v1/orders/preview/", {**MARKET, "order_type": "LIMIT", "price": "24000.03"}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["verdict"] == "deny" and body["order"]["quantity"] == 75
    deny = next(f for f in body["findings"] if f["outcome"] == "deny")
    assert deny["stage"] == "orders.validate" and deny["code"] == "TICK_SIZE_MISMATCH" and deny["message"]
    assert Order.objects.count() == 0
    unknown = api.post("/api/v1/orders/preview/", {**MARKET, "account": 3}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "UNKNOWN_FIELD"
    ok = api.post("/api/v1/orders/preview/", MARKET, format="json").json()
    assert ok["verdict"] == "pass" and ok["order"]["market_protection"] == -1 and ok["order"]["slices"] == [75]


def test_preview_is_scoped_to_the_owner(api, other_api, account, other_account, fut) -> None:
    mine = api.post("/api/v1/orders/preview/", {**MARKET, "account_id": other_account.pk}, format="json")
    assert mine.status_code == 404 and mine.json()["error"]["code"] == "ACCOUNT_NOT_FOUND"


def test_from_fields_refuses_a_field_it_does_not_know(user) -> None:
    with pytest.raises(TypeError):
        intent_for(user, **MARKET, acount_id=3)
