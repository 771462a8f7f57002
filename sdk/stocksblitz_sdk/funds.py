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
from typing import Any

from ._http import HttpSession, wire_decimal
from .accounts import AccountsAPI
from .models.funds import Funds, LedgerEntry
from .models.margin import AvailableMargin, BasketMargin


def _leg(order: dict[str, Any]) -> dict[str, Any]:
    """An order dict for the margin endpoints: `side` accepted for transaction_type, decimals as strings."""
    out = {k: v for k, v in order.items() if v is not None}
    if "side" in out:
        out["transaction_type"] = str(out.pop("side")).upper()
    for k in ("price", "trigger_price"):
        if isinstance(out.get(k), Decimal | float | int) and not isinstance(out.get(k), bool):
            out[k] = wire_decimal(Decimal(str(out[k])))
    return out


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
    """Margin: what the account holds back and has available, what orders and baskets need (Kite's shapes).
    `add_funds` is what the seed's bots call when utilisation runs high.

        client.margin.available()                     # available, used, total, utilisation %, level
        client.margin.basket([{"tradingsymbol": "NIFTY26DEC24000CE", "side": "SELL", "quantity": 75},
                              {"tradingsymbol": "NIFTY26DEC24000PE", "side": "SELL", "quantity": 75}])
        client.margin.orders([...])                   # each order alone, against your positions
    """

    def __init__(self, funds: FundsAPI) -> None:
        self._funds = funds
        self._http = funds._http

    def available(self, account_id: int | None = None) -> AvailableMargin:
        """The account's margin now (default: your default account)."""
        path = f"/accounts/{self._funds._account(account_id)}/available-margin/"
        return AvailableMargin.model_validate(self._http.request("GET", path))

    def basket(
        self, orders: list[dict[str, Any]], *, account_id: int | None = None, consider_positions: bool = True
    ) -> BasketMargin:
        """The orders margined together (a spread, a straddle get their hedge benefit): `initial` (each alone),
        `final` (together, against your positions when `consider_positions`), `required`, `available`."""
        body: dict[str, Any] = {"orders": [_leg(o) for o in orders], "consider_positions": consider_positions}
        if account_id is not None:
            body["account_id"] = account_id
        return BasketMargin.model_validate(self._http.request("POST", "/margins/basket/", json=body))

    def orders(self, orders: list[dict[str, Any]], *, account_id: int | None = None) -> BasketMargin:
        """Each order margined on its own against your positions and working orders (Kite's /margins/orders)."""
        body: dict[str, Any] = {"orders": [_leg(o) for o in orders]}
        if account_id is not None:
            body["account_id"] = account_id
        data = self._http.request("POST", "/margins/orders/", json=body)
        return BasketMargin.model_validate({"required": data.get("required", 0), **data})

    def add_funds(self, amount: Decimal | int | str, account_id: int | None = None) -> Funds:
        """Alias of `client.funds.pay_in` (paper accounts)."""
        return self._funds.pay_in(amount, account_id=account_id)
