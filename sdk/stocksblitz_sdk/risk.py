"""Risk: the summary, the kill switch and the limits.

client.risk.summary()                                  # P&L, drawdown, every limit with value and headroom
client.risk.kill_switch("engage", reason="done for the day")   # cancel, square off, halt
client.risk.kill_switch()                              # state, who, why, since
client.risk.kill_switch("release", reason="new day")
client.risk.limits()                                   # the limits in force
client.risk.set_limits({"daily_loss": {"pct": "4"}, "stop_loss_required": {"enabled": True}})
client.risk.events()
client.risk.greeks()                                   # Greeks per position, strategy, underlying, account (₹)
client.risk.sizing(instrument_token, stop_distance=20) # liquidity-based sizing advice (lots)
client.risk.guards(strategy_id)                        # per-position guards (target, stop, timeout, auto-close)
client.risk.set_guards(strategy_id, target_pnl="3000", auto_close_on_target=True)
client.risk.release_reducing("cut size", strategy_id=7)  # the live monitor's REDUCING back to ACTIVE
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ._http import HttpSession
from .models.risk import KillSwitchState, RiskEvent, RiskSummary
from .models.risk_greeks import GreeksBook, SizingAdvice


class RiskAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def summary(self, account_id: int | None = None) -> RiskSummary:
        params = {"account_id": account_id} if account_id is not None else None
        return RiskSummary.model_validate(self._http.request("GET", "/risk/summary/", params=params))

    def kill_switch(
        self, action: str | None = None, *, reason: str = "", scope: str = "ACCOUNT", account_id: int | None = None
    ) -> KillSwitchState:
        """Without an action: the state. `"engage"` / `"release"` with a reason change it (engage returns once
        every open order was cancelled and the positions squared off)."""
        if action is None:
            params = {"account_id": account_id} if account_id is not None else None
            return KillSwitchState.model_validate(self._http.request("GET", "/risk/kill-switch/", params=params))
        body: dict[str, Any] = {"action": action, "reason": reason, "scope": scope}
        if account_id is not None:
            body["account_id"] = account_id
        return KillSwitchState.model_validate(self._http.request("POST", "/risk/kill-switch/", json=body))

    def greeks(self, account_id: int | None = None) -> GreeksBook:
        """Black-76 Greeks of the book (units and ₹), the Greeks limit, today's snapshots, correlated exposure."""
        params = {"account_id": account_id} if account_id is not None else None
        return GreeksBook.model_validate(self._http.request("GET", "/risk/greeks/", params=params))

    def sizing(
        self, instrument_token: int, *, stop_distance: Any = None, account_id: int | None = None
    ) -> SizingAdvice:
        """The lots the risk-per-trade limit, the contract's volume and its open interest allow."""
        params: dict[str, Any] = {"instrument_token": instrument_token}
        if stop_distance is not None:
            params["stop_distance"] = str(stop_distance)
        if account_id is not None:
            params["account_id"] = account_id
        return SizingAdvice.model_validate(self._http.request("GET", "/risk/sizing/", params=params))

    def limits(self, *, account_id: int | None = None, strategy_id: int | None = None) -> dict[str, Any]:
        params = {k: v for k, v in (("account_id", account_id), ("strategy_id", strategy_id)) if v is not None}
        return self._http.request("GET", "/risk/limits/", params=params or None)

    def set_limits(
        self,
        limits: dict[str, dict[str, Any]],
        *,
        account_id: int | None = None,
        strategy_id: int | None = None,
        replace: bool = False,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"limits": limits, "replace": replace}
        if account_id is not None:
            body["account_id"] = account_id
        if strategy_id is not None:
            body["strategy_id"] = strategy_id
        return self._http.request("PUT", "/risk/limits/", json=body)

    def events(self, account_id: int | None = None) -> Iterator[RiskEvent]:
        params = {"account_id": account_id} if account_id is not None else {}
        for row in self._http.paginate("/risk/events/", params):
            yield RiskEvent.model_validate(row)

    def guards(self, strategy_id: int) -> dict[str, Any]:
        """The per-position guards the live monitor applies to the strategy's positions."""
        return self._http.request("GET", f"/risk/strategies/{int(strategy_id)}/guards/")

    def set_guards(self, strategy_id: int, **changes: Any) -> dict[str, Any]:
        """Change some guards (the others keep their current values): enabled, target_pnl, stop_loss_pnl,
        timeout_hours (None or 0: that guard off), auto_close_on_target / _stop / _timeout."""
        body = {k: v for k, v in self.guards(strategy_id).items() if k not in ("strategy_id", "stored")}
        unknown = sorted(set(changes) - set(body))
        if unknown:
            raise TypeError(f"unknown guard fields: {', '.join(unknown)}")
        body.update({k: (str(v) if v is not None and not isinstance(v, bool) else v) for k, v in changes.items()})
        return self._http.request("PUT", f"/risk/strategies/{int(strategy_id)}/guards/", json=body)

    def release_reducing(
        self, reason: str, *, strategy_id: int | None = None, account_id: int | None = None
    ) -> dict[str, Any]:
        """Release the live monitor's REDUCING of a strategy (or of the account), with a reason."""
        body: dict[str, Any] = {"reason": reason}
        if strategy_id is not None:
            body["strategy_id"] = strategy_id
        if account_id is not None:
            body["account_id"] = account_id
        return self._http.request("POST", "/risk/status/release/", json=body)
