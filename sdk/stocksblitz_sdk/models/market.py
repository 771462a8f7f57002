"""Typed models of the market-data API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ._base import SdkModel


class Instrument(SdkModel):
    instrument_token: int
    exchange_token: int
    tradingsymbol: str
    name: str = ""
    last_price: Decimal
    expiry: dt.date | None = None
    strike: Decimal | None = None
    tick_size: Decimal
    lot_size: int
    instrument_type: str
    segment: str
    exchange: str
    freeze_quantity: int | None = None
    source: str = "kite"
    is_active: bool = True

    @property
    def key(self) -> str:
        """Kite's quote key, e.g. 'NFO:NIFTY26DEC26000CE'."""
        return f"{self.exchange}:{self.tradingsymbol}"


class DepthLevel(SdkModel):
    price: Decimal
    quantity: int
    orders: int


class MarketDepthSides(SdkModel):
    buy: list[DepthLevel]
    sell: list[DepthLevel]


class Ohlc(SdkModel):
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal


class Quote(SdkModel):
    instrument_token: int
    exchange: str
    tradingsymbol: str
    timestamp: dt.datetime
    last_price: Decimal
    last_quantity: int
    average_price: Decimal
    volume: int
    oi: int
    net_change: Decimal
    ohlc: Ohlc
    lower_circuit_limit: Decimal
    upper_circuit_limit: Decimal
    depth: MarketDepthSides

    @property
    def best_bid(self) -> Decimal | None:
        return self.depth.buy[0].price if self.depth.buy else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.depth.sell[0].price if self.depth.sell else None


class MarketDepth(SdkModel):
    instrument_token: int
    exchange: str
    tradingsymbol: str
    timestamp: dt.datetime
    last_price: Decimal
    buy: list[DepthLevel]
    sell: list[DepthLevel]
