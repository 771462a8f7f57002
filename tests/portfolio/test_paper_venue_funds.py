"""A pay-in is buying power at once: the margin check (the pre-trade stage margin.funds on the margin engine, and
the paper venue behind it) counts the ledger's pay-ins and pay-outs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from margin.errors import InsufficientMargin
from portfolio import services

pytestmark = pytest.mark.django_db


def test_an_order_refused_for_funds_goes_through_after_a_pay_in(account, fut, place):
    account.paper_capital = D("1000")
    account.save()
    with pytest.raises(InsufficientMargin):
        place()

    services.funds_pay_in(account=account, amount="1000000")  # SPAN + exposure of 75 x 24,000: ~2.5 lakh
    filled = place()
    filled.refresh_from_db()
    assert filled.status == "COMPLETE"

    services.funds_pay_out(account=account, amount="1000000")  # the cash left again
    services.funds_pay_in(account=account, amount="1")
    with pytest.raises(InsufficientMargin):
        place()
