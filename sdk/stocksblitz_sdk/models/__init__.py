from ._base import SdkModel  # noqa: F401
from .accounts import TradingAccount  # noqa: F401
