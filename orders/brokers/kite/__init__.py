"""The Kite Connect adapter (the only package that imports `kiteconnect`)."""

from .client import KiteBroker

__all__ = ["KiteBroker"]
