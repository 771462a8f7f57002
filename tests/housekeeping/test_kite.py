"""Against the local Kite sandbox through the real kiteconnect client: broker health pauses and resumes
placement (stage housekeeping.broker_health, BROKER_PAUSED), the order-state sync finds a fill no postback
delivered, and data reconciliation finds a position placed outside the OMS and adopts it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.services import kite_session_store
from alerts.models import Alert
from devtools.kite_sandbox.app import Fault
from housekeeping.models import BrokerHealth, HousekeepingEvent, Mismatch
from housekeeping.services import broker_health, reconciliation
from marketdata.models import Instrument
from oms_project.lib.brokers import BrokerOrderRequest
from orders.models import Order
from portfolio.models import Position
from tests.kite.conftest import API_KEY, kite_account, postbacks, sandbox, venue  # noqa: F401 - fixtures
from tests.support.orders import place_order, preview_order

pytestmark = pytest.mark.dates

SYMBOL, TOKEN = "NIFTY26DEC26000CE", 12073986


@pytest.fixture(autouse=True)
def _pinned(travel_to):
    travel_to("2026-12-02 11:00 IST", tick=True)


@pytest.fixture
def option(db):
    return Instrument.objects.create(
        instrument_token=TOKEN, exchange_token=47164, tradingsymbol=SYMBOL, name="NIFTY", tick_size=D("0.05"),
        lot_size=65, instrument_type="CE", segment="NFO-OPT", exchange="NFO", strike=D("26000"),
        expiry="2026-12-29", last_price=D("120.5"), freeze_quantity=1800, source="demo",
    )  # fmt: skip


def _outside_order(venue, qty=65, side="BUY"):
    """An order placed from Kite's own app: the venue knows it, the OMS does not."""
    return venue.place_order(BrokerOrderRequest(
        tag="", exchange="NFO", tradingsymbol=SYMBOL, instrument_token=0, transaction_type=side,
        quantity=qty, product="NRML", order_type="MARKET"))  # fmt: skip


def test_broker_health_pauses_placement_and_resumes(user, kite_account, sandbox, venue, option, run_job):
    venue.set_price("NFO", SYMBOL, D("120.50"))
    ev = run_job("broker_health")
    h = BrokerHealth.objects.get(account=kite_account)
    assert ev.did["healthy"] == [kite_account.pk] and h.healthy and not h.paused and h.latency_ms is not None
    sandbox.inject_fault(Fault(route="orders", mode="error", status=503, count=2))  # the check and its retry
    ev = run_job("broker_health")
    h.refresh_from_db()
    assert ev.status == HousekeepingEvent.Status.ERROR and h.paused and not h.reachable
    assert Alert.objects.filter(user=user, type="BROKER_DOWN").count() == 1
    preview = preview_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                            quantity=65, product="NRML", order_type="MARKET")  # fmt: skip
    finding = next(f for f in preview["findings"] if f["stage"] == "housekeeping.broker_health")
    assert finding["code"] == "BROKER_PAUSED"
    with pytest.raises(Exception) as refused:
        place_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                    quantity=65, product="NRML", order_type="MARKET")  # fmt: skip
    assert getattr(refused.value, "code", "") == "BROKER_PAUSED"
    assert not Order.objects.filter(account=kite_account).exists()
    run_job("broker_health")  # the fault is gone: healthy again
    h.refresh_from_db()
    assert h.healthy and not h.paused
    assert Alert.objects.filter(user=user, title="Broker back").count() == 1
    order = place_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                        quantity=65, product="NRML", order_type="MARKET")  # fmt: skip
    assert order.broker_order_id


def test_an_expired_token_pauses_until_the_next_login(user, kite_account, sandbox, run_job):
    sandbox.expire_sessions()
    run_job("broker_health")
    h = BrokerHealth.objects.get(account=kite_account)
    assert h.paused and not h.token_valid and "log in" in h.reason
    kite_session_store(user=user, account_id=kite_account.pk, access_token=sandbox.issue_access_token(API_KEY))
    run_job("broker_health")
    h.refresh_from_db()
    assert h.healthy and not h.paused


def test_order_state_sync_finds_a_fill_no_postback_delivered(user, kite_account, venue, option, run_job, postbacks):
    venue.set_price("NFO", SYMBOL, D("120.50"))
    order = place_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                        quantity=65, product="NRML", order_type="MARKET")  # fmt: skip
    order.refresh_from_db()
    assert order.status in ("SUBMITTED", "OPEN") and order.filled_quantity == 0  # the postback never arrived
    ev = run_job("order_state_sync")
    assert ev.did["updated"] == [order.pk]
    order.refresh_from_db()
    assert order.status == "COMPLETE" and order.filled_quantity == 65
    assert Position.objects.get(account=kite_account).quantity == 65
    assert run_job("order_state_sync") is None  # nothing left to poll: a quiet run is not logged


def test_order_state_sync_leaves_accounts_whose_stream_is_up(user, kite_account, venue, option, run_job):
    from orders.stream_status import stream_mark

    venue.set_price("NFO", SYMBOL, D("120.50"))
    order = place_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                        quantity=65, product="NRML", order_type="MARKET")  # fmt: skip
    stream_mark(kite_account.pk, True)
    assert run_job("order_state_sync") is None
    order.refresh_from_db()
    assert order.filled_quantity == 0
    stream_mark(kite_account.pk, False)


def test_reconciliation_finds_a_position_placed_outside_the_oms_and_adopts_it(user, kite_account, venue, option,
                                                                              run_job):  # fmt: skip
    venue.set_price("NFO", SYMBOL, D("120.50"))
    broker_id = _outside_order(venue)
    ev = run_job("data_reconciliation")
    assert ev.looked_at["broker_positions"] == 1 and ev.did["new_mismatches"] == [{"account": kite_account.pk,
                                                                                  "count": 2}]  # fmt: skip
    rows = {m.kind: m for m in Mismatch.objects.filter(account=kite_account, state="OPEN")}
    assert set(rows) == {"MISSING_POSITION", "UNKNOWN_ORDER"}
    missing = rows["MISSING_POSITION"]
    assert missing.internal == {} and missing.broker["quantity"] == 65 and missing.broker["average_price"] == "120.50"
    assert rows["UNKNOWN_ORDER"].broker["order_id"] == broker_id
    assert Alert.objects.filter(user=user, title="Broker reconciliation").count() == 1
    run_job("data_reconciliation")  # a rerun: the same two rows, no new alert
    assert Mismatch.objects.filter(account=kite_account).count() == 2
    assert Alert.objects.filter(user=user, title="Broker reconciliation").count() == 1

    resolved = reconciliation.mismatch_adopt(mismatch_id=missing.pk, actor="user:ops")
    assert resolved.state == "RESOLVED" and resolved.resolved_by == "user:ops" and broker_id in resolved.resolution
    adopted = Order.objects.get(account=kite_account, broker_order_id=broker_id)
    assert adopted.status == "COMPLETE" and adopted.filled_quantity == 65
    assert adopted.events.first().actor == "user:ops" and "outside the OMS" in adopted.events.first().reason
    assert Position.objects.get(account=kite_account, instrument_token=TOKEN).quantity == 65
    assert HousekeepingEvent.objects.filter(job="reconcile_adopt", actor="user:ops").exists()
    run_job("data_reconciliation")
    assert not Mismatch.objects.filter(account=kite_account, state="OPEN").exists()


def test_a_position_difference_no_order_explains_is_booked_as_an_adjustment(user, kite_account, venue, option,
                                                                            run_job):  # fmt: skip
    venue.set_price("NFO", SYMBOL, D("120.50"))
    place_order(user, account_id=kite_account.pk, instrument_token=TOKEN, transaction_type="BUY",
                quantity=130, product="NRML", order_type="MARKET")  # fmt: skip
    run_job("order_state_sync")
    _outside_order(venue, qty=65, side="SELL")  # the broker now holds 65, the OMS 130
    run_job("data_reconciliation")
    qty = Mismatch.objects.get(account=kite_account, kind="QUANTITY_MISMATCH", state="OPEN")
    assert qty.internal["quantity"] == 130 and qty.broker["quantity"] == 65
    unknown = Mismatch.objects.get(account=kite_account, kind="UNKNOWN_ORDER", state="OPEN")
    reconciliation.mismatch_adopt(mismatch_id=qty.pk, actor="user:ops")  # adopts the unknown SELL first
    unknown.refresh_from_db()
    assert unknown.state == "RESOLVED"
    assert Position.objects.get(account=kite_account, instrument_token=TOKEN).quantity == 65


def test_the_stage_never_reads_anything_for_paper_accounts(user, account, fut, django_assert_num_queries):
    from oms_project.lib.pretrade import PASS

    class Ctx:
        pass

    ctx = Ctx()
    ctx.account = account
    with django_assert_num_queries(0):
        assert broker_health.stage_broker_health(None, ctx) is PASS
