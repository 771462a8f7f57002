"""Market-data errors, each with a stable API code (the SDK has one exception class per code)."""

from oms_project.lib.errors import DomainError, InvalidInput, NotFound


class InstrumentNotFound(NotFound):
    code = "INSTRUMENT_NOT_FOUND"
    default_message = "No such instrument."


class UnknownInstrumentKeys(NotFound):
    """Some EXCHANGE:TRADINGSYMBOL keys of a quote request match no instrument (details.unknown lists them)."""

    code = "UNKNOWN_INSTRUMENT_KEYS"
    default_message = "Some instrument keys are unknown."


class InvalidInstrumentKey(InvalidInput):
    code = "INVALID_INSTRUMENT_KEY"
    default_message = "Instrument keys look like EXCHANGE:TRADINGSYMBOL, e.g. NFO:NIFTY25DEC24500CE."


class TooManyInstruments(InvalidInput):
    code = "TOO_MANY_INSTRUMENTS"
    default_message = "Too many instruments in one request."


class WatchlistItemNotFound(NotFound):
    code = "WATCHLIST_ITEM_NOT_FOUND"
    default_message = "No such market watch item."


class WatchlistFull(DomainError):
    code = "WATCHLIST_FULL"
    http_status = 409
    default_message = "Your market watch is full; remove an instrument first."


class InstrumentFileInvalid(InvalidInput):
    """An instruments CSV could not be loaded; details name the line and the problem."""

    code = "INSTRUMENT_FILE_INVALID"
    default_message = "The instruments file is not a valid Kite instruments dump."
