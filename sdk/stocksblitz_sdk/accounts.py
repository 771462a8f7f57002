from __future__ import annotations

from ._http import HttpSession
from .models.accounts import TradingAccount


class AccountsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def list(self) -> list[TradingAccount]:
        return [TradingAccount.model_validate(row) for row in self._http.paginate("/accounts/")]

    def get(self, account_id: int) -> TradingAccount:
        return TradingAccount.model_validate(self._http.request("GET", f"/accounts/{account_id}/"))

    def default(self) -> TradingAccount:
        return next(a for a in self.list() if a.is_default)
