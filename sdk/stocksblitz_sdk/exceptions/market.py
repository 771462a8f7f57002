"""Exceptions of the market-data API (one class per error code)."""

from ._base import APIError, NotFoundError, ValidationError

__all__ = [
    "InstrumentNotFoundError",
    "UnknownInstrumentKeysError",
    "InvalidInstrumentKeyError",
    "TooManyInstrumentsError",
    "WatchlistItemNotFoundError",
    "WatchlistFullError",
    "InstrumentFileInvalidError",
]


class InstrumentNotFoundError(NotFoundError):
    code = "INSTRUMENT_NOT_FOUND"


class UnknownInstrumentKeysError(NotFoundError):
    """Some EXCHANGE:TRADINGSYMBOL keys match no instrument; `.unknown` lists them."""

    code = "UNKNOWN_INSTRUMENT_KEYS"

    @property
    def unknown(self) -> list[str]:
        return list(self.details.get("unknown", []))


class InvalidInstrumentKeyError(ValidationError):
    code = "INVALID_INSTRUMENT_KEY"


class TooManyInstrumentsError(ValidationError):
    code = "TOO_MANY_INSTRUMENTS"


class WatchlistItemNotFoundError(NotFoundError):
    code = "WATCHLIST_ITEM_NOT_FOUND"


class WatchlistFullError(APIError):
    code = "WATCHLIST_FULL"


class InstrumentFileInvalidError(ValidationError):
    code = "INSTRUMENT_FILE_INVALID"
