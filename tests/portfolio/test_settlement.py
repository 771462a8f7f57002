"""Settlement (issues #9, #10): daily futures M2M at 15:35 IST, final settlement of expired contracts, stock F&O
physical settlement and its notice, open orders on expired contracts cancelled; calendar-aware and idempotent;
the ledger never loses or invents money. Clocks pinned (travel_to); the calendar decides what a day is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal as D
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts.models import Alert
from margin.models import ChargeRate
from marketdata import calendar as mcal
from marketdata import selectors as md
from marketdata.models import Instrument
from orders.services import settlement_day
from portfolio import services, settlement
from portfolio.models import ExpirySettlement, FuturesSettlement, LedgerEntry, Position
from portfolio.positions_math import cash_flow_pnl

pytestmark = [pytest.mark.django_db, pytest.mark.dates]

IST = ZoneInfo("Asia/Kolkata")
DAY1 = date(2026, 12, 1)  # Tuesday: a NIFTY weekly expiry (the contracts below expire later)
DAY2 = date(2026, 12, 2)  # Wednesday: a normal trading day
HOLIDAY = date(2026, 12, 25)  # Christmas, an NSE/BSE holiday
EXPIRY = date(2026, 12, 29)  # Tuesday: NIFTY's December monthly expiry


def at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, time(hh, mm), IST)


@dataclass
class Fill:
    trade_id: str
    transaction_type: str
    quantity: int
    price: D
    instrument_token: int
    tradingsymbol: str
    fill_timestamp: datetime
    broker_order_id: str = "B1"
    exchange: str = "NFO"
    product: str = "NRML"


def instrument(
    token: int,
    symbol: str,
    type_: str,
    *,
    name: str = "NIFTY",
    expiry: date = EXPIRY,
    strike: str | None = None,
    exchange: str = "NFO",
    lot: int = 75,
) -> Instrument:
    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=symbol,
        name=name,
        last_price=D("100"),
        expiry=expiry if type_ != "EQ" else None,
        strike=D(strike) if strike else None,
        tick_size=D("0.05"),
        lot_size=lot,
        instrument_type=type_,
        exchange=exchange,
        source="demo",
        segment={"FUT": "NFO-FUT", "CE": "NFO-OPT", "PE": "NFO-OPT"}.get(type_, "NSE"),
    )


@pytest.fixture
def order(fut: Any, place: Any, travel_to: Any) -> Any:
    """An order row to hang direct fills on (it rests: no fill of its own)."""
    travel_to(at(DAY1, 10, 0))
    return place(order_type="LIMIT", price=D("23000"))


@pytest.fixture
def book(account: Any, order: Any) -> Any:
    fills: dict[int, list[tuple[int, D]]] = {}

    def do(inst: Instrument, trade_id: str, side: str, qty: int, price: str, when: datetime) -> Any:
        fill = Fill(
            trade_id,
            side,
            qty,
            D(price),
            inst.instrument_token,
            inst.tradingsymbol,
            when.astimezone(UTC),
            exchange=inst.exchange,
            product="CNC" if inst.instrument_type == "EQ" else "NRML",
        )
        fills.setdefault(inst.instrument_token, []).append((qty if side == "BUY" else -qty, D(price)))
        return services.fill_record(account=account, order=order, fill=fill)

    do.fills = fills
    return do


class Prices:
    """A settlement price per (token, day) that the test sets; None (unpriced) otherwise."""

    def __init__(self) -> None:
        self.by: dict[tuple[int, date], D] = {}

    def __call__(self, account: Any, inst: Any, day: date) -> D | None:
        return self.by.get((inst.instrument_token, day))


def ledger_sum(account: Any, *kinds: str) -> D:
    return sum((e.amount for e in LedgerEntry.objects.filter(account_id=account.pk, kind__in=kinds)), D(0))


# --- daily M2M ----------------------------------------------------------------------------------------
def test_m2m_from_entry_for_a_position_opened_today_and_from_the_previous_settlement_overnight(
    account, book, travel_to
):
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    prices = Prices()
    book(dec, "T1", "BUY", 75, "24000", at(DAY1, 11, 0))
    prices.by[(dec.instrument_token, DAY1)] = D("24010.50")
    run1 = settlement.futures_m2m_settle(day=DAY1, settlement_price=prices)
    s1 = FuturesSettlement.objects.get(pk=run1.settled[0])
    assert (s1.previous_price, s1.settlement_price, s1.m2m_amount) == (D("24000"), D("24010.50"), D("787.50"))
    pos = Position.objects.get(instrument_token=dec.instrument_token)
    assert pos.average_price == D("24010.50") and pos.entry_average_price == D("24000")  # carried; entry kept

    # Day 2: the overnight 75 moves from 24,010.50; 75 more bought mid-day at 23,990 move from their entry.
    book(dec, "T2", "BUY", 75, "23990", at(DAY2, 12, 0))
    pos.refresh_from_db()
    assert pos.entry_average_price == D("23995") and pos.average_price == D("24000.25")
    prices.by[(dec.instrument_token, DAY2)] = D("23980")
    run2 = settlement.futures_m2m_settle(day=DAY2, settlement_price=prices)
    s2 = FuturesSettlement.objects.get(pk=run2.settled[0])
    expected = (D("23980") - D("24010.50")) * 75 + (D("23980") - D("23990")) * 75
    assert s2.m2m_amount == expected == D("-3037.50")
    assert s2.previous_price == D("24000.25") and s2.entry_average_price == D("23995")
    assert ledger_sum(account, "M2M_SETTLEMENT") == s1.m2m_amount + s2.m2m_amount
    pos.refresh_from_db()
    assert pos.m2m_settled == s1.m2m_amount + s2.m2m_amount and pos.average_price == D("23980")


def test_a_rerun_posts_nothing_twice(account, book):
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    book(dec, "T1", "SELL", 150, "24000", at(DAY2, 10, 0))
    prices = Prices()
    prices.by[(dec.instrument_token, DAY2)] = D("24100")
    first = settlement.futures_m2m_settle(day=DAY2, settlement_price=prices)
    again = settlement.futures_m2m_settle(day=DAY2, settlement_price=prices)
    assert len(first.settled) == 1 and again.settled == [] and again.already == 1
    assert FuturesSettlement.objects.count() == 1
    assert ledger_sum(account, "M2M_SETTLEMENT") == D("-15000.00")  # short 150 x (24,100 - 24,000), once


def test_unpriced_and_non_futures_positions_are_left_for_a_rerun(account, book):
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    ce = instrument(5002, "NIFTY26D2924000CE", "CE", strike="24000")
    book(dec, "T1", "BUY", 75, "24000", at(DAY2, 10, 0))
    book(ce, "T2", "BUY", 75, "120", at(DAY2, 10, 0))
    run = settlement.futures_m2m_settle(day=DAY2, settlement_price=Prices())
    assert run.settled == [] and [r for _, r in run.skipped] == ["no settlement price"]
    assert not LedgerEntry.objects.filter(kind="M2M_SETTLEMENT").exists()


def test_the_simulated_close_is_the_default_settlement_price(account, book):
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    book(dec, "T1", "BUY", 75, "24000", at(DAY2, 10, 0))
    run = settlement.futures_m2m_settle(day=DAY2)
    row = FuturesSettlement.objects.get(pk=run.settled[0])
    close = md.quote_for(dec, at=mcal.session_bounds(DAY2)[1]).last_price
    assert row.settlement_price == close and row.source == "SIMULATED"
    assert row.m2m_amount == ((close - D("24000")) * 75).quantize(D("0.01"))


# --- the end-of-day run: calendar and clock ---------------------------------------------------------
def test_the_run_does_nothing_on_a_holiday_or_before_the_close(account, book, travel_to):
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    book(dec, "T1", "BUY", 75, "24000", at(DAY2, 10, 0))
    assert not mcal.is_trading_day("NFO", HOLIDAY)
    travel_to(at(HOLIDAY, 15, 35))
    assert settlement_day.end_of_day_settle()["skipped"] == "not a trading day"
    travel_to(at(DAY2, 15, 29))
    assert settlement_day.end_of_day_settle()["skipped"] == "before the close"
    assert not FuturesSettlement.objects.exists() and not LedgerEntry.objects.filter(kind="M2M_SETTLEMENT").exists()
    travel_to(at(DAY2, 15, 35))
    done = settlement_day.end_of_day_settle()
    assert done["m2m"]["settled"] == 1
    assert settlement_day.end_of_day_settle()["m2m"] == {**done["m2m"], "settled": 0, "already": 1}


def test_the_beat_schedule_runs_the_task_at_1535_ist(travel_to):
    from django_celery_beat.models import PeriodicTask

    from orders.tasks import end_of_day_settlement

    task = PeriodicTask.objects.get(task=end_of_day_settlement.name)
    assert task.enabled and task.crontab is not None
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("15", "35", "Asia/Kolkata")
    travel_to(at(HOLIDAY, 15, 35))
    assert end_of_day_settlement.apply().get()["skipped"] == "not a trading day"  # the task runs the service


# --- expiry --------------------------------------------------------------------------------------
def test_expiry_cash_settles_index_fo_with_exercise_stt_and_cancels_open_orders(
    account, book, place, fake_market, travel_to
):
    close = md.spot_for("NIFTY", at=mcal.session_bounds(EXPIRY)[1])
    k_itm = (close - D("300")).quantize(D("50"))
    k_otm = (close + D("300")).quantize(D("50"))
    fut = instrument(6001, "NIFTY26DECFUTA", "FUT")
    ce_itm = instrument(6002, f"NIFTY26DEC{int(k_itm)}CE", "CE", strike=str(k_itm))
    ce_otm = instrument(6003, f"NIFTY26DEC{int(k_otm)}CE", "CE", strike=str(k_otm))
    pe_itm_short = instrument(6004, f"NIFTY26DEC{int(k_otm)}PE", "PE", strike=str(k_otm))
    travel_to(at(EXPIRY, 10, 30))
    quote = fake_market.set(ce_otm.instrument_token, "10")
    fake_market.quotes[ce_otm.instrument_token] = replace(quote, oi=1_000_000)  # liquid enough to accept
    resting = place(instrument_token=ce_otm.instrument_token, order_type="LIMIT", price=D("9"), quantity=75)
    assert resting.status in ("OPEN", "SUBMITTED")
    day = at(EXPIRY, 11, 0)
    book(fut, "F1", "BUY", 75, "24000", day)
    book(ce_itm, "C1", "BUY", 150, "310", day)
    book(ce_otm, "C2", "BUY", 75, "12.5", day)
    book(pe_itm_short, "P1", "SELL", 75, "330", day)

    travel_to(at(EXPIRY, 15, 35))
    result = settlement_day.end_of_day_settle()
    assert result["orders_cancelled"] == 1 and result["expiry"]["settled"] == 4
    resting.refresh_from_db()
    assert resting.status in ("CANCELLED", "CANCEL_PENDING")

    rows = {r.instrument_token: r for r in ExpirySettlement.objects.all()}
    assert rows[fut.instrument_token].settlement_value == close
    assert rows[fut.instrument_token].realised_pnl == (close - D("24000")) * 75
    assert rows[ce_itm.instrument_token].settlement_value == close - k_itm
    assert rows[ce_itm.instrument_token].realised_pnl == (close - k_itm - D("310")) * 150
    assert rows[ce_otm.instrument_token].settlement_value == 0  # OTM: worthless
    assert rows[ce_otm.instrument_token].realised_pnl == D("-937.50")
    assert rows[pe_itm_short.instrument_token].realised_pnl == (D("330") - (k_otm - close)) * 75
    # Exercise STT: only the long ITM option, at margin's exercise rate in force that day (data, not a literal).
    rate = (
        ChargeRate.objects.filter(side="exercise", segment="equity_options", exchange="NSE", effective_from__lte=EXPIRY)
        .order_by("-effective_from")
        .first()
        .rate_percent
    )
    stt = ((close - k_itm) * 150 * D(rate) / 100).quantize(D("0.01"))
    assert rows[ce_itm.instrument_token].exercise_stt == stt > 0
    assert all(
        rows[t].exercise_stt == 0
        for t in (fut.instrument_token, ce_otm.instrument_token, pe_itm_short.instrument_token)
    )
    assert ledger_sum(account, "CHARGES") == -stt
    assert not Position.objects.filter(instrument_token__in=rows).exclude(quantity=0).exists()
    # Money: the ledger's realised P&L is exactly the cash-flow P&L of the fills at the final values.
    expected = sum((cash_flow_pnl(book.fills[t], rows[t].settlement_value) for t in rows), D(0))
    assert ledger_sum(account, "REALISED_PNL") == expected

    again = settlement_day.end_of_day_settle()  # a rerun: nothing more
    assert again["expiry"]["settled"] == 0 and ExpirySettlement.objects.count() == 4
    assert ledger_sum(account, "REALISED_PNL") == expected and ledger_sum(account, "CHARGES") == -stt


def test_money_is_neither_lost_nor_invented_across_days_and_expiry(account, book):
    """Fills on three days, two daily settlements, a partial close after one, final settlement at expiry:
    the ledger's realised P&L + M2M equals the cash-flow P&L of the fills at the final settlement price."""
    fut = instrument(6001, "NIFTY26DECFUTA", "FUT")
    prices = Prices()
    book(fut, "T1", "BUY", 150, "24000", at(DAY1, 10, 0))
    prices.by[(fut.instrument_token, DAY1)] = D("24050.35")
    settlement.futures_m2m_settle(day=DAY1, settlement_price=prices)
    book(fut, "T2", "BUY", 150, "24100.05", at(DAY2, 10, 0))
    book(fut, "T3", "SELL", 75, "24200", at(DAY2, 13, 0))
    prices.by[(fut.instrument_token, DAY2)] = D("23900.10")
    settlement.futures_m2m_settle(day=DAY2, settlement_price=prices)
    book(fut, "T4", "SELL", 75, "23950", at(EXPIRY, 10, 0))
    final = D("24321.45")
    run = settlement.expiry_settle(day=EXPIRY, underlying_close=lambda inst, day: final)
    assert len(run.settled) == 1
    pnl = ledger_sum(account, "REALISED_PNL", "M2M_SETTLEMENT")
    assert pnl == cash_flow_pnl(book.fills[fut.instrument_token], final)
    pos = Position.objects.get(instrument_token=fut.instrument_token)
    assert pos.quantity == 0 and pos.realized_pnl + pos.m2m_settled == pnl


def test_a_long_itm_option_waits_when_no_exercise_stt_source_is_given(account, book):
    ce = instrument(6002, "NIFTY26DEC24000CE", "CE", strike="24000")
    book(ce, "C1", "BUY", 75, "100", at(EXPIRY, 10, 0))
    run = settlement.expiry_settle(day=EXPIRY, underlying_close=lambda i, d: D("24500"))
    assert run.settled == [] and run.skipped[0][1] == "no exercise STT source"
    assert Position.objects.get(instrument_token=ce.instrument_token).quantity == 75


# --- stock F&O: physically settled --------------------------------------------------------------
def test_stock_fo_are_flagged_before_expiry_and_settle_into_the_stock(account, book, user):
    stock = instrument(7000, "RELIANCE", "EQ", name="RELIANCE", exchange="NSE")
    sfut = instrument(7001, "RELIANCE26DECFUT", "FUT", name="RELIANCE", lot=500)
    spe = instrument(7002, "RELIANCE26DEC1300PE", "PE", name="RELIANCE", strike="1300", lot=500)
    book(sfut, "S1", "BUY", 500, "1250", at(DAY1, 10, 0))
    book(spe, "S2", "BUY", 500, "20", at(DAY1, 10, 0))
    # Far from expiry: no notice; within PHYSICAL_NOTICE_TRADING_DAYS: one alert per position, once.
    assert settlement.physical_settlement_notify(day=DAY2) == 0
    near = EXPIRY - timedelta(days=5)  # Thursday 24 Dec: 25 Dec is a holiday, so 2 trading days are left
    assert settlement.trading_days_until("NFO", near, EXPIRY) == 2
    assert settlement.physical_settlement_notify(day=near) == 2
    assert settlement.physical_settlement_notify(day=near) == 0
    alerts = Alert.objects.filter(user=user, type="SQUARE_OFF_WARNING")
    assert alerts.count() == 2 and {a.payload["trading_days_left"] for a in alerts} == {2}

    run = settlement.expiry_settle(day=EXPIRY, underlying_close=lambda i, d: D("1280"))
    assert len(run.settled) == 2
    rows = {r.instrument_token: r for r in ExpirySettlement.objects.all()}
    assert {r.method for r in rows.values()} == {"PHYSICAL"}
    assert rows[sfut.instrument_token].delivery_quantity == 500  # long future receives shares
    assert rows[spe.instrument_token].delivery_quantity == -500  # long ITM put delivers them
    shares = Position.objects.get(instrument_token=stock.instrument_token, product="CNC")
    # +500 from the future at 1,280, then -500 delivered by the put at 1,280: flat, nothing realised there.
    assert shares.quantity == 0 and shares.realized_pnl == 0
    assert rows[sfut.instrument_token].realised_pnl == (D("1280") - D("1250")) * 500
    assert rows[spe.instrument_token].realised_pnl == (D("1300") - D("1280") - D("20")) * 500
    assert rows[spe.instrument_token].exercise_stt == 0  # delivery STT is not modelled (docs/settlement.md)


# --- after settlement nothing reprices an expired contract -------------------------------------------
def test_positions_page_after_expiry_shows_the_settled_row_and_the_contract_stays_frozen(
    account, book, client, user, travel_to
):
    fut = instrument(6001, "NIFTY26DECFUTA", "FUT")
    book(fut, "F1", "SELL", 75, "24000", at(EXPIRY, 10, 0))
    travel_to(at(EXPIRY, 15, 35))
    settlement_day.end_of_day_settle()
    row = ExpirySettlement.objects.get()
    later = [md.quote_for(fut, at=at(EXPIRY + timedelta(days=n), 11, 0)).last_price for n in (1, 2, 7)]
    assert set(later) == {md.quote_for(fut, at=at(EXPIRY, 15, 31)).last_price}  # frozen
    assert later[0] == row.settlement_value.quantize(fut.tick_size)
    client.force_login(user)
    page = client.get("/positions/").content.decode()
    assert "NIFTY26DECFUTA" in page and "No open positions" in page
    travel_to(at(EXPIRY + timedelta(days=1), 11, 0))
    assert Position.objects.get(instrument_token=fut.instrument_token).last_price == row.settlement_value


# --- Kite accounts: the broker's close; margin hears of every posting -----------------------------------
@dataclass
class BrokerPos:
    instrument_token: int
    last_price: D


def test_a_kite_account_settles_at_the_brokers_close_and_waits_when_the_broker_is_down(
    user, monkeypatch, travel_to, django_capture_on_commit_callbacks
):
    from accounts.models import TradingAccount
    from oms_project.lib import events
    from portfolio.events import FundsChanged

    kite = TradingAccount.objects.create(user=user, kind="kite", name="Kite")
    dec = instrument(5001, "NIFTY26DECFUTA", "FUT")
    pos = Position.objects.create(
        user=user,
        account=kite,
        exchange="NFO",
        tradingsymbol=dec.tradingsymbol,
        product="NRML",
        instrument_token=dec.instrument_token,
        quantity=-75,
        average_price=D("24000"),
        trading_day=DAY1,
    )
    state = {"down": True}

    class FakeKite:
        def positions(self) -> list[BrokerPos]:
            if state["down"]:
                raise ConnectionError("Kite unreachable")
            return [BrokerPos(dec.instrument_token, D("23950.25"))]

    monkeypatch.setattr("orders.brokers.broker_for", lambda account: FakeKite())
    travel_to(at(DAY2, 15, 35))
    first = settlement_day.end_of_day_settle()
    assert first["m2m"]["settled"] == 0 and first["m2m"]["skipped"][0]["reason"] == "no settlement price"

    state["down"] = False
    heard: list[Any] = []
    events.subscribe(FundsChanged.name, heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            again = settlement_day.end_of_day_settle()
    finally:
        events.unsubscribe(FundsChanged.name, heard.append)
    assert again["m2m"]["settled"] == 1
    row = FuturesSettlement.objects.get(position=pos)
    assert (row.source, row.settlement_price, row.m2m_amount) == ("BROKER", D("23950.25"), D("3731.25"))
    assert [(e.kind, e.amount, e.account_id) for e in heard] == [("M2M_SETTLEMENT", D("3731.25"), kite.pk)]
