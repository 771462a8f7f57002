"""Margin and costs API: parse, resolve the caller's account/strategy (someone else's answers 404), call one
read in margin.preview, render. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import account_get, account_resolve
from marketdata import selectors as md
from marketdata.errors import InstrumentNotFound
from marketdata.models import Instrument
from oms_project.lib.api.schema import error_responses
from portfolio.selectors import strategy_get

from .. import preview
from ..selectors import MarginOrder
from . import serializers as s

READ_ERRORS = error_responses({404: "No such account, strategy or instrument of yours"})


def _instrument(item: dict[str, Any], *, default_exchange: str = "NFO") -> Any:
    if item.get("instrument_token"):
        return md.instrument_get(item["instrument_token"])
    symbol = item.get("tradingsymbol") or item.get("symbol")
    exchange = (item.get("exchange") or default_exchange).upper()
    found = Instrument.objects.filter(exchange=exchange, tradingsymbol=symbol).first()
    if found is None:
        raise InstrumentNotFound(
            f"No instrument {exchange}:{symbol}.", details={"exchange": exchange, "tradingsymbol": symbol}
        )
    return found


def _orders(items: Iterable[dict[str, Any]], *, default_exchange: str = "NFO") -> list[MarginOrder]:
    out = []
    for item in items:
        priced = item.get("order_type", "MARKET") in ("LIMIT", "SL") or item.get("price")
        out.append(
            MarginOrder(
                instrument=_instrument(item, default_exchange=default_exchange),
                transaction_type=item.get("transaction_type") or item.get("side"),
                quantity=int(item["quantity"]),
                price=item.get("price") if priced else None,
                product=item.get("product", "NRML"),
                order_type=item.get("order_type", "MARKET"),
                trigger_price=item.get("trigger_price"),
            )
        )
    return out


class MarginOrdersApi(APIView):
    @extend_schema(
        request=s.MarginOrdersInputSerializer, responses={200: s.OrderMarginsOutputSerializer, **READ_ERRORS}
    )
    def post(self, request: Request) -> Response:
        """Margins of each order on its own (Kite's /margins/orders): against the account's positions and
        working orders, with no hedge between the orders given. Per order: span, exposure, option_premium,
        additional, total, charges."""
        data = s.MarginOrdersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = account_resolve(user=request.user, account_id=data.validated_data.get("account_id"))
        answer = preview.kite_order_margins(account, _orders(data.validated_data["orders"]))
        return Response(s.OrderMarginsOutputSerializer(answer).data)


class MarginBasketApi(APIView):
    @extend_schema(
        request=s.MarginBasketInputSerializer, responses={200: s.BasketMarginOutputSerializer, **READ_ERRORS}
    )
    def post(self, request: Request) -> Response:
        """A basket margined together (Kite's /margins/basket): `initial` = each order alone summed, `final` =
        together with the hedge benefit (a spread, a straddle) and, with consider_positions, against the
        account's positions and working orders; plus the OMS buffer and what is required and available."""
        data = s.MarginBasketInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        account = account_resolve(user=request.user, account_id=v.get("account_id"))
        answer = preview.kite_margins(account, _orders(v["orders"]), consider_positions=v["consider_positions"])
        return Response(s.BasketMarginOutputSerializer(answer).data)


class OrderCostsApi(APIView):
    @extend_schema(request=s.CostsInputSerializer, responses={200: s.CostsOutputSerializer, **READ_ERRORS})
    def post(self, request: Request) -> Response:
        """Charges per order and in total (order value, brokerage, STT, exchange, SEBI, stamp duty, GST, total)
        at today's rates, the margin the orders need together against your positions, and warnings."""
        data = s.CostsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        strategy_id = v.get("strategy_id")
        if strategy_id is not None:
            strategy = strategy_get(user=request.user, strategy_id=strategy_id)
            account = strategy.account
        else:
            account = account_resolve(user=request.user, account_id=v.get("account_id"))
        answer = preview.costs(account, _orders(v["orders"]), strategy_id=strategy_id)
        return Response(s.CostsOutputSerializer(answer).data)


class StrategyCostsApi(APIView):
    @extend_schema(
        request=s.StrategyInstrumentsInputSerializer, responses={200: s.StrategyCostsOutputSerializer, **READ_ERRORS}
    )
    def post(self, request: Request, strategy_id: int) -> Response:
        """A strategy's entry cost (value + charges) and estimated exit cost (the reverse orders at the same
        prices), with the margin of the legs together in the strategy's account (its buffer applies)."""
        data = s.StrategyInstrumentsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = strategy_get(user=request.user, strategy_id=strategy_id)
        answer = preview.strategy_costs(strategy, _orders(data.validated_data["instruments"]))
        return Response(s.StrategyCostsOutputSerializer(answer).data)


class StrategyMarginApi(APIView):
    @extend_schema(
        request=s.StrategyInstrumentsInputSerializer, responses={200: s.StrategyMarginOutputSerializer, **READ_ERRORS}
    )
    def post(self, request: Request, strategy_id: int) -> Response:
        """The legs margined together (Kite's basket shape) in the strategy's account, with its buffer."""
        data = s.StrategyInstrumentsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = strategy_get(user=request.user, strategy_id=strategy_id)
        answer = preview.kite_margins(
            strategy.account, _orders(data.validated_data["instruments"]), strategy_id=strategy.pk
        )
        return Response(s.StrategyMarginOutputSerializer({**answer, "strategy_id": strategy.pk}).data)


class AvailableMarginApi(APIView):
    @extend_schema(responses={200: s.AvailableMarginOutputSerializer, **READ_ERRORS})
    def get(self, request: Request, account_id: int) -> Response:
        """The account's margin now: available, used (exchange margin + OMS buffer of its positions and working
        orders), total (its funds), utilisation % and level, with the breakdown and active buffer factors."""
        account = account_get(user=request.user, account_id=account_id)
        return Response(s.AvailableMarginOutputSerializer(preview.available_margin(account)).data)


class StrategyChargesApi(APIView):
    @extend_schema(responses={200: s.StrategyChargesOutputSerializer, **READ_ERRORS})
    def get(self, request: Request, strategy_id: int) -> Response:
        """What the strategy's executed orders cost: brokerage and taxes in total (order_cost_breakdown)."""
        from ..costs import strategy_charges

        strategy = strategy_get(user=request.user, strategy_id=strategy_id)
        return Response(
            s.StrategyChargesOutputSerializer({"strategy_id": strategy.pk, **strategy_charges(strategy)}).data
        )
