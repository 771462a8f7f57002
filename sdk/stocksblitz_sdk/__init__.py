"""StocksBlitz OMS SDK: typed access to the API and live alerts/order updates for bots."""

from . import exceptions  # noqa: F401
from .client import StocksBlitzClient  # noqa: F401
from .exceptions import StocksBlitzError  # noqa: F401

__all__ = ["StocksBlitzClient", "StocksBlitzError", "exceptions"]
__version__ = "0.1.0"
