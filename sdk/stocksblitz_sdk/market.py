"""Instruments and market data: `client.instruments` and `client.market`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from ._http import HttpSession
from .models.market import Instrument, MarketDepth, Quote


class InstrumentsAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def iter(
        self,
        *,
        q: str | None = None,
        exchange: str | None = None,
        name: str | None = None,
        instrument_type: str | None = None,
        segment: str | None = None,
        expiry: dt.date | str | None = None,
        strike: Decimal | float | str | None = None,
    ) -> Iterator[Instrument]:
        """Every matching instrument, fetched page by page."""
        params = {
            "q": q,
            "exchange": exchange,
            "name": name,
            "instrument_type": instrument_type,
            "segment": segment,
            "expiry": expiry.isoformat() if isinstance(expiry, dt.date) else expiry,
            "strike": str(strike) if strike is not None else None,
        }
        for row in self._http.paginate("/instruments/", params):
            yield Instrument.model_validate(row)

    def list(self, **filters: object) -> list[Instrument]:
        """Matching instruments (filters: q, exchange, name, instrument_type, segment, expiry, strike)."""
        return list(self.iter(**filters))  # type: ignore[arg-type]

    def search(self, q: str, *, limit: int = 20) -> list[Instrument]:
        """The first `limit` instruments whose symbol or name contains every word of `q`."""
        page = self._http.request("GET", "/instruments/", params={"q": q, "limit": limit})
        return [Instrument.model_validate(row) for row in page["results"]]

    def get(self, instrument_token: int) -> Instrument:
        return Instrument.model_validate(self._http.request("GET", f"/instruments/{int(instrument_token)}/"))


class MarketAPI:
    def __init__(self, http: HttpSession) -> None:
        self._http = http

    def quote(self, keys: Iterable[str] | str) -> dict[str, Quote]:
        """Full quotes keyed by 'EXCHANGE:TRADINGSYMBOL' (at most 500 keys per call).

        Raises UnknownInstrumentKeysError (with `.unknown`) if any key matches no instrument.
        """
        keys = [keys] if isinstance(keys, str) else list(keys)
        body = self._http.request("GET", "/market/quote/", params={"instruments": ",".join(keys)})
        return {key: Quote.model_validate(row) for key, row in body["data"].items()}

    def ltp(self, keys: Iterable[str] | str) -> dict[str, Decimal]:
        return {key: q.last_price for key, q in self.quote(keys).items()}

    def depth(self, instrument_token: int) -> MarketDepth:
        """5-level market depth of one instrument."""
        return MarketDepth.model_validate(self._http.request("GET", f"/market/depth/{int(instrument_token)}/"))
