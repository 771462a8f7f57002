"""The pure charges engine against the research's worked cases (reference-data.md TEST CASES).

Expected figures are copied from the sources (Kite's responses in T2-T4, the research's hand
arithmetic in T11 and §1); where a figure is ours, the comment shows the arithmetic from a
sourced rate. Shipped rates come from margin/data/charge_rates.json; the 2023 mocks (T2, T3) get
their own 2023 schedules, built here from the rates the research derived from them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from margin import charges as c
from margin.charges import Exchange as X
from margin.charges import InstrumentType as T
from margin.charges import Product as P
from margin.charges import Segment as S
from margin.charges import Side

RATES_FILE = Path(c.__file__).resolve().parent / "data" / "charge_rates.json"
SHIPPED = c.rate_rows_from_json(RATES_FILE.read_text(encoding="utf-8"))

JUL_2025 = date(2025, 7, 15)  # T4 was posted in July 2025; every day 1 Oct 2024 - 28 Feb 2026 has the same rates
MAR_31 = date(2026, 3, 31)
APR_01 = date(2026, 4, 1)
LATER_2026 = date(2026, 11, 20)
TOLERANCE = Decimal("1e-9")


def d(text: str | int) -> Decimal:
    return Decimal(str(text))


def near(actual: Decimal, expected: str | int, tolerance: Decimal = TOLERANCE) -> bool:
    return abs(actual - d(expected)) <= tolerance


def schedule(day: date, exchange: X, segment: S, rows: list[c.RateRow] = SHIPPED) -> c.ChargeSchedule:
    return c.build_schedule(rows, day, exchange, segment)


def order(
    exchange: X, segment: S, kind: T, side: Side, quantity: int, price: str, product: P, day: date, **extra
) -> c.ChargeInput:
    return c.ChargeInput(
        exchange=exchange,
        segment=segment,
        instrument_type=kind,
        side=side,
        quantity=quantity,
        price=d(price),
        product=product,
        order_type=c.OrderType.MARKET,
        trade_date=day,
        **extra,
    )


def charged(o: c.ChargeInput, rows: list[c.RateRow] = SHIPPED) -> c.ChargeBreakdown:
    return c.order_charges(o, schedule(o.trade_date, o.exchange, o.segment, rows))


def nifty_option(side: Side, quantity: int, price: str, day: date, kind: T = T.CE) -> c.ChargeInput:
    return order(X.NSE, S.EQUITY_OPTIONS, kind, side, quantity, price, P.NRML, day)


def nifty_future(side: Side, quantity: int, price: str, day: date) -> c.ChargeInput:
    return order(X.NSE, S.EQUITY_FUTURES, T.FUT, side, quantity, price, P.NRML, day)


def assert_kite(breakdown: c.ChargeBreakdown, kite: dict, tolerance: Decimal = TOLERANCE) -> None:
    """Every number of a Kite `charges` object, to `tolerance`."""
    ours = breakdown.as_kite_charges()
    assert ours["transaction_tax_type"] == kite["transaction_tax_type"]
    for key in (
        "transaction_tax",
        "exchange_turnover_charge",
        "sebi_turnover_charge",
        "brokerage",
        "stamp_duty",
        "total",
    ):
        assert near(ours[key], kite[key], tolerance), (key, ours[key], kite[key])
    for key in ("igst", "cgst", "sgst", "total"):
        assert near(ours["gst"][key], kite["gst"][key], tolerance), ("gst", key, ours["gst"][key], kite["gst"][key])


def rate(component: str, exchange: X, segment: S, percent: str, frm: date, to: date, source: str, **extra) -> c.RateRow:
    return c.RateRow(
        component=c.Component(component),
        exchange=exchange,
        segment=segment,
        rate_percent=d(percent),
        effective_from=frm,
        effective_to=to,
        source=source,
        **extra,
    )


# --- T4: live Kite output, July 2025 (best current test) --------------------------------------
# kite.order_margins() for NIFTY25JUL25900CE BUY 75 and NIFTY25JUL25700CE SELL 75 (NFO, NRML, MARKET).
# Prices are the research's: option_premium 11658.75 / 75 = 155.45; sell premium 17403.75 / 75 = 232.05.
T4_BUY = {
    "transaction_tax": 0,
    "transaction_tax_type": "stt",
    "exchange_turnover_charge": "4.1423538749999995",
    "sebi_turnover_charge": "0.011658749999999999",
    "brokerage": 20,
    "stamp_duty": 0,
    "gst": {"igst": "4.3477222724999995", "cgst": 0, "sgst": 0, "total": "4.3477222724999995"},
    "total": "28.5017348975",
}
T4_SELL = {
    "transaction_tax": "17.40375",
    "transaction_tax_type": "stt",
    "exchange_turnover_charge": "6.1835523750000005",
    "sebi_turnover_charge": "0.01740375",
    "brokerage": 20,
    "stamp_duty": 0,
    "gst": {"igst": "4.716172102499999", "cgst": 0, "sgst": 0, "total": "4.716172102499999"},
    "total": "48.3208782275",
}


def test_t4_live_kite_option_buy_and_sell_july_2025():
    buy = charged(nifty_option(Side.BUY, 75, "155.45", JUL_2025))
    sell = charged(nifty_option(Side.SELL, 75, "232.05", JUL_2025))
    assert buy.order_value == d("11658.75") and sell.order_value == d("17403.75")
    assert_kite(buy, T4_BUY)
    assert_kite(sell, T4_SELL)


def test_t4_request_fields_as_kite_names_them():
    sell = c.ChargeInput.from_kite(
        exchange="NFO",
        instrument_type="CE",
        transaction_type="SELL",
        quantity=75,
        average_price=d("232.05"),
        product="NRML",
        order_type="MARKET",
        trade_date=JUL_2025,
    )
    assert (sell.exchange, sell.segment) == (X.NSE, S.EQUITY_OPTIONS)
    assert_kite(charged(sell), T4_SELL)


def test_t4_kite_reports_stamp_duty_in_whole_rupees():
    # 0.003% x 11658.75 = 0.3497625 is due, yet Kite shows 0 (also T2, T3): rounded to the rupee per order.
    buy = charged(nifty_option(Side.BUY, 75, "155.45", JUL_2025))
    assert buy.stamp_duty_unrounded == d("0.3497625")
    assert buy.stamp_duty == 0


def test_t4_same_trades_from_1_april_2026_pay_the_new_sell_stt():
    # T4 [DERIVED]: SELL STT = 0.0015 x 17403.75 = 26.105625; total 57.0227532275; the buy leg is unchanged.
    sell = charged(nifty_option(Side.SELL, 75, "232.05", APR_01))
    assert sell.transaction_tax == d("26.105625")
    assert near(sell.total, "57.0227532275")
    assert_kite(charged(nifty_option(Side.BUY, 75, "155.45", APR_01)), T4_BUY)


def test_gst_split_cgst_sgst_halves_for_a_karnataka_billing_address():
    # §1.2: CGST 9% + SGST 9% instead of IGST 18%; the total is T4's.
    buy = charged(replace(nifty_option(Side.BUY, 75, "155.45", JUL_2025), gst_split=c.GstSplit.CGST_SGST))
    assert buy.gst.igst == 0
    assert buy.gst.cgst == buy.gst.sgst
    assert near(buy.gst.total, "4.3477222724999995")
    assert near(buy.total, "28.5017348975")


# --- T3: Kite basket-margins mock, 2023-07-05 (2023 rates) -------------------------------------
def _t3_rows() -> list[c.RateRow]:
    """NSE options as the T3 mock prices them: STT sell 0.0625%, exchange 0.05% (no IPFT), ₹20 flat."""
    x, s, f, t, src = X.NSE, S.EQUITY_OPTIONS, date(2023, 7, 1), date(2023, 7, 31), "T3 checks (2023 mock)"
    stt = {"tax_type": c.TransactionTaxType.STT}
    return [
        rate("brokerage", x, s, "0", f, t, src, flat_inr=d(20)),
        rate("transaction_tax", x, s, "0", f, t, src, side=c.RateSide.BUY, **stt),
        rate("transaction_tax", x, s, "0.0625", f, t, src, side=c.RateSide.SELL, **stt),
        rate(
            "transaction_tax",
            x,
            s,
            "0.125",
            f,
            t,
            "2023 exercise rate (needed by a schedule; unused)",
            side=c.RateSide.EXERCISE,
            **stt,
        ),
        rate("exchange_charge", x, s, "0.05", f, t, src),
        rate("sebi_fee", x, s, "0.0001", f, t, src),
        rate("stamp_duty", x, s, "0.003", f, t, src, side=c.RateSide.BUY),
        rate("stamp_duty", x, s, "0", f, t, src, side=c.RateSide.SELL),
        rate("gst", x, s, "18", f, t, src),
    ]


def test_t3_basket_mock_legs_2023():
    # The mock gives premium turnovers (2673.75 sold, 521.25 bought), not prices: 75 x 35.65 and 75 x 6.95.
    day = date(2023, 7, 5)
    sold = charged(nifty_option(Side.SELL, 75, "35.65", day), _t3_rows())
    bought = charged(nifty_option(Side.BUY, 75, "6.95", day), _t3_rows())
    assert_kite(
        sold,
        {
            "transaction_tax": "1.67109375",
            "transaction_tax_type": "stt",
            "exchange_turnover_charge": "1.336875",
            "sebi_turnover_charge": "0.00267375",
            "brokerage": 20,
            "stamp_duty": 0,
            "gst": {"igst": "3.8411187749999995", "cgst": 0, "sgst": 0, "total": "3.8411187749999995"},
            "total": "26.851761274999998",
        },
    )
    assert bought.order_value == d("521.25")
    assert_kite(
        bought,
        {
            "transaction_tax": 0,
            "transaction_tax_type": "stt",
            "exchange_turnover_charge": "0.260625",
            "sebi_turnover_charge": "0.00052125",
            "brokerage": 20,
            "stamp_duty": 0,
            "gst": {"igst": "3.6470063249999995", "cgst": 0, "sgst": 0, "total": "3.6470063249999995"},
            "total": "23.908152575",
        },
    )


# --- T2: Kite virtual-contract-note mock, 2023-07-13 (2023 rates) --------------------------------
T2_DAY = date(2023, 7, 13)


def _t2_rows() -> list[c.RateRow]:
    f, t, src = date(2023, 7, 1), date(2023, 7, 31), "T2 checks (2023 mock)"
    stt, ctt = {"tax_type": c.TransactionTaxType.STT}, {"tax_type": c.TransactionTaxType.CTT}
    rows = []
    # NSE cash: exchange 0.00335%; delivery STT 0.1% both sides, stamp 0.015% on buy.
    x, s = X.NSE, S.EQUITY_CASH
    rows += [
        rate("brokerage", x, s, "0", f, t, src, product=P.CNC),
        rate("brokerage", x, s, "0.03", f, t, src, product=P.MIS, cap_inr=d(20)),
        rate("transaction_tax", x, s, "0.1", f, t, src, product=P.CNC, **stt),
        rate("transaction_tax", x, s, "0", f, t, src, product=P.MIS, side=c.RateSide.BUY, **stt),
        rate("transaction_tax", x, s, "0.025", f, t, src, product=P.MIS, side=c.RateSide.SELL, **stt),
        rate("exchange_charge", x, s, "0.00335", f, t, src),
        rate("sebi_fee", x, s, "0.0001", f, t, src),
        rate("stamp_duty", x, s, "0.015", f, t, src, product=P.CNC, side=c.RateSide.BUY),
        rate("stamp_duty", x, s, "0.003", f, t, src, product=P.MIS, side=c.RateSide.BUY),
        rate("stamp_duty", x, s, "0", f, t, src, side=c.RateSide.SELL),
        rate("gst", x, s, "18", f, t, src),
    ]
    # MCX futures: CTT 0.01% on sell, MCX 0.0026%, brokerage 0.03% or ₹20.
    x, s = X.MCX, S.COMMODITY_FUTURES
    rows += [
        rate("brokerage", x, s, "0.03", f, t, src, cap_inr=d(20)),
        rate("transaction_tax", x, s, "0", f, t, src, side=c.RateSide.BUY, **ctt),
        rate("transaction_tax", x, s, "0.01", f, t, src, side=c.RateSide.SELL, **ctt),
        rate("exchange_charge", x, s, "0.0026", f, t, src),
        rate("sebi_fee", x, s, "0.0001", f, t, src),
        rate("stamp_duty", x, s, "0.002", f, t, src, side=c.RateSide.BUY),
        rate("stamp_duty", x, s, "0", f, t, src, side=c.RateSide.SELL),
        rate("gst", x, s, "18", f, t, src),
    ]
    # NSE options: exchange 0.0505% (0.05% + IPFT 0.0005%).
    rows += [r for r in _t3_rows() if r.component != c.Component.EXCHANGE_CHARGE]
    rows.append(rate("exchange_charge", X.NSE, S.EQUITY_OPTIONS, "0.0505", f, t, src))
    return rows


def test_t2_goldpetal_mcx_futures_sell_matches_exactly():
    o = order(X.MCX, S.COMMODITY_FUTURES, T.FUT, Side.SELL, 1, "5862", P.NRML, T2_DAY)
    assert_kite(
        charged(o, _t2_rows()),
        {
            "transaction_tax": "0.5862",
            "transaction_tax_type": "ctt",
            "exchange_turnover_charge": "0.152412",
            "sebi_turnover_charge": "0.005862",
            "brokerage": "1.7586",
            "stamp_duty": 0,
            "gst": {"igst": "0.34503732", "cgst": 0, "sgst": 0, "total": "0.34503732"},
            "total": "2.84811132",
        },
    )


def test_t2_sbin_delivery_buy_matches_except_the_mocks_gst_base():
    ours = charged(order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 1, "560", P.CNC, T2_DAY), _t2_rows())
    # Every charge matches; stamp 0.015% x 560 = 0.084 is reported as 0 (whole rupees).
    assert ours.transaction_tax == d("0.56") and ours.exchange_turnover_charge == d("0.01876")
    assert ours.sebi_turnover_charge == d("0.00056") and ours.brokerage == 0 and ours.stamp_duty == 0
    # The mock's GST leaves the SEBI fee out of the base (reference-data.md §8; T4 includes it): exactly that gap.
    gap = d("0.18") * ours.sebi_turnover_charge
    assert near(ours.gst.total - gap, "0.0033767999999999997")
    assert near(ours.total - gap, "0.5826968")


def test_t2_nifty_put_buy_matches_except_the_mocks_gst_base():
    ours = charged(nifty_option(Side.BUY, 100, "1.5", T2_DAY, kind=T.PE), _t2_rows())
    assert ours.transaction_tax == 0 and ours.brokerage == 20 and ours.stamp_duty == 0
    assert ours.exchange_turnover_charge == d("0.07575") and ours.sebi_turnover_charge == d("0.00015")
    # The mock's GST leaves IPFT (0.0005% x 150 = 0.00075) out of the base (§8): exactly that gap.
    gap = d("0.18") * d("0.0005") / 100 * ours.order_value
    assert near(ours.gst.total - gap, "3.613527")
    assert near(ours.total - gap, "23.689427000000002")


# --- T11: round trips, raw and calculator-style ------------------------------------------------
def _round_trip(buy: c.ChargeInput, sell: c.ChargeInput) -> list[c.ChargeBreakdown]:
    return [charged(buy), charged(sell)]


T11_CASES = {
    # name: (buy, sell, turnover, brokerage, STT, exch, SEBI, stamp, GST, total raw, total calc-style, STT calc)
    "options before Apr 2026": (
        nifty_option(Side.BUY, 65, "100", JUL_2025),
        nifty_option(Side.SELL, 65, "120", JUL_2025),
        "14300",
        "40",
        "7.80",
        "5.08079",
        "0.0143",
        "0.195",
        "8.1171162",
        "61.2072062",
        "61.41",
        "8",
    ),
    "options from Apr 2026": (
        nifty_option(Side.BUY, 65, "100", LATER_2026),
        nifty_option(Side.SELL, 65, "120", LATER_2026),
        "14300",
        "40",
        "11.70",
        "5.08079",
        "0.0143",
        "0.195",
        "8.1171162",
        "65.1072062",
        "65.41",
        "12",
    ),
    "futures before Apr 2026": (
        nifty_future(Side.BUY, 65, "25000", JUL_2025),
        nifty_future(Side.SELL, 65, "25100", JUL_2025),
        "3256500",
        "40",
        "326.30",
        "59.59395",
        "3.2565",
        "32.50",
        "18.513081",
        "480.163531",
        "479.86",
        "326",
    ),
    "futures from Apr 2026": (
        nifty_future(Side.BUY, 65, "25000", LATER_2026),
        nifty_future(Side.SELL, 65, "25100", LATER_2026),
        "3256500",
        "40",
        "815.75",
        "59.59395",
        "3.2565",
        "32.50",
        "18.513081",
        "969.613531",
        "969.86",
        "816",
    ),
    "equity intraday": (
        order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 400, "1000", P.MIS, LATER_2026),
        order(X.NSE, S.EQUITY_CASH, T.EQ, Side.SELL, 400, "1100", P.MIS, LATER_2026),
        "840000",
        "40",
        "110.00",
        "25.788",
        "0.84",
        "12.00",
        "11.99304",
        "200.62104",
        "200.62",
        "110",
    ),
    "equity delivery": (
        order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, JUL_2025),
        order(X.NSE, S.EQUITY_CASH, T.EQ, Side.SELL, 100, "1100", P.CNC, JUL_2025),
        "210000",
        "0",
        "210.00",
        "6.447",
        "0.21",
        "15.00",
        "1.19826",
        "232.85526",
        "232.86",
        "210",
    ),
}


@pytest.mark.parametrize("case", T11_CASES, ids=list(T11_CASES))
def test_t11_round_trip_raw_and_calculator_style(case):
    buy, sell, turnover, brokerage, stt, exch, sebi, stamp, gst, raw, calc, stt_calc = T11_CASES[case]
    legs = _round_trip(buy, sell)
    totals = c.sum_charges(legs)
    assert totals.turnover == d(turnover)
    assert totals.brokerage == d(brokerage)
    assert totals.transaction_tax == d(stt)
    assert totals.exchange_turnover_charge == d(exch)
    assert totals.sebi_turnover_charge == d(sebi)
    assert totals.stamp_duty == d(stamp)
    assert totals.gst.total == d(gst)
    assert totals.total == d(raw)
    note = c.contract_note(legs)
    assert note.transaction_tax == d(stt_calc)
    assert note.total == d(calc)


def test_contract_note_rounds_stt_to_the_rupee_and_the_rest_to_paise():
    # T11 futures, before Apr 2026: STT 326.30 -> 326; exchange 59.59395 -> 59.59; SEBI 3.2565 -> 3.26;
    # GST on the rounded parts 0.18 x (40 + 59.59 + 3.26) = 18.513 -> 18.51.
    buy, sell = T11_CASES["futures before Apr 2026"][:2]
    note = c.contract_note(_round_trip(buy, sell))
    assert (note.transaction_tax, note.exchange_turnover_charge, note.sebi_turnover_charge) == (
        d(326),
        d("59.59"),
        d("3.26"),
    )
    assert note.stamp_duty == d("32.50") and note.gst.total == d("18.51")


# --- the 31 Mar / 1 Apr 2026 boundary ----------------------------------------------------------
def test_option_sell_stt_changes_on_1_april_2026():
    # §1.1: 0.10% of premium to 31 Mar 2026, 0.15% from 1 Apr 2026; 65 x 120 = 7800.
    assert charged(nifty_option(Side.SELL, 65, "120", MAR_31)).transaction_tax == d("7.80")
    assert charged(nifty_option(Side.SELL, 65, "120", APR_01)).transaction_tax == d("11.70")


def test_futures_sell_stt_changes_on_1_april_2026():
    # §1.1: 0.02% to 31 Mar 2026, 0.05% from 1 Apr 2026; 65 x 25100 = 1,631,500.
    assert charged(nifty_future(Side.SELL, 65, "25100", MAR_31)).transaction_tax == d("326.30")
    assert charged(nifty_future(Side.SELL, 65, "25100", APR_01)).transaction_tax == d("815.75")


def test_equity_delivery_stt_is_the_same_either_side_of_the_boundary():
    # §1.1: delivery 0.1% on buy and sell, unchanged; 100 x 1000.
    for day in (MAR_31, APR_01):
        assert charged(order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, day)).transaction_tax == 100


def test_exercise_stt_on_long_itm_options_changes_on_1_april_2026():
    # §1.1: 0.125% to 31 Mar 2026, 0.15% from 1 Apr 2026, of the intrinsic value: (25100 - 25000) x 65 = 6500.
    def exercised(day: date, kind: T = T.CE, settlement: str = "25100") -> c.ChargeBreakdown:
        ex = c.ExerciseInput(X.NSE, kind, d(25000), d(settlement), 65, day)
        return c.exercise_charges(ex, schedule(day, X.NSE, S.EQUITY_OPTIONS))

    assert exercised(MAR_31).transaction_tax == d("8.125")
    assert exercised(APR_01).transaction_tax == d("9.75")
    assert exercised(APR_01).total == d("9.75")  # nothing else is charged on exercise (docs/charges.md)
    assert exercised(APR_01, kind=T.PE).transaction_tax == 0  # the put is out of the money
    assert exercised(APR_01, kind=T.PE, settlement="24900").transaction_tax == d("9.75")


def test_a_trade_is_charged_at_its_own_dates_rates():
    march = schedule(MAR_31, X.NSE, S.EQUITY_OPTIONS)
    assert march.valid_to == MAR_31  # the STT rows end that day
    with pytest.raises(c.ChargeScheduleMismatch) as refused:
        c.order_charges(nifty_option(Side.SELL, 65, "120", APR_01), march)
    assert refused.value.code == "CHARGE_SCHEDULE_MISMATCH"
    with pytest.raises(c.ChargeScheduleMismatch):
        c.order_charges(nifty_future(Side.SELL, 65, "25100", MAR_31), march)  # another segment


# --- brokerage rules ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("o", "expected"),
    [
        # §1.2 options: flat ₹20 per executed order whatever the premium.
        (nifty_option(Side.BUY, 65, "0.05", LATER_2026), "20"),
        (nifty_option(Side.SELL, 1800, "500", LATER_2026), "20"),
        (order(X.NSE, S.EQUITY_OPTIONS, T.PE, Side.BUY, 65, "10", P.MIS, LATER_2026), "20"),
        # §1.2 futures: 0.03% or ₹20, lower. 65 x 700 = 45,500 -> 13.65; 65 x 25,000 -> 487.50 -> 20.
        (nifty_future(Side.BUY, 65, "700", LATER_2026), "13.65"),
        (nifty_future(Side.BUY, 65, "25000", LATER_2026), "20"),
        # §1.2 equity intraday: 0.03% or ₹20. 10 x 500 = 5,000 -> 1.50; 400 x 1000 -> 120 -> 20.
        (order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 10, "500", P.MIS, LATER_2026), "1.50"),
        (order(X.NSE, S.EQUITY_CASH, T.EQ, Side.SELL, 400, "1000", P.MIS, LATER_2026), "20"),
        # §1.2 equity delivery: free.
        (order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, LATER_2026), "0"),
        (order(X.BSE, S.EQUITY_CASH, T.EQ, Side.SELL, 100, "1000", P.CNC, LATER_2026), "0"),
    ],
)
def test_brokerage_per_executed_order(o, expected):
    assert charged(o).brokerage == d(expected)


# --- exchange charges differ by exchange and segment --------------------------------------------
def bse_option(underlying: str, side: Side = Side.BUY) -> c.ChargeInput:
    return order(X.BSE, S.EQUITY_OPTIONS, T.CE, side, 20, "500", P.NRML, LATER_2026, underlying=underlying)


@pytest.mark.parametrize(
    ("o", "expected"),
    [
        # premium 10,000: NSE all-in 0.03553%; BSE SENSEX/BANKEX 0.0325%; SENSEX50 and stock options 0.005%.
        (nifty_option(Side.BUY, 100, "100", LATER_2026), "3.553"),
        (bse_option("SENSEX"), "3.25"),
        (bse_option(" sensex "), "3.25"),
        (bse_option("BANKEX"), "3.25"),
        (bse_option("SENSEX50"), "0.5"),
        (bse_option("RELIANCE"), "0.5"),
        # futures 1,000,000: NSE 0.00183%; BSE 0.
        (nifty_future(Side.BUY, 40, "25000", LATER_2026), "18.3"),
        (order(X.BSE, S.EQUITY_FUTURES, T.FUT, Side.BUY, 40, "25000", P.NRML, LATER_2026), "0"),
        # cash 100,000: NSE 0.00307%; BSE 0.00375%.
        (order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, LATER_2026), "3.07"),
        (order(X.BSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, LATER_2026), "3.75"),
    ],
)
def test_exchange_charges_by_exchange_and_segment(o, expected):
    b = charged(o)
    assert b.exchange_turnover_charge == d(expected)
    assert b.gst.total == d("0.18") * (b.brokerage + d(expected) + b.sebi_turnover_charge)


def test_bse_options_need_the_underlying_because_their_rates_differ():
    with pytest.raises(c.ChargeInputInvalid) as refused:
        charged(bse_option(""))
    assert refused.value.code == "CHARGE_INPUT_INVALID"
    assert refused.value.details["field"] == "underlying"


# --- stamp duty is the buyer's --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("buy", "due"),
    [
        # §1.1 buy-side rates: futures 0.002% of 1,625,000; options 0.003% of 6,500; delivery 0.015% of 100,000.
        (nifty_future(Side.BUY, 65, "25000", LATER_2026), "32.5"),
        (nifty_option(Side.BUY, 65, "100", LATER_2026), "0.195"),
        (order(X.NSE, S.EQUITY_CASH, T.EQ, Side.BUY, 100, "1000", P.CNC, LATER_2026), "15"),
        (order(X.BSE, S.EQUITY_CASH, T.EQ, Side.BUY, 400, "1000", P.MIS, LATER_2026), "12"),
    ],
)
def test_stamp_duty_on_the_buy_side_only(buy, due):
    bought = charged(buy)
    sold = charged(replace(buy, side=Side.SELL))
    assert bought.stamp_duty_unrounded == d(due)
    assert abs(bought.stamp_duty - d(due)) <= d("0.5") and bought.stamp_duty == bought.stamp_duty.to_integral_value()
    assert sold.stamp_duty == 0 and sold.stamp_duty_unrounded == 0


# --- the shipped data ----------------------------------------------------------------------------
def test_every_shipped_rate_cites_its_source_and_has_a_stable_ref():
    assert len({r.ref for r in SHIPPED}) == len(SHIPPED)
    for r in SHIPPED:
        assert r.ref and ("reference-data.md" in r.source or "circular" in r.source), r.ref


@pytest.mark.parametrize(
    ("exchange", "segment", "first_day"),
    [
        (X.NSE, S.EQUITY_CASH, date(2024, 10, 1)),
        (X.NSE, S.EQUITY_FUTURES, date(2024, 10, 1)),
        (X.NSE, S.EQUITY_OPTIONS, date(2024, 10, 1)),
        (X.BSE, S.EQUITY_CASH, date(2024, 10, 1)),
        (X.BSE, S.EQUITY_FUTURES, date(2024, 10, 1)),
        (X.BSE, S.EQUITY_OPTIONS, date(2024, 10, 1)),
        (X.MCX, S.COMMODITY_FUTURES, date(2026, 6, 19)),
        (X.MCX, S.COMMODITY_OPTIONS, date(2026, 6, 19)),
    ],
)
def test_shipped_schedules_cover_every_day_from_their_first_without_gaps_or_overlaps(exchange, segment, first_day):
    with pytest.raises(c.ChargeScheduleNotFound) as refused:
        schedule(first_day - timedelta(days=1), exchange, segment)
    assert refused.value.code == "CHARGE_SCHEDULE_NOT_FOUND"
    day = first_day
    while day <= date(2027, 12, 31):
        s = schedule(day, exchange, segment)  # raises on a gap or an overlap
        assert s.covers(day)
        if s.valid_to is None:
            break
        day = s.valid_to + timedelta(days=1)


# --- refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"quantity": 0}, "quantity"),
        ({"price": d(0)}, "price"),
        ({"product": P.CNC}, "product"),  # no delivery product in F&O
        ({"instrument_type": T.FUT}, "instrument_type"),  # a future in the options segment
    ],
)
def test_an_unpriceable_order_is_refused_with_a_code(change, field_name):
    good = nifty_option(Side.BUY, 65, "100", LATER_2026)
    with pytest.raises(c.ChargeInputInvalid) as refused:
        replace(good, **change)
    assert refused.value.code == "CHARGE_INPUT_INVALID"
    assert refused.value.details["field"] == field_name


def test_plain_kite_strings_are_accepted_and_unknown_ones_refused():
    o = c.ChargeInput("NSE", "equity_options", "CE", "SELL", 65, d(120), "NRML", "LIMIT", APR_01)
    assert o.side is Side.SELL and o.segment is S.EQUITY_OPTIONS
    assert charged(o).transaction_tax == d("11.70")  # 0.15% x 7800, as above
    with pytest.raises(c.ChargeInputInvalid) as refused:
        c.ChargeInput("NFO", "equity_options", "CE", "SELL", 65, d(120), "NRML", "LIMIT", APR_01)
    assert refused.value.details["field"] == "exchange"  # Kite's NFO is the NSE venue: see venue_and_segment


def test_a_rate_row_that_cannot_apply_is_refused():
    with pytest.raises(c.ChargeRateInvalid) as refused:
        rate("gst", X.NSE, S.EQUITY_CASH, "18", JUL_2025, None, "x", product=P.CNC)
    assert refused.value.code == "CHARGE_RATE_INVALID"
    with pytest.raises(c.ChargeRateInvalid):
        rate("sebi_fee", X.NSE, S.EQUITY_CASH, "0.0001", JUL_2025, None, "  ")  # no source


def test_a_missing_or_doubled_rate_is_an_error_not_a_zero():
    without_sell_stamp = [r for r in SHIPPED if r.ref != "nse-opt-stamp-sell"]
    with pytest.raises(c.ChargeScheduleIncomplete) as incomplete:
        schedule(LATER_2026, X.NSE, S.EQUITY_OPTIONS, without_sell_stamp)
    assert incomplete.value.code == "CHARGE_SCHEDULE_INCOMPLETE"
    doubled = [*SHIPPED, replace(next(r for r in SHIPPED if r.ref == "nse-opt-sebi"), ref="again")]
    with pytest.raises(c.ChargeScheduleAmbiguous) as ambiguous:
        schedule(LATER_2026, X.NSE, S.EQUITY_OPTIONS, doubled)
    assert ambiguous.value.code == "CHARGE_SCHEDULE_AMBIGUOUS"


def test_kite_exchange_codes_map_to_the_charging_venue_and_segment():
    assert c.venue_and_segment("NFO", "CE") == (X.NSE, S.EQUITY_OPTIONS)
    assert c.venue_and_segment("BFO", "FUT") == (X.BSE, S.EQUITY_FUTURES)
    assert c.venue_and_segment("NSE", "EQ") == (X.NSE, S.EQUITY_CASH)
    with pytest.raises(c.ChargeInputInvalid):
        c.venue_and_segment("CDS", "FUT")  # currency is not priced yet
