"""Orders, positions and trades.

    client.orders.place_market(instrument_token=256265, quantity=75, side="BUY")
    client.orders.place_limit(instrument_token=256265, quantity=75, side="BUY", price=Decimal("24000"))
    client.orders.modify(order.id, price=Decimal("24010")); client.orders.cancel(order.id)
    client.positions.list(); client.positions.exit(position_id); client.trades.list()
    ex = client.orders.place_twap(instrument_token=..., lots=20, side="BUY", duration_seconds=600, slices=10)
    client.orders.place_iceberg(instrument_token=..., lots=20, visible_lots=2, side="SELL", limit_price=Decimal("101"))
    client.orders.place_depth_split(instrument_token=..., lots=20, side="BUY", max_impact_bps=30)
    client.orders.get_execution(ex.id); client.orders.pause_execution(ex.id); resume_execution; cancel_execution

Quantities are units (Kite semantics); pass `lots=` instead of `quantity=` to give lots. Every placement
carries a client order id (generated if you do not pass one), so a retried call never makes a second order.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._http import HttpSession, wire_decimal
from .models.completion import OrderCompletion
from .models.orders import (
    Execution,
    ExecutionAnalysis,
    Order,
    OrderEvent,
    OrderMetrics,
    OrderPreferences,
    OrderPreview,
    Position,
    Strategy,
    Trade,
)
from .models.risk import SquareOffResult

if TYPE_CHECKING:
    from .models.margin import CostEstimate


def _body(**fields: Any) -> dict[str, Any]:
    return {k: (wire_decimal(v) if isinstance(v, Decimal | float) else v) for k, v in fields.items() if v is not None}


def _order_body(*, side: str | None = None, transaction_type: str | None = None, **fields: Any) -> dict[str, Any]:
    return _body(transaction_type=(transaction_type or side or "").upper(), **fields)


class OrdersAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def place(
        self,
        *,
        side: str | None = None,
        transaction_type: str | None = None,
        instrument_token: int | None = None,
        exchange: str | None = None,
        tradingsymbol: str | None = None,
        quantity: int | None = None,
        lots: int | None = None,
        product: str = "NRML",
        order_type: str = "MARKET",
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        validity: str = "DAY",
        validity_ttl: int | None = None,
        market_protection: int | None = None,
        disclosed_quantity: int | None = None,
        tag: str | None = None,
        account_id: int | None = None,
        strategy_id: int | None = None,
        client_order_id: str | None = None,
        stop_loss: Decimal | None = None,
        target: Decimal | None = None,
        stop_loss_points: Decimal | None = None,
        target_points: Decimal | None = None,
        trailing_stop_points: Decimal | None = None,
        auto_slice: bool | None = None,
        confirm_duplicate: bool | None = None,
        execution_override: bool | None = None,
        variety: str | None = None,
    ) -> Order:
        """Place an order; returns it with its current status. Retries with the same client_order_id are safe."""
        fields = {k: v for k, v in locals().items() if k != "self"}
        client_order_id = client_order_id or f"sdk-{uuid.uuid4().hex[:24]}"
        body = _order_body(**{**fields, "client_order_id": client_order_id})
        data = self._http.request("POST", "/orders/", json=body, headers={"Idempotency-Key": client_order_id})
        return Order.model_validate(data)

    def preview(self, **fields: Any) -> OrderPreview:
        """Run every pre-trade check on an order without placing it (the same arguments as `place`): what
        placing it now would do (`verdict`: pass, deny, park, replay) and each stage's finding."""
        unknown = set(fields) - _PLACE_FIELDS
        if unknown:
            raise TypeError(f"preview() got unexpected arguments: {sorted(unknown)}")
        data = self._http.request("POST", "/orders/preview/", json=_order_body(**fields))
        return OrderPreview.model_validate(data)

    def calculate_costs(
        self,
        *,
        side: str | None = None,
        transaction_type: str | None = None,
        instrument_token: int | None = None,
        exchange: str | None = None,
        tradingsymbol: str | None = None,
        quantity: int | None = None,
        price: Decimal | float | str | None = None,
        product: str = "NRML",
        order_type: str | None = None,
        orders: list[dict[str, Any]] | None = None,
        account_id: int | None = None,
        strategy_id: int | None = None,
    ) -> CostEstimate:
        """What an order (or `orders=[{...}, ...]`) costs before it is placed: `cost.brokerage`, `cost.stt`,
        `cost.total_charges` (and exchange, SEBI, stamp duty, GST, order value) in total, each order's in
        `cost.orders`, the margin they need (`cost.margin.required`, `available`, `can_execute`), `warnings`."""
        from .models.margin import CostEstimate

        if orders is None:
            orders = [
                dict(
                    side=side, transaction_type=transaction_type, instrument_token=instrument_token,
                    exchange=exchange, tradingsymbol=tradingsymbol, quantity=quantity, price=price,
                    product=product, order_type=order_type or ("LIMIT" if price is not None else "MARKET"),
                )
            ]
        body = _body(account_id=account_id, strategy_id=strategy_id)
        body["orders"] = [_order_body(**o) for o in orders]
        data = self._http.request("POST", "/orders/calculate-costs/", json=body)
        return CostEstimate.model_validate({**data.get("total", {}), **data})

    def analyze_execution(self, **fields: Any) -> ExecutionAnalysis:
        """An order (the same arguments as `place`) against the current book: spread, impact, liquidity score,
        the recommendation (with a limit price), the position size within your impact budget, and what the
        execution guard would do. Nothing is placed."""
        return self._analyse("/orders/analyze-execution/", fields)

    def validate_spread(self, **fields: Any) -> ExecutionAnalysis:
        """`analyze_execution`'s answer; read `spread_ok` and `spread_category`."""
        return self._analyse("/orders/validate-spread/", fields)

    def estimate_impact(self, **fields: Any) -> ExecutionAnalysis:
        """`analyze_execution`'s answer; read `impact_ok` and `impact_bps`."""
        return self._analyse("/orders/estimate-impact/", fields)

    def _analyse(self, path: str, fields: dict[str, Any]) -> ExecutionAnalysis:
        unknown = set(fields) - _PLACE_FIELDS
        if unknown:
            raise TypeError(f"unexpected arguments: {sorted(unknown)}")
        return ExecutionAnalysis.model_validate(self._http.request("POST", path, json=_order_body(**fields)))

    def slippage_summary(self, *, days: int = 30, instrument_token: int | None = None) -> dict[str, Any]:
        """Your fills' slippage (bps vs the arrival mid; a cost is positive) by instrument, order type,
        algorithm, size and time of day: `GET /analytics/slippage/`."""
        params = {"days": days, "instrument_token": instrument_token}
        return self._http.request("GET", "/analytics/slippage/", params=params)

    def place_market(
        self, *, instrument_token: int | None = None, quantity: int | None = None, side: str = "BUY", **kwargs: Any
    ) -> Order:
        return self.place(
            instrument_token=instrument_token, quantity=quantity, side=side, order_type="MARKET", **kwargs
        )

    def place_limit(
        self,
        *,
        price: Decimal,
        instrument_token: int | None = None,
        quantity: int | None = None,
        side: str = "BUY",
        **kwargs: Any,
    ) -> Order:
        return self.place(
            instrument_token=instrument_token, quantity=quantity, side=side, order_type="LIMIT", price=price, **kwargs
        )

    def place_stop(
        self,
        *,
        trigger_price: Decimal,
        price: Decimal | None = None,
        instrument_token: int | None = None,
        quantity: int | None = None,
        side: str = "SELL",
        **kwargs: Any,
    ) -> Order:
        """SL (with `price`) or SL-M (without) order."""
        return self.place(
            instrument_token=instrument_token,
            quantity=quantity,
            side=side,
            order_type="SL" if price is not None else "SL-M",
            price=price,
            trigger_price=trigger_price,
            **kwargs,
        )

    def get(self, order_id: int) -> Order:
        return Order.model_validate(self._http.request("GET", f"/orders/{order_id}/"))

    # --- parent executions (TWAP / ICEBERG / DEPTH_SPLIT) -------------------------------------------------------
    def place_twap(
        self,
        *,
        duration_seconds: int,
        side: str | None = None,
        transaction_type: str | None = None,
        slices: int | None = None,
        interval_seconds: int | None = None,
        instrument_token: int | None = None,
        exchange: str | None = None,
        tradingsymbol: str | None = None,
        quantity: int | None = None,
        lots: int | None = None,
        product: str = "NRML",
        limit_price: Decimal | None = None,
        participation_cap_pct: int | None = None,
        size_jitter_pct: int | None = None,
        time_jitter_pct: int | None = None,
        account_id: int | None = None,
        strategy_id: int | None = None,
    ) -> Execution:
        """Work an order over `duration_seconds` in `slices` slices (or one every `interval_seconds`), sizes and
        times randomised within the jitters; with `limit_price`, each slice is an IOC LIMIT sent only while the
        market is within it; `participation_cap_pct` caps the share of the market's volume it takes."""
        body = _order_body(
            side=side, transaction_type=transaction_type, duration_seconds=duration_seconds, slices=slices,
            interval_seconds=interval_seconds, instrument_token=instrument_token, exchange=exchange,
            tradingsymbol=tradingsymbol, quantity=quantity, lots=lots, product=product, limit_price=limit_price,
            participation_cap_pct=participation_cap_pct, size_jitter_pct=size_jitter_pct,
            time_jitter_pct=time_jitter_pct, account_id=account_id, strategy_id=strategy_id,
        )
        return Execution.model_validate(self._http.request("POST", "/orders/twap/", json=body))

    def place_iceberg(
        self,
        *,
        limit_price: Decimal,
        side: str | None = None,
        transaction_type: str | None = None,
        visible_quantity: int | None = None,
        visible_lots: int | None = None,
        instrument_token: int | None = None,
        exchange: str | None = None,
        tradingsymbol: str | None = None,
        quantity: int | None = None,
        lots: int | None = None,
        product: str = "NRML",
        account_id: int | None = None,
        strategy_id: int | None = None,
    ) -> Execution:
        """Show `visible_quantity` (or `visible_lots`) at a time at `limit_price`; the next leg goes out when one
        fills, until the total is done."""
        body = _order_body(
            side=side, transaction_type=transaction_type, limit_price=limit_price, visible_quantity=visible_quantity,
            visible_lots=visible_lots, instrument_token=instrument_token, exchange=exchange,
            tradingsymbol=tradingsymbol, quantity=quantity, lots=lots, product=product, account_id=account_id,
            strategy_id=strategy_id,
        )
        return Execution.model_validate(self._http.request("POST", "/orders/iceberg/", json=body))

    def place_depth_split(
        self,
        *,
        side: str | None = None,
        transaction_type: str | None = None,
        instrument_token: int | None = None,
        exchange: str | None = None,
        tradingsymbol: str | None = None,
        quantity: int | None = None,
        lots: int | None = None,
        product: str = "NRML",
        max_impact_bps: int | None = None,
        interval_seconds: int | None = None,
        max_duration_seconds: int | None = None,
        max_child_quantity: int | None = None,
        limit_price: Decimal | None = None,
        account_id: int | None = None,
        strategy_id: int | None = None,
    ) -> Execution:
        """Work an order in children each sized, when it is sent, to the largest whole-lot quantity whose walk of the
        book stays within `max_impact_bps` (default: the strategy's budget, 50 without one), at least one lot; each
        an IOC LIMIT at its walk's worst level, the next `interval_seconds` later (default 5) while the book refills."""
        body = _order_body(
            side=side, transaction_type=transaction_type, instrument_token=instrument_token, exchange=exchange,
            tradingsymbol=tradingsymbol, quantity=quantity, lots=lots, product=product, max_impact_bps=max_impact_bps,
            interval_seconds=interval_seconds, max_duration_seconds=max_duration_seconds,
            max_child_quantity=max_child_quantity, limit_price=limit_price, account_id=account_id,
            strategy_id=strategy_id,
        )
        return Execution.model_validate(self._http.request("POST", "/orders/depth-split/", json=body))

    def list_executions(self, *, status: str | None = None, algorithm: str | None = None) -> list[Execution]:
        params = {k: v for k, v in {"status": status, "algorithm": algorithm}.items() if v is not None}
        return [Execution.model_validate(item) for item in self._http.paginate("/executions/", params)]

    def get_execution(self, execution_id: int) -> Execution:
        return Execution.model_validate(self._http.request("GET", f"/executions/{execution_id}/"))

    def pause_execution(self, execution_id: int) -> Execution:
        return Execution.model_validate(self._http.request("POST", f"/executions/{execution_id}/pause/"))

    def resume_execution(self, execution_id: int) -> Execution:
        return Execution.model_validate(self._http.request("POST", f"/executions/{execution_id}/resume/"))

    def cancel_execution(self, execution_id: int) -> Execution:
        """Stop the execution and cancel its working child (what filled stays filled)."""
        return Execution.model_validate(self._http.request("POST", f"/executions/{execution_id}/cancel/"))

    def list(
        self,
        *,
        status: str | None = None,
        account_id: int | None = None,
        strategy_id: int | None = None,
        instrument_token: int | None = None,
    ) -> list[Order]:
        return list(
            self.iter(status=status, account_id=account_id, strategy_id=strategy_id, instrument_token=instrument_token)
        )

    def iter(self, **filters: Any) -> Iterator[Order]:
        for item in self._http.paginate("/orders/", {k: v for k, v in filters.items() if v is not None}):
            yield Order.model_validate(item)

    def modify(
        self,
        order_id: int,
        *,
        quantity: int | None = None,
        price: Decimal | None = None,
        trigger_price: Decimal | None = None,
        order_type: str | None = None,
        validity: str | None = None,
    ) -> Order:
        body = _body(
            quantity=quantity, price=price, trigger_price=trigger_price, order_type=order_type, validity=validity
        )
        return Order.model_validate(self._http.request("PATCH", f"/orders/{order_id}/", json=body))

    def cancel(self, order_id: int) -> Order:
        return Order.model_validate(self._http.request("DELETE", f"/orders/{order_id}/"))

    def cancel_all(self, *, account_id: int | None = None, strategy_id: int | None = None) -> list[Order]:
        data = self._http.request(
            "POST", "/orders/cancel-all/", json=_body(account_id=account_id, strategy_id=strategy_id)
        )
        return [Order.model_validate(o) for o in data]

    def approve(self, order_id: int) -> Order:
        return Order.model_validate(self._http.request("POST", f"/orders/{order_id}/approve/"))

    def history(self, order_id: int) -> list[OrderEvent]:
        return [OrderEvent.model_validate(e) for e in self._http.request("GET", f"/orders/{order_id}/history/")]

    def preferences(self) -> OrderPreferences:
        """How near-duplicate orders without a client order id are treated."""
        return OrderPreferences.model_validate(self._http.request("GET", "/orders/preferences/"))

    def update_preferences(self, **changes: Any) -> OrderPreferences:
        return OrderPreferences.model_validate(self._http.request("PUT", "/orders/preferences/", json=_body(**changes)))

    def metrics(self, *, account_id: int | None = None) -> OrderMetrics:
        return OrderMetrics.model_validate(
            self._http.request("GET", "/orders/metrics/summary/", params={"account_id": account_id})
        )


class PositionsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def list(
        self, *, account_id: int | None = None, strategy_id: int | None = None, open_only: bool = False
    ) -> list[Position]:
        params = {"account_id": account_id, "strategy_id": strategy_id, "open": "true" if open_only else None}
        return [Position.model_validate(p) for p in self._http.paginate("/positions/", params)]

    def current(self) -> list[Position]:
        return [Position.model_validate(p) for p in self._http.paginate("/orders/positions/current/", {})]

    def exit(self, position_id: int) -> Order:
        return Order.model_validate(self._http.request("POST", f"/positions/{position_id}/exit/"))


class TradesAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def list(
        self, *, order_id: int | None = None, account_id: int | None = None, strategy_id: int | None = None
    ) -> list[Trade]:
        params = {"order_id": order_id, "account_id": account_id, "strategy_id": strategy_id}
        return [Trade.model_validate(t) for t in self._http.paginate("/trades/", params)]


class StrategiesAPI:
    """Strategies group orders and positions; create one from a preset and override any setting."""

    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def list(self) -> list[Strategy]:
        return [Strategy.model_validate(s) for s in self._http.paginate("/strategies/", {})]

    def get(self, strategy_id: int) -> Strategy:
        return Strategy.model_validate(self._http.request("GET", f"/strategies/{strategy_id}/"))

    def create(
        self, name: str, *, preset: str = "conservative", account_id: int | None = None, **settings: Any
    ) -> Strategy:
        body = _body(name=name, preset=preset, account_id=account_id, **settings)
        return Strategy.model_validate(self._http.request("POST", "/strategies/", json=body))

    def update(self, strategy_id: int, **changes: Any) -> Strategy:
        return Strategy.model_validate(
            self._http.request("PATCH", f"/strategies/{strategy_id}/", json=_body(**changes))
        )

    def presets(self) -> dict[str, dict[str, Any]]:
        return self._http.request("GET", "/strategies/presets/")

    def set_settings(self, strategy_id: int, *, preset: str | None = None, **settings: Any) -> Strategy:
        """`PUT /strategies/{id}/settings/`: any of the strategy's settings, optionally from a preset first, e.g.
        `completion_policy={"unfilled_action": "CHASE", "chase_ticks": 2}` (fields not given keep their value)."""
        body = _body(preset=preset, **settings)
        return Strategy.model_validate(self._http.request("PUT", f"/strategies/{strategy_id}/settings/", json=body))

    def set_completion_policy(self, strategy_id: int, **policy: Any) -> Strategy:
        """The strategy's completion policy for unfilled and partly filled LIMIT orders (docs/completion-policies.md):
        `unfilled_action` (NONE, CHASE, CONVERT_MARKET, SPLIT_DEPTH, CANCEL), `unfilled_after_seconds`,
        `chase_interval_seconds`, `chase_ticks`, `chase_max_adjustment_pct`, `after_chase`, `partial_fill_action`
        (NONE, IMMEDIATE, TIME_BASED, PRICE_BASED, CANCEL_REMAINING), `partial_fill_wait_seconds`,
        `partial_fill_price_move_pct`. Raises CompletionPolicyInvalidError for a combination that means nothing."""
        return self.set_settings(strategy_id, completion_policy=_body(**policy))

    def order_completion(self, order_id: int) -> OrderCompletion:
        """One order's completion policy: the settings it runs with, its state, and why it ended."""
        return OrderCompletion.model_validate(self._http.request("GET", f"/orders/{order_id}/completion/"))

    def set_order_completion(self, order_id: int, *, enabled: bool = True, **policy: Any) -> OrderCompletion:
        """Override one working LIMIT order's policy (`enabled=False` switches it off for this order)."""
        body = _body(enabled=enabled, **policy)
        return OrderCompletion.model_validate(self._http.request("PUT", f"/orders/{order_id}/completion/", json=body))

    def square_off_all(
        self, *, account_id: int | None = None, strategy_id: int | None = None, reason: str = "square off all"
    ) -> list[SquareOffResult]:
        """Cancel every open order and exit every open position (all your accounts, one account or one strategy)
        with reducing MARKET orders through the pre-trade pipeline; one result per account."""
        body = _body(account_id=account_id, strategy_id=strategy_id, reason=reason)
        return [
            SquareOffResult.model_validate(r)
            for r in self._http.request("POST", "/strategies/square-off-all/", json=body)
        ]


# The arguments `place` takes (and so `preview`), read from its signature: one list, never restated.
_PLACE_FIELDS = frozenset(inspect.signature(OrdersAPI.place).parameters) - {"self"}
