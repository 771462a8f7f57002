"""The SDK's funds API against the real app in-process: get, pay in (and the seed's margin.add_funds), pay out,
the ledger, typed errors."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from stocksblitz_sdk.exceptions import (
    AccountNotFoundError,
    FundsPaperOnlyError,
    InsufficientCashError,
    UnknownFieldError,
)
from stocksblitz_sdk.models.funds import Funds, LedgerEntry

from accounts.models import TradingAccount
from tests.orders.conftest import _paper_account

pytestmark = pytest.mark.django_db


def test_funds_pay_in_add_funds_pay_out_and_ledger(sdk, user):
    account = _paper_account(user)
    funds = sdk.funds.get()  # the default account
    assert isinstance(funds, Funds) and funds.account_id == account.pk
    assert funds.cash == funds.opening_balance == D(account.paper_capital)

    after = sdk.funds.pay_in(D("50000"))
    assert after.pay_ins == D("50000") and after.cash == funds.cash + 50000
    after = sdk.margin.add_funds(10000)  # the seed's spelling
    assert after.pay_ins == D("60000")
    after = sdk.funds.pay_out("2500.25", account_id=account.pk)
    assert after.pay_outs == D("2500.25") and after.cash == funds.cash + D("57499.75")

    ledger = list(sdk.funds.ledger())
    assert all(isinstance(e, LedgerEntry) for e in ledger)
    assert [(e.kind, e.amount) for e in ledger] == [
        ("PAY_OUT", D("-2500.25")),
        ("PAY_IN", D("10000")),
        ("PAY_IN", D("50000")),
    ]
    assert [e.kind for e in sdk.funds.ledger(kind="PAY_OUT")] == ["PAY_OUT"]


def test_funds_errors_are_typed(sdk, sdk_for, user, other_user):
    account = _paper_account(user)
    kite = TradingAccount.objects.create(user=user, kind="kite", name="Kite")
    with pytest.raises(FundsPaperOnlyError):
        sdk.funds.pay_in(1000, account_id=kite.pk)
    with pytest.raises(InsufficientCashError):
        sdk.funds.pay_out(D(account.paper_capital) + 1)
    with pytest.raises(AccountNotFoundError):
        sdk_for(other_user).funds.get(account_id=account.pk)
    with pytest.raises(UnknownFieldError):
        sdk._http.request("POST", f"/accounts/{account.pk}/funds/pay-in/", json={"amount": "1", "note": "x"})
