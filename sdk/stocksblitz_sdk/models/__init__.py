from ._base import SdkModel  # noqa: F401
from .accounts import TradingAccount  # noqa: F401
from .funds import Funds, LedgerEntry  # noqa: F401
