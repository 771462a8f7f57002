"""A pay-in is buying power at the paper venue: its margin check counts the ledger's pay-ins and pay-outs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from portfolio import services

pytestmark = pytest.mark.django_db


def test_an_order_refused_for_funds_goes_through_after_a_pay_in(account, fut, place):
    account.paper_capital = D("1000")
    account.save()
    refused = place()
    refused.refresh_from_db()
    assert refused.status == "REJECTED" and "Insufficient funds" in refused.status_message

    services.funds_pay_in(account=account, amount="1000000")  # 15 % of 75 x 24,000 = 2.7 lakh needed
    filled = place()
    filled.refresh_from_db()
    assert filled.status == "COMPLETE"

    services.funds_pay_out(account=account, amount="1000000")  # the cash left again
    services.funds_pay_in(account=account, amount="1")
    again = place()
    again.refresh_from_db()
    assert again.status == "REJECTED"
