"""Funds: an account's cash and ledger; adding or withdrawing cash on paper accounts.

    client.funds.get()                       # the default account's funds
    client.funds.pay_in(Decimal("50000"))    # paper accounts only (FundsPaperOnlyError on Kite)
    client.funds.ledger(kind="REALISED_PNL")
    client.margin.add_funds(10000)           # the same as funds.pay_in (the seed's spelling)

Amounts go on the wire as decimal strings, so nothing is lost to floating point.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ._http import HttpSession, wire_decimal
from .accounts import AccountsAPI
from .models.funds import Funds, LedgerEntry


class FundsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http
        self._accounts = AccountsAPI(http)

    def _account(self, account_id: int | None) -> int:
        return account_id if account_id is not None else self._accounts.default().id

    def get(self, account_id: int | None = None) -> Funds:
        """Cash, opening balance, pay-ins/outs and realised P&L of an account (default: your default account)."""
        return Funds.model_validate(self._http.request("GET", f"/accounts/{self._account(account_id)}/funds/"))

    def pay_in(self, amount: Decimal | int | str, account_id: int | None = None) -> Funds:
        """Add cash to a paper account; returns its funds after the pay-in."""
        body = {"amount": wire_decimal(Decimal(str(amount)))}
        path = f"/accounts/{self._account(account_id)}/funds/pay-in/"
        return Funds.model_validate(self._http.request("POST", path, json=body))

    def pay_out(self, amount: Decimal | int | str, account_id: int | None = None) -> Funds:
        """Withdraw cash from a paper account (at most its cash); returns its funds after the pay-out."""
        body = {"amount": wire_decimal(Decimal(str(amount)))}
        path = f"/accounts/{self._account(account_id)}/funds/pay-out/"
        return Funds.model_validate(self._http.request("POST", path, json=body))

    def ledger(self, account_id: int | None = None, *, kind: str | None = None) -> Iterator[LedgerEntry]:
        """Every ledger entry of the account, newest first (optionally of one kind)."""
        params = {"kind": kind} if kind else None
        for row in self._http.paginate(f"/accounts/{self._account(account_id)}/ledger/", params):
            yield LedgerEntry.model_validate(row)


class MarginAPI:
    """Margin-side helpers. `add_funds` is what the seed's bots call when utilisation runs high."""

    def __init__(self, funds: FundsAPI) -> None:
        self._funds = funds

    def add_funds(self, amount: Decimal | int | str, account_id: int | None = None) -> Funds:
        """Alias of `client.funds.pay_in` (paper accounts)."""
        return self._funds.pay_in(amount, account_id=account_id)
