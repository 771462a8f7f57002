"""The seed's SDK example 3 ("Pre-Trade Cost Calculation") as written, and client.margin.basket / available,
against the real app through the SDK's HTTP client."""

from __future__ import annotations

import contextlib
import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import UnknownFieldError
from stocksblitz_sdk.models.margin import AvailableMargin, BasketMargin, CostEstimate

from margin import charges as c
from margin import selectors as ms
from marketdata.models import Instrument
from tests.orders.conftest import _paper_account

pytestmark = pytest.mark.django_db


def _option(token, strike, kind="CE"):
    return Instrument.objects.create(
        instrument_token=token,
        exchange_token=token,
        tradingsymbol=f"NIFTYSDK{strike}{kind}",
        name="NIFTY",
        last_price=D("150"),
        expiry=date.today() + timedelta(days=20),
        strike=D(strike),
        tick_size=D("0.05"),
        lot_size=75,
        instrument_type=kind,
        segment="NFO-OPT",
        exchange="NFO",
        freeze_quantity=1800,
        source="demo",
    )


def test_seed_example_3_runs_as_written(sdk, user):
    _paper_account(user)
    _option(12345, 24500)
    client = sdk
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # --- seed 000, SDK usage example 3, as written ---
        # Get complete cost breakdown
        cost = client.orders.calculate_costs(instrument_token=12345, quantity=100, side="BUY", price=150.50)

        print(f"Brokerage: ₹{cost.brokerage}")
        print(f"STT: ₹{cost.stt}")
        print(f"Total: ₹{cost.total_charges}")
        # ---
    assert isinstance(cost, CostEstimate)
    expected = ms.order_charges(
        c.ChargeInput.from_kite(
            exchange="NFO",
            instrument_type="CE",
            transaction_type="BUY",
            quantity=100,
            average_price=D("150.50"),
            product="NRML",
            order_type="LIMIT",
            trade_date=date.today(),
            underlying="NIFTY",
        )
    )
    assert cost.order_value == D("15050") and cost.brokerage == D(20) == expected.brokerage
    assert cost.stt == expected.transaction_tax == 0  # a bought option pays no STT
    assert cost.total_charges == expected.total
    lines = out.getvalue().splitlines()
    assert lines == [f"Brokerage: ₹{cost.brokerage}", f"STT: ₹{cost.stt}", f"Total: ₹{cost.total_charges}"]
    assert cost.margin.can_execute and cost.margin.required == D("15050")  # a bought option: its premium


def test_margin_basket_and_available(sdk, user):
    account = _paper_account(user)
    ce, pe = _option(9101, 24000, "CE"), _option(9102, 24000, "PE")
    straddle = sdk.margin.basket(
        [
            {"instrument_token": ce.instrument_token, "side": "SELL", "quantity": 75},
            {"instrument_token": pe.instrument_token, "side": "SELL", "quantity": 75},
        ]
    )
    assert isinstance(straddle, BasketMargin) and len(straddle.orders) == 2
    assert straddle.final.span < straddle.initial.span  # the straddle's hedge benefit
    assert straddle.available == D(account.paper_capital) and straddle.can_execute
    available = sdk.margin.available()
    assert isinstance(available, AvailableMargin) and available.account_id == account.pk
    assert available.available == available.total - available.used and available.level == "LOW"
    with pytest.raises(UnknownFieldError):
        sdk.margin.basket([{"instrument_token": ce.instrument_token, "side": "SELL", "quantity": 75, "lots": 1}])
