"""Funds API: GET funds, POST pay-in/pay-out (paper only, strict fields), the ledger list, owner scoping."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from accounts.models import TradingAccount

pytestmark = pytest.mark.django_db


def test_funds_of_a_new_paper_account_are_its_opening_balance(api, account):
    r = api.get(f"/api/v1/accounts/{account.pk}/funds/")
    assert r.status_code == 200, r.content
    body = r.json()
    assert D(body["opening_balance"]) == D(account.paper_capital) == D(body["cash"])
    assert D(body["pay_ins"]) == D(body["pay_outs"]) == D(body["realised_pnl"]) == D("0")
    assert body["account_id"] == account.pk


def test_pay_in_adds_cash_and_appears_in_the_ledger(api, account):
    r = api.post(f"/api/v1/accounts/{account.pk}/funds/pay-in/", {"amount": "50000"}, format="json")
    assert r.status_code == 201, r.content
    assert D(r.json()["pay_ins"]) == D("50000") and D(r.json()["cash"]) == D(account.paper_capital) + 50000
    r = api.post(f"/api/v1/accounts/{account.pk}/funds/pay-out/", {"amount": 1000.5}, format="json")
    assert r.status_code == 201, r.content
    assert D(r.json()["pay_outs"]) == D("1000.50")
    ledger = api.get(f"/api/v1/accounts/{account.pk}/ledger/").json()
    rows = ledger["results"] if isinstance(ledger, dict) else ledger
    assert [(row["kind"], D(row["amount"])) for row in rows] == [("PAY_OUT", D("-1000.50")), ("PAY_IN", D("50000"))]
    only = api.get(f"/api/v1/accounts/{account.pk}/ledger/?kind=PAY_IN").json()
    only = only["results"] if isinstance(only, dict) else only
    assert [row["kind"] for row in only] == ["PAY_IN"]


def test_an_unknown_field_is_refused_and_nothing_is_paid_in(api, account):
    r = api.post(f"/api/v1/accounts/{account.pk}/funds/pay-in/", {"amount": "50000", "account": 7}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "UNKNOWN_FIELD"
    assert "account" in str(r.json()["error"])
    assert D(api.get(f"/api/v1/accounts/{account.pk}/funds/").json()["pay_ins"]) == 0


@pytest.mark.parametrize("amount", ["0", "-100", "12.345", "lots", True, None])
def test_a_bad_amount_is_refused(api, account, amount):
    r = api.post(f"/api/v1/accounts/{account.pk}/funds/pay-in/", {"amount": amount}, format="json")
    assert r.status_code == 400, r.content


def test_someone_elses_account_is_not_found(api, other_api, account):
    assert other_api.get(f"/api/v1/accounts/{account.pk}/funds/").status_code == 404
    assert other_api.get(f"/api/v1/accounts/{account.pk}/ledger/").status_code == 404
    r = other_api.post(f"/api/v1/accounts/{account.pk}/funds/pay-in/", {"amount": "100"}, format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "ACCOUNT_NOT_FOUND"
    assert D(api.get(f"/api/v1/accounts/{account.pk}/funds/").json()["pay_ins"]) == 0


def test_a_kite_account_cannot_be_paid_in_here(api, user):
    kite = TradingAccount.objects.create(user=user, kind="kite", name="Kite")
    r = api.post(f"/api/v1/accounts/{kite.pk}/funds/pay-in/", {"amount": "100"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "FUNDS_PAPER_ONLY"
    assert api.get(f"/api/v1/accounts/{kite.pk}/funds/").json()["cash"] == "0.00"


def test_paying_out_more_than_the_cash_is_refused(api, account):
    too_much = str(D(account.paper_capital) + 1)
    r = api.post(f"/api/v1/accounts/{account.pk}/funds/pay-out/", {"amount": too_much}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "INSUFFICIENT_CASH"


def test_realised_pnl_shows_in_funds_after_a_round_trip(api, account, fut, fake_market, place):
    place()  # BUY 75 at market
    fake_market.set(1001, "24100")
    place(transaction_type="SELL")
    body = api.get(f"/api/v1/accounts/{account.pk}/funds/").json()
    realised = D(body["realised_pnl"])
    assert realised > 0 and D(body["realised_pnl_today"]) == realised
    assert D(body["cash"]) == D(account.paper_capital) + realised
    ledger = api.get(f"/api/v1/accounts/{account.pk}/ledger/?kind=REALISED_PNL").json()
    rows = ledger["results"] if isinstance(ledger, dict) else ledger
    assert len(rows) == 1 and rows[0]["trade_id"] is not None
